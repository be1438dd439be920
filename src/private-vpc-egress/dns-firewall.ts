import { ArnFormat, Lazy, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as r53r from 'aws-cdk-lib/aws-route53resolver';
import { Construct } from 'constructs';
import { invalidProp } from '../common/errors';
import { stackLogEncryptionKey } from '../common/log-key';

/**
 * The DNS Firewall of a `PrivateVpcEgressPolicy`: which names the VPC may
 * resolve, and where its DNS queries are logged.
 *
 * Why: flow logs do not record DNS. "Flow logs do not capture all IP
 * traffic. The following types of traffic are not logged: Traffic generated
 * by instances when they contact the Amazon DNS server."
 * (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-limitations.html)
 * and DNS lookups can carry data out of a VPC with no other way out: "A
 * primary use of DNS Firewall protections is to help prevent DNS
 * exfiltration of your data." ... "you can deny access to all domains except
 * for the ones that you explicitly trust."
 * (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-dns-firewall.html)
 */
export interface DnsFirewallOptions {
  /**
   * Associate a DNS Firewall rule group with the VPC that allows only the
   * names of the AWS service endpoints in the VPC (and `allowedDomains`)
   * and answers NXDOMAIN to every other name. Turned off, the egress guard
   * reports `EgressFinding.UNFILTERED_DNS` unless it is accepted.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * More names the VPC may resolve, as DNS Firewall domain specifications:
   * letters, digits, hyphens and dots, optionally starting with `*` (for
   * example `*.internal.example.com`).
   *
   * @default - only the names of the execute-api endpoint and of every AWS
   * service endpoint (interface or gateway) of the VPC in this stack
   */
  readonly allowedDomains?: string[];

  /**
   * Log the VPC's DNS queries (Route 53 Resolver query logging) to an
   * encrypted log group. The log group's resource policy, which lets log
   * delivery of this account write to it, is a CloudWatch Logs resource
   * policy of the account and Region, of which an account has at most 10
   * per Region (PutResourcePolicy); each stack with query logging uses one.
   *
   * @default true
   */
  readonly queryLogging?: boolean;

  /**
   * Retention of the query log group.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly queryLogRetention?: logs.RetentionDays;

  /**
   * Protect the association of the rule group with the VPC from being
   * changed or removed. While it is on, CloudFormation can neither delete
   * the stack nor roll back a failed deploy of it: turn it off in a stack
   * update first.
   *
   * @default false
   */
  readonly mutationProtection?: boolean;

  /**
   * KMS key of the query log group.
   *
   * @default - the stack's shared log key (`InsideOutGatewayLogKey`)
   */
  readonly queryLogEncryptionKey?: kms.IKey;

  /**
   * What happens to the query log group when the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly queryLogRemovalPolicy?: RemovalPolicy;
}

// https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-dns-firewall-user-managed-domain-lists.html
// "It can optionally start with * (asterisk)." ... "it must only contain the
// following characters: A-Z, a-z, 0-9, - (hyphen)." ... "1-255 characters"
const DOMAIN_SPEC = /^\*?(\.?[A-Za-z0-9-]+)(\.[A-Za-z0-9-]+)*\.?$/;

/** Priorities: the allow rule is inspected before the block-all rule. */
const ALLOW_PRIORITY = 100;
const BLOCK_PRIORITY = 200;
// CfnFirewallRuleGroupAssociation: "The allowed values for Priority are
// between 100 and 9900 (excluding 100 and 9900)."
const ASSOCIATION_PRIORITY = 101;

/**
 * A Route 53 Resolver DNS Firewall for one VPC: the VPC may resolve the
 * names of the AWS service endpoints it uses and the domains you add, and
 * every other name is answered NXDOMAIN; with query logging, every query
 * is logged to an encrypted log group. `PrivateVpcEgressPolicy` creates one
 * by default (its `dnsFirewall` prop).
 *
 * @example
 * const egress = new PrivateVpcEgressPolicy(this, 'PrivateEgress', {
 *   dnsFirewall: { allowedDomains: ['*.corp.example.com'] },
 * });
 * // the firewall's rule group and query log, for alarms or your own rules
 * const queryLog = egress.dnsFirewall?.queryLogGroup;
 */
export class DnsFirewall extends Construct {
  /** The rule group: ALLOW for the allowed names, then BLOCK (NXDOMAIN) for every other. */
  public readonly ruleGroup: r53r.CfnFirewallRuleGroup;

  /** The association of the rule group with the VPC (mutation protection on). */
  public readonly association: r53r.CfnFirewallRuleGroupAssociation;

  /** The Resolver query log group, when query logging is on. */
  public readonly queryLogGroup?: logs.LogGroup;

  private readonly extra: string[];

  /**
   * @param scope the scope
   * @param id the construct id
   * @param vpc the VPC whose DNS queries are filtered
   * @param options the allowed domains and query logging
   */
  constructor(scope: Construct, id: string, private readonly vpc: ec2.IVpc, options: DnsFirewallOptions) {
    super(scope, id);
    this.extra = [...(options.allowedDomains ?? [])];
    for (const d of this.extra) {
      if (Token.isUnresolved(d) || d.length > 255 || !DOMAIN_SPEC.test(d) || d === '*') {
        throw invalidProp(scope, 'dnsFirewall.allowedDomains', d,
          'a domain specification of 1-255 letters, digits, hyphens and dots, optionally starting with * (such as *.corp.example.com), and not * alone');
      }
    }
    // filled in at synth, once every endpoint of the VPC exists
    const allowed = new r53r.CfnFirewallDomainList(this, 'Allowed', {
      domains: Lazy.list({ produce: () => this.renderDomains() }),
    });
    const everything = new r53r.CfnFirewallDomainList(this, 'Everything', { domains: ['*'] });
    this.ruleGroup = new r53r.CfnFirewallRuleGroup(this, 'RuleGroup', {
      firewallRules: [
        {
          action: 'ALLOW',
          firewallDomainListId: allowed.attrId,
          priority: ALLOW_PRIORITY,
          // an allowed AWS name answers with a CNAME chain (S3 does);
          // trusting the redirection lets the chain resolve
          // (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-dns-firewall-rule-settings.html,
          // "Domain redirection setting")
          firewallDomainRedirectionAction: 'TRUST_REDIRECTION_DOMAIN',
        },
        {
          // https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-dns-firewall-rule-actions.html
          action: 'BLOCK',
          blockResponse: 'NXDOMAIN',
          firewallDomainListId: everything.attrId,
          priority: BLOCK_PRIORITY,
        },
      ],
    });
    this.association = new r53r.CfnFirewallRuleGroupAssociation(this, 'Association', {
      firewallRuleGroupId: this.ruleGroup.attrId,
      vpcId: vpc.vpcId,
      priority: ASSOCIATION_PRIORITY,
      // "If enabled, this setting disallows modification or removal of the
      // association" (AWS::Route53Resolver::FirewallRuleGroupAssociation):
      // CloudFormation could then neither delete the stack nor roll back a
      // failed first deploy, so it is opt-in
      mutationProtection: options.mutationProtection ? 'ENABLED' : 'DISABLED',
    });

    if (options.queryLogging ?? true) {
      this.queryLogGroup = new logs.LogGroup(this, 'QueryLogs', {
        retention: options.queryLogRetention ?? logs.RetentionDays.ONE_YEAR,
        // the stack log key allows logs.<region>.amazonaws.com for every log
        // group of the account and Region (src/common/log-key.ts); the
        // group's key is used by CloudWatch Logs, not by the sender
        encryptionKey: options.queryLogEncryptionKey ?? stackLogEncryptionKey(this),
        removalPolicy: options.queryLogRemovalPolicy ?? RemovalPolicy.RETAIN,
      });
      // Resolver query logs are vended logs delivered by
      // delivery.logs.amazonaws.com; "The log group where the logs are being
      // sent must have a resource policy that includes certain permissions"
      // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-CWL.html).
      // Written here rather than left to the service, so the stack owns it
      // and it names only this log group.
      const stack = Stack.of(this);
      this.queryLogGroup.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'ResolverQueryLogDelivery',
        principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.queryLogGroup.logGroupArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'logs', resource: '*', arnFormat: ArnFormat.NO_RESOURCE_NAME }) },
        },
      }));
      // DestinationArn of a log group: "arn:aws:logs:us-west-1:123456789012:log-group:/mystack-testgroup-12ABC1AB12A1:*"
      // (https://docs.aws.amazon.com/Route53/latest/APIReference/API_route53resolver_CreateResolverQueryLogConfig.html)
      const config = new r53r.CfnResolverQueryLoggingConfig(this, 'QueryLogConfig', { destinationArn: this.queryLogGroup.logGroupArn });
      const policy = this.queryLogGroup.node.tryFindChild('Policy');
      if (policy) {
        config.node.addDependency(policy);
      }
      new r53r.CfnResolverQueryLoggingConfigAssociation(this, 'QueryLogAssociation', {
        resolverQueryLogConfigId: config.attrId,
        resourceId: vpc.vpcId,
      });
    }
  }

  /**
   * The names the VPC may resolve: execute-api, every AWS service endpoint
   * of the VPC found in the stack, and the user's domains.
   */
  private renderDomains(): string[] {
    const stack = Stack.of(this);
    const vpcId = JSON.stringify(stack.resolve(this.vpc.vpcId));
    const services = new Set<string>(['execute-api']);
    for (const c of stack.node.findAll()) {
      if (c instanceof ec2.CfnVPCEndpoint && JSON.stringify(stack.resolve(c.vpcId)) === vpcId) {
        const name = serviceSuffix(stack.resolve(c.serviceName));
        if (name) {
          services.add(name);
        }
      }
    }
    // an AWS service endpoint named com.amazonaws.<region>.<service> answers
    // at <service>.<region>.amazonaws.com and its subdomains (bucket, API id)
    const region = stack.region;
    const names = [...services].flatMap((s) => [
      `${s}.${region}.amazonaws.com`,
      `*.${s}.${region}.amazonaws.com`,
      // the endpoint's own names, vpce-<id>-<suffix>.<service>.<region>.vpce.amazonaws.com
      // (https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html, "DNS hostnames")
      `*.${s}.${region}.vpce.amazonaws.com`,
      // DynamoDB's account-based endpoints, which current SDKs use by default:
      // "https://<account-id>.ddb.<region>.amazonaws.com"
      // (https://docs.aws.amazon.com/sdkref/latest/guide/feature-account-endpoints.html)
      ...(s === 'dynamodb' ? [`*.ddb.${region}.amazonaws.com`] : []),
      // S3's global names, which some SDKs still use in us-east-1
      ...(s === 's3' ? ['s3.amazonaws.com', '*.s3.amazonaws.com'] : []),
    ]);
    return [...names, ...this.extra];
  }
}

/** The service part of an AWS service name, `s3` of `com.amazonaws.<region>.s3`. */
function serviceSuffix(name: unknown): string | undefined {
  let text: string | undefined;
  if (typeof name === 'string') {
    text = name;
  } else if ((name as any)?.['Fn::Join']) {
    const [delimiter, parts] = (name as any)['Fn::Join'];
    text = parts.map((p: any) => (typeof p === 'string' ? p : '<region>')).join(delimiter);
  }
  const m = text?.match(/^com\.amazonaws\.[^.]+\.(.+)$/);
  return m && !text!.startsWith('com.amazonaws.vpce.') ? m[1] : undefined;
}

