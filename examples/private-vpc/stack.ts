// The fully private variant: a VPC with isolated subnets only, a PRIVATE
// egress API reachable only through its execute-api endpoint, and a Lambda
// function in the isolated subnets that may call one target, signing its
// requests with SigV4. Nothing in the VPC has another way out.
//
// Its stages log, so the account needs API Gateway's CloudWatch role in the
// Region (the quickstart sets it with cloudWatchRole: true; README, "The
// account CloudWatch role").
import { CfnResource, Duration, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CALLER_SOURCE } from './caller-source';
import { allowCloudWatchLogsOfThisAccount, denyGrantsExceptForAwsServices } from '../key-policy';
import { HttpProxyApi, PrivateVpcEgressPolicy } from 'cdk-inside-out-gateway';

/**
 * A role whose grants all go into one customer managed policy, not an
 * inline one (NIST 800-53 and HIPAA ask for no inline policies).
 */
class ManagedPolicyRole extends iam.Role {
  public readonly grantPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: iam.RoleProps) {
    super(scope, id, props);
    this.grantPolicy = new iam.ManagedPolicy(this, 'Grants', { roles: [this] });
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.grantPolicy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.grantPolicy };
  }
}

/** Findings of this example's own function, and why they stay (README, "Security posture"). */
export const EXAMPLE_ACKNOWLEDGEMENTS = {
  networkInterfaces: 'A function in a VPC creates, describes and deletes its network interfaces, and sends X-Ray traces; ec2:DescribeNetworkInterfaces, ec2:DescribeSubnets, xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions, so they need Resource "*".',
  deadLetterQueue: 'This queue is the function\'s dead-letter queue: what lands in it is kept 14 days for a person to read, and a dead-letter queue of its own would only move the same messages again.',
  functionRoleDependency: 'aws-cdk-lib\'s Function depends on its role explicitly as well as through Fn::GetAtt; the repeated DependsOn is redundant and harmless.',
  concurrency: 'A reservation comes out of the account\'s unreserved concurrency, of which Lambda keeps 100 for functions without one, and new accounts start with a reduced concurrency quota: an example that must deploy in any account cannot reserve any. The function reaches the outside only through the API, whose stage throttle (50 requests a second by default) bounds its calls.',
};

export class PrivateVpcStack extends Stack {
  /** The workload's function, in the isolated subnets. */
  public readonly caller: lambda.Function;
  /** The only route the function may call. */
  public readonly statusRoute: ReturnType<HttpProxyApi['addTarget']>;
  public readonly egress: PrivateVpcEgressPolicy;
  public readonly api: HttpProxyApi;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.egress = new PrivateVpcEgressPolicy(this, 'PrivateEgress', {
      isolatedVpc: { maxAzs: 2 },
      // on by default, spelled out here: the VPC resolves only the names of
      // its AWS service endpoints (execute-api), every other name gets
      // NXDOMAIN, and each query is logged
      dnsFirewall: { enabled: true, queryLogging: true },
    });
    this.api = new HttpProxyApi(this, 'PrivateApi', {
      endpointType: apigw.EndpointType.PRIVATE,
      privateAccess: this.egress,
    });
    this.statusRoute = this.api.addTarget('status', { url: 'https://status.partner.example/api/{item}' });

    // The function's own security group: out to the endpoint on 443, nothing
    // else. A group created without an inline egress rule gets EC2's
    // allow-all egress rules, so it keeps the inline rule aws-cdk-lib writes
    // for allowAllOutbound: false, which matches no traffic:
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroup.html
    // aws-cdk-lib drops that rule as soon as the group is told of any egress
    // rule (addEgressRule, connections.allowTo), even one it writes as a
    // separate resource, so the 443 rule is written as its own resource here.
    const callerSecurityGroup = new ec2.SecurityGroup(this, 'CallerSecurityGroup', {
      vpc: this.egress.vpc,
      description: 'The caller function: HTTPS to the execute-api endpoint only',
      allowAllOutbound: false,
    });
    new ec2.CfnSecurityGroupEgress(callerSecurityGroup, 'HttpsToEndpoint', {
      groupId: callerSecurityGroup.securityGroupId,
      destinationSecurityGroupId: this.egress.securityGroup.securityGroupId,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      description: 'HTTPS to the execute-api endpoint',
    });
    this.egress.securityGroup.addIngressRule(callerSecurityGroup, ec2.Port.tcp(443), 'HTTPS from the caller function');

