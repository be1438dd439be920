import { Lazy, Stack, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DnsFirewall, DnsFirewallOptions } from './dns-firewall';
import { EgressFinding, findEgress } from './egress-guard';
import { IsolatedVpc, IsolatedVpcProps } from './isolated-vpc';
import { acknowledgeWildcardResource } from '../common/acknowledgements';
import { invalidProp, problem } from '../common/errors';
import { HttpProxyApi } from '../http-proxy-api/http-proxy-api';
import { HttpProxyTarget } from '../http-proxy-api/http-proxy-target';
import { IPrivateApiAccess, PrivateApiAccessConfig, sourceVpceResourcePolicy } from '../http-proxy-api/private-api-access';

/** Props of `PrivateVpcEgressPolicy`. */
export interface PrivateVpcEgressPolicyProps {
  /**
   * The VPC whose only way out is the PRIVATE API. It is checked at synth
   * time: see `acceptedFindings`.
   *
   * @default - a new `IsolatedVpc` built from `isolatedVpc`
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Settings of the VPC created when no `vpc` is given.
   *
   * @default - 2 AZs, isolated subnets, flow logs, no gateway endpoints
   */
  readonly isolatedVpc?: IsolatedVpcProps;

  /**
   * Subnets of the execute-api endpoint.
   *
   * @default - the VPC's isolated subnets, or its private subnets if it has none
   */
  readonly endpointSubnets?: ec2.SubnetSelection;

  /**
   * Private DNS on the execute-api endpoint, so workloads call
   * `https://{api-id}.execute-api.{region}.amazonaws.com`. Then no client in
   * the VPC can reach a Regional or edge API of any account: those names
   * resolve to the endpoint, which serves only private APIs. Without it,
   * callers use the `{api-id}-{vpce-id}` host name or an `x-apigw-api-id`
   * header.
   *
   * @default true
   */
  readonly privateDnsEnabled?: boolean;

  /**
   * Security groups whose members may reach the endpoint on TCP 443.
   *
   * @default - the VPC's IPv4 range
   */
  readonly allowFrom?: ec2.ISecurityGroup[];

  /**
   * Findings of the egress guard you knowingly accept, by kind. Each
   * accepted kind is written to the template as metadata on this construct.
   *
   * @default - none: any way out of the VPC fails synth
   */
  readonly acceptedFindings?: EgressFinding[];

  /**
   * The VPC's DNS Firewall (Route 53 Resolver): only the names of the
   * execute-api endpoint, of the VPC's other AWS service endpoints and
   * `allowedDomains` resolve; every other name gets NXDOMAIN; queries are
   * logged to an encrypted log group. Turn it off with `enabled: false`
   * and accept `EgressFinding.UNFILTERED_DNS`.
   *
   * @default - on, with query logging
   */
  readonly dnsFirewall?: DnsFirewallOptions;
}

/**
 * The fully private variant: in a VPC with no internet gateway, no NAT and
 * no public subnet, the only way out is a route of a PRIVATE `HttpProxyApi`
 * that IAM allows for the calling principal.
 *
 * It creates the execute-api interface endpoint (TCP 443 from the VPC
 * only, an endpoint policy limited to the governed routes), gives each
 * PRIVATE API a resource policy that denies every call not coming through
 * that endpoint, grants routes per principal, and fails synth when the VPC
 * has a way out.
 *
 * @example
 * const egress = new PrivateVpcEgressPolicy(this, 'PrivateEgress');
 * const api = new HttpProxyApi(this, 'PrivateApi', {
 *   endpointType: apigw.EndpointType.PRIVATE,
 *   privateAccess: egress,
 * });
 * const status = api.addTarget('status', { url: 'https://status.partner.example/api/health' });
 * egress.allow(workloadRole, status);
 */
export class PrivateVpcEgressPolicy extends Construct implements IPrivateApiAccess {
  /** The governed VPC. */
  public readonly vpc: ec2.IVpc;

  /** The VPC this construct created, when none was given. */
  public readonly isolatedVpc?: IsolatedVpc;

  /** The execute-api interface endpoint. */
  public readonly endpoint: ec2.InterfaceVpcEndpoint;

  /** The endpoint's security group. */
  public readonly securityGroup: ec2.SecurityGroup;

