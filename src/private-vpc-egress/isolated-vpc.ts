import { RemovalPolicy, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeInCompliancePacks } from '../common/acknowledgements';
import { invalidProp } from '../common/errors';
import { stackLogEncryptionKey } from '../common/log-key';
import { restrictFlowLogRoleTrust } from '../common/service-trust';
import { acknowledgeInTemplate } from '../common/template-acknowledgements';

/** Props of `IsolatedVpc`. */
export interface IsolatedVpcProps {
  /**
   * Availability zones to use, from 1 to 6 (one isolated subnet in each).
   *
   * @default 2
   */
  readonly maxAzs?: number;

  /**
   * The VPC's IPv4 range.
   *
   * @default ec2.IpAddresses.cidr('10.0.0.0/16')
   */
  readonly ipAddresses?: ec2.IIpAddresses;

  /**
   * Add a gateway endpoint for S3, so workloads reach S3 without internet.
   *
   * @default false
   */
  readonly s3GatewayEndpoint?: boolean;

  /**
   * Add a gateway endpoint for DynamoDB.
   *
   * @default false
   */
  readonly dynamoDbGatewayEndpoint?: boolean;

  /**
   * Retention of the flow log group.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly flowLogRetention?: logs.RetentionDays;

  /**
   * KMS key of the flow log group.
   *
   * @default - the stack's shared log key (`InsideOutGatewayLogKey`, with
   * rotation), created once per stack and used by every construct of this
   * library that is given no key
   */
  readonly flowLogEncryptionKey?: kms.IKey;

  /**
   * What happens to the flow log group when the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly flowLogRemovalPolicy?: RemovalPolicy;
}

/**
 * A VPC with no way out: isolated subnets only, no internet gateway, no NAT,
 * and flow logs of all traffic to an encrypted log group.
 *
 * @example
 * const isolated = new IsolatedVpc(this, 'Network', { maxAzs: 2, s3GatewayEndpoint: true });
 * // govern it: an execute-api endpoint, and a guard that fails synth if a way out appears
 * new PrivateVpcEgressPolicy(this, 'PrivateEgress', { vpc: isolated.vpc });
 */
export class IsolatedVpc extends Construct {
  /** The VPC. */
  public readonly vpc: ec2.Vpc;

  /** The flow log group. */
  public readonly flowLogGroup: logs.LogGroup;

  /** The S3 gateway endpoint, if asked for. */
  public readonly s3GatewayEndpoint?: ec2.GatewayVpcEndpoint;

  /** The DynamoDB gateway endpoint, if asked for. */
  public readonly dynamoDbGatewayEndpoint?: ec2.GatewayVpcEndpoint;

  constructor(scope: Construct, id: string, props: IsolatedVpcProps = {}) {
    super(scope, id);
    const maxAzs = props.maxAzs ?? 2;
    if (!Number.isInteger(maxAzs) || maxAzs < 1 || maxAzs > 6) {
      throw invalidProp(this, 'maxAzs', maxAzs, 'a whole number from 1 to 6');
    }
    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.flowLogEncryptionKey ?? stackLogEncryptionKey(this),
      removalPolicy: props.flowLogRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs,
      ipAddresses: props.ipAddresses,
      natGateways: 0,
      subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      restrictDefaultSecurityGroup: false,
      flowLogs: {
        all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup), trafficType: ec2.FlowLogTrafficType.ALL },
      },
    });
    acknowledgeInCompliancePacks(this.vpc, 'defaultSecurityGroupOpen');
    for (const subnet of this.vpc.isolatedSubnets) {
      if (!Token.isUnresolved(subnet.availabilityZone)) {
        acknowledgeInTemplate(subnet, 'subnetAvailabilityZone');
      }
    }
    const flowLog = this.vpc.node.tryFindChild('all') as ec2.FlowLog | undefined;
    if (flowLog) {
      restrictFlowLogRoleTrust(flowLog);
    }
    const flowLogPolicy = this.vpc.node.tryFindChild('all')?.node.tryFindChild('IAMRole')?.node.tryFindChild('DefaultPolicy');
    if (flowLogPolicy) {
      acknowledgeInCompliancePacks(flowLogPolicy, 'flowLogRoleInlinePolicy');
    }
    if (props.s3GatewayEndpoint) {
      this.s3GatewayEndpoint = this.vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
    }
    if (props.dynamoDbGatewayEndpoint) {
      this.dynamoDbGatewayEndpoint = this.vpc.addGatewayEndpoint('DynamoDb', { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB });
    }
  }
}