    const key = new kms.Key(this, 'CallerKey', {
      description: 'Encrypts the caller function\'s logs, environment and dead-letter queue',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    allowCloudWatchLogsOfThisAccount(key);
    key.addToResourcePolicy(denyGrantsExceptForAwsServices());
    const logGroup = new logs.LogGroup(this, 'CallerLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey: key,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const role = new ManagedPolicyRole(this, 'CallerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'The caller function: its logs, its network interfaces and one route',
    });
    role.grantPolicy.addStatements(
      new iam.PolicyStatement({
        actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`${logGroup.logGroupArn}`],
      }),
    );
    Validations.of(role.grantPolicy).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: EXAMPLE_ACKNOWLEDGEMENTS.networkInterfaces });
    (role.grantPolicy.node.defaultChild as CfnResource).addMetadata('checkov', { skip: [{ id: 'CKV_AWS_111', comment: EXAMPLE_ACKNOWLEDGEMENTS.networkInterfaces }] });

    const deadLetterQueue = new sqs.Queue(this, 'CallerDeadLetters', {
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(deadLetterQueue).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: EXAMPLE_ACKNOWLEDGEMENTS.deadLetterQueue });
    // Lambda sends a failed event to the queue with the function's role
    // (sqs:SendMessage, which Function grants), and SQS then calls KMS with
    // the sender's credentials: a producer needs kms:GenerateDataKey and
    // kms:Decrypt on the queue's key, and only through SQS (kms:ViaService).
    // https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#invocation-dlq
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html#send-to-encrypted-queue
    // https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
    role.grantPolicy.addStatements(new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `sqs.${this.region}.amazonaws.com` } },
    }));
    // cfn-guard's Control Tower rule, read by the scan from the resource's Metadata
    (deadLetterQueue.node.defaultChild as CfnResource).addMetadata('guard', { SuppressedRules: ['sqs_dlq_check'] });

    this.caller = new lambda.Function(this, 'Caller', {
      runtime: lambda.Runtime.NODEJS_24_X,
      role,
      handler: 'index.handler',
      code: lambda.Code.fromInline(CALLER_SOURCE),
      timeout: Duration.seconds(30),
      memorySize: 256,
      tracing: lambda.Tracing.ACTIVE,
      vpc: this.egress.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [callerSecurityGroup],
      environment: {
        // with private DNS on the endpoint, the API's usual host name
        // resolves to the endpoint inside the VPC
        ROUTE_URL: `${this.api.restApi.url}status/demo`,
      },
      environmentEncryption: key,
      logGroup,
      deadLetterQueueEnabled: true,
      deadLetterQueue,
    });

    (this.caller.node.defaultChild as CfnResource).addMetadata('cfn-lint', { config: { ignore_checks: ['W3005'] } });
    // No reserved concurrency: a function may reserve at most the account's
    // unreserved concurrency minus 100, and new accounts have reduced
    // concurrency quotas, so a reservation can fail the deploy there.
    // https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
    // https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
    for (const rule of ['NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency']) {
      Validations.of(this.caller).acknowledge({ id: rule, reason: EXAMPLE_ACKNOWLEDGEMENTS.concurrency });
    }
    (this.caller.node.defaultChild as CfnResource).addMetadata('checkov', { skip: [{ id: 'CKV_AWS_115', comment: EXAMPLE_ACKNOWLEDGEMENTS.concurrency }] });

    // execute-api:Invoke on GET /status/{item} of this API, and nothing else
    this.egress.allow(this.caller, this.statusRoute);
  }
}