  /** The finding kinds accepted by `acceptedFindings`. */
  public readonly acceptedFindings: EgressFinding[];

  /** The DNS Firewall and query logging, unless turned off. */
  public readonly dnsFirewall?: DnsFirewall;

  private readonly apis: HttpProxyApi[] = [];

  constructor(scope: Construct, id: string, props: PrivateVpcEgressPolicyProps = {}) {
    super(scope, id);
    if (props.vpc && props.isolatedVpc) {
      throw invalidProp(this, 'isolatedVpc', 'given with vpc', 'either vpc (yours) or isolatedVpc (settings of a new one)');
    }
    const known = Object.values(EgressFinding) as string[];
    for (const f of props.acceptedFindings ?? []) {
      if (!known.includes(f)) {
        throw invalidProp(this, 'acceptedFindings', f, known.join(', '));
      }
    }
    this.acceptedFindings = [...new Set(props.acceptedFindings ?? [])];
    if (this.acceptedFindings.length) {
      this.node.addMetadata('cdk-inside-out-gateway:acceptedEgressFindings', this.acceptedFindings);
    }

    if (props.vpc) {
      this.vpc = props.vpc;
    } else {
      this.isolatedVpc = new IsolatedVpc(this, 'Vpc', props.isolatedVpc);
      this.vpc = this.isolatedVpc.vpc;
    }

    this.securityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'execute-api endpoint: TCP 443 from the VPC only',
      allowAllOutbound: false,
    });
    if (props.allowFrom !== undefined && props.allowFrom.length === 0) {
      throw invalidProp(this, 'allowFrom', 'an empty list', 'at least one security group, or no allowFrom to allow the VPC\'s address range');
    }
    if (props.allowFrom) {
      for (const sg of props.allowFrom) {
        this.securityGroup.addIngressRule(sg, ec2.Port.tcp(443), 'HTTPS from an allowed security group');
      }
    } else {
      this.securityGroup.addIngressRule(ec2.Peer.ipv4(literalCidr(this.vpc)), ec2.Port.tcp(443), 'HTTPS from the VPC');
    }

    this.endpoint = new ec2.InterfaceVpcEndpoint(this, 'ExecuteApiEndpoint', {
      vpc: this.vpc,
      service: ec2.InterfaceVpcEndpointAwsService.APIGATEWAY,
      privateDnsEnabled: props.privateDnsEnabled ?? true,
      securityGroups: [this.securityGroup],
      subnets: props.endpointSubnets ? this.checkEndpointSubnets(props.endpointSubnets) : defaultSubnets(this.vpc),
      open: false,
    });
    // Limited to the governed routes. An API id cannot be named here: the
    // API's resource policy names this endpoint, and CloudFormation refuses
    // the cycle; the routes are named by account, stage, method and path.
    (this.endpoint.node.defaultChild as ec2.CfnVPCEndpoint).policyDocument = Lazy.any({ produce: () => this.renderEndpointPolicy() });

    if (props.dnsFirewall?.enabled ?? true) {
      this.dnsFirewall = new DnsFirewall(this, 'DnsFirewall', this.vpc, props.dnsFirewall ?? {});
    } else if (props.dnsFirewall && Object.keys(props.dnsFirewall).some((k) => k !== 'enabled')) {
      throw invalidProp(this, 'dnsFirewall', props.dnsFirewall, 'enabled: false alone, or settings of a firewall that is enabled');
    }

    this.node.addValidation({ validate: () => this.validate() });
  }

  /** The endpoint subnets, when the selection finds some in the VPC. */
  private checkEndpointSubnets(selection: ec2.SubnetSelection): ec2.SubnetSelection {
    let found: ec2.ISubnet[];
    try {
      found = this.vpc.selectSubnets(selection).subnets;
    } catch (e) {
      throw invalidProp(this, 'endpointSubnets', (e as Error).message, 'a selection of subnets this VPC has');
    }
    if (found.length === 0) {
      throw invalidProp(this, 'endpointSubnets', 'a selection of no subnets', 'a selection of subnets this VPC has');
    }
    return selection;
  }

  /**
   * Called by a PRIVATE `HttpProxyApi`: the endpoint, and a resource policy
   * that denies every call not coming through it.
   *
   * @param api the API being built
   */
  public bindToApi(api: Construct): PrivateApiAccessConfig {
    if (!(api instanceof HttpProxyApi)) {
      throw invalidProp(this, 'bindToApi', api.node.path, 'a PRIVATE HttpProxyApi');
    }
    this.apis.push(api);
    return {
      vpcEndpoints: [this.endpoint],
      policy: sourceVpceResourcePolicy([this.endpoint.vpcEndpointId]),
    };
  }

  /**
   * Allows a workload's role (a Lambda in the VPC, an ECS task, an EC2
   * role) to invoke exactly one route, through the endpoint.
   *
   * @param grantee the workload's principal
   * @param target a route of a PRIVATE API governed by this policy
   */
  public allow(grantee: iam.IGrantable, target: HttpProxyTarget): iam.Grant {
    if (target.endpointType !== apigw.EndpointType.PRIVATE || !this.apis.some((a) => a === target.api)) {
      throw invalidProp(this, 'allow target', `'${target.targetId}' of ${target.api.restApi.node.path}`,
        `a target of a PRIVATE HttpProxyApi whose privateAccess is this policy (${this.apis.length ? this.apis.map((a) => a.node.path).join(', ') : 'none bound yet'})`);
    }
    // the policy the grant lands in (a role's default policy, or the managed
    // policy a custom role routes its grants to) is where its finding is
    const principal = grantee.grantPrincipal;
    const policies = () => (Construct.isConstruct(principal) ? principal.node.findAll() : [])
      .filter((c): c is iam.Policy | iam.ManagedPolicy => c instanceof iam.Policy || c instanceof iam.ManagedPolicy);
    const before = new Map(policies().map((p) => [p, p.document.statementCount]));
    const grant = target.grantInvoke(grantee);
    const policy = policies().find((p) => p.document.statementCount > (before.get(p) ?? 0));
    // the * of path parameters in the route ARN is the one wildcard of the grant
    if (policy && (target.pathParameters.length > 0 || target.proxy)) {
      for (const m of target.methods) {
        acknowledgeWildcardResource(policy, target.arnForExecuteApi(m), 'routePathParameters');
      }
    }
    return grant;
  }

  private renderEndpointPolicy(): any {
    const stack = Stack.of(this);
    const routes = this.apis.flatMap((api) => api.targets.flatMap((t) => t.methods.map((m) => t._routeArnOnAnyApi(m))));
    return {
      Version: '2012-10-17',
      Statement: [{
        Sid: 'InvokeGovernedRoutesOnly',
        Effect: 'Allow',
        Principal: '*',
        Action: 'execute-api:Invoke',
        Resource: routes.length ? routes : [stack.formatArn({ service: 'execute-api', resource: 'no-governed-route' })],
        Condition: { StringEquals: { 'aws:PrincipalAccount': stack.account } },
      }],
    };
  }

  private validate(): string[] {
    const errors: string[] = [];
    if (this.apis.length === 0) {
      errors.push(problem('privateAccess', 'no PRIVATE HttpProxyApi uses this policy; pass it as privateAccess of one'));
    }
    const found = findEgress(this.vpc).filter((v) => !this.acceptedFindings.includes(v.finding));
    for (const v of found) {
      errors.push(problem('vpc', `${v.finding}: ${v.path} is ${v.detail}, a way out of the VPC besides the private API. `
        + `Remove it, or accept it knowingly with acceptedFindings: [EgressFinding.${v.finding}]`));
    }
    return errors;
  }
}

/** The VPC's IPv4 range as a literal when the app defines it, so scanners can read the rule. */
function literalCidr(vpc: ec2.IVpc): string {
  if (Token.isUnresolved(vpc.vpcCidrBlock) && vpc instanceof ec2.Vpc) {
    const cidr = (vpc.node.defaultChild as ec2.CfnVPC).cidrBlock;
    if (typeof cidr === 'string' && !Token.isUnresolved(cidr)) {
      return cidr;
    }
  }
  return vpc.vpcCidrBlock;
}

function defaultSubnets(vpc: ec2.IVpc): ec2.SubnetSelection {
  return vpc.isolatedSubnets.length ? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } : { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
}
