import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as r53r from 'aws-cdk-lib/aws-route53resolver';
import { EgressFinding, HttpProxyApi, PrivateVpcEgressPolicy, PrivateVpcEgressPolicyProps } from '../src';
import { testStack, validationErrors } from './support/test-stack';

function setup(props: PrivateVpcEgressPolicyProps = {}, before?: (stack: Stack) => void) {
  const stack = testStack();
  before?.(stack);
  const egress = new PrivateVpcEgressPolicy(stack, 'PrivateEgress', props);
  const api = new HttpProxyApi(stack, 'PrivateApi', { endpointType: apigw.EndpointType.PRIVATE, privateAccess: egress });
  api.addTarget('status', { url: 'https://status.partner.example/api/{item}' });
  return { stack, egress, get template() { return Template.fromStack(stack); } };
}

const allowList = (template: Template) => Object.values<any>(template.findResources('AWS::Route53Resolver::FirewallDomainList'))
  .map((r) => r.Properties.Domains).find((d: string[]) => !d.includes('*')) as string[];

describe('the DNS Firewall of the private variant', () => {
  test('GIVEN defaults WHEN synthesized THEN a rule group allows execute-api names, then blocks every other name with NXDOMAIN, associated with the VPC', () => {
    const { template } = setup();
    expect(allowList(template)).toEqual(['execute-api.us-east-1.amazonaws.com', '*.execute-api.us-east-1.amazonaws.com', '*.execute-api.us-east-1.vpce.amazonaws.com']);
    template.hasResourceProperties('AWS::Route53Resolver::FirewallDomainList', { Domains: ['*'] });
    template.hasResourceProperties('AWS::Route53Resolver::FirewallRuleGroup', {
      FirewallRules: [
        Match.objectLike({ Action: 'ALLOW', Priority: 100, FirewallDomainRedirectionAction: 'TRUST_REDIRECTION_DOMAIN' }),
        Match.objectLike({ Action: 'BLOCK', BlockResponse: 'NXDOMAIN', Priority: 200 }),
      ],
    });
    template.hasResourceProperties('AWS::Route53Resolver::FirewallRuleGroupAssociation', {
      // protection would keep CloudFormation from deleting the stack or rolling back a failed deploy
      VpcId: { Ref: Match.stringLikeRegexp('PrivateEgressVpc') }, Priority: 101, MutationProtection: 'DISABLED',
    });
  });

  test('GIVEN mutationProtection WHEN synthesized THEN the association is protected', () => {
    const { template } = setup({ dnsFirewall: { mutationProtection: true } });
    template.hasResourceProperties('AWS::Route53Resolver::FirewallRuleGroupAssociation', { MutationProtection: 'ENABLED' });
  });

  test('GIVEN gateway endpoints and user domains WHEN synthesized THEN their names are allowed too', () => {
    const { template } = setup({ isolatedVpc: { s3GatewayEndpoint: true, dynamoDbGatewayEndpoint: true }, dnsFirewall: { allowedDomains: ['*.corp.example.com'] } });
    expect(allowList(template)).toEqual(expect.arrayContaining([
      '*.s3.us-east-1.amazonaws.com', 's3.us-east-1.amazonaws.com', 'dynamodb.us-east-1.amazonaws.com', '*.corp.example.com',
      // DynamoDB's account-based endpoints, S3's global names in us-east-1, each endpoint's own names
      '*.ddb.us-east-1.amazonaws.com', 's3.amazonaws.com', '*.s3.amazonaws.com', '*.s3.us-east-1.vpce.amazonaws.com',
    ]));
  });

  test('GIVEN defaults WHEN synthesized THEN DNS queries are logged to a KMS-encrypted log group whose resource policy lets only log delivery of this account write', () => {
    const { template } = setup();
    template.hasResourceProperties('AWS::Route53Resolver::ResolverQueryLoggingConfig', {
      DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DnsFirewallQueryLogs'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Route53Resolver::ResolverQueryLoggingConfigAssociation', { ResourceId: { Ref: Match.stringLikeRegexp('PrivateEgressVpc') } });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('InsideOutGatewayLogKey'), 'Arn'] }, RetentionInDays: 365 });
    const policy = Object.values<any>(template.findResources('AWS::Logs::ResourcePolicy'))[0];
    const doc = JSON.parse(JSON.stringify(policy.Properties.PolicyDocument));
    expect(JSON.stringify(doc)).toMatch(/delivery\.logs\.amazonaws\.com/);
    expect(JSON.stringify(doc)).toMatch(/aws:SourceAccount/);
  });

  test('GIVEN the firewall turned off WHEN synthesized THEN the guard reports UNFILTERED_DNS, and accepting it synthesizes', () => {
    const off = setup({ dnsFirewall: { enabled: false } });
    expect(validationErrors(off.stack).join('\n')).toMatch(/UNFILTERED_DNS: .* acceptedFindings: \[EgressFinding\.UNFILTERED_DNS\]/);
    const accepted = setup({ dnsFirewall: { enabled: false }, acceptedFindings: [EgressFinding.UNFILTERED_DNS] });
    expect(validationErrors(accepted.stack)).toEqual([]);
  });

  test('GIVEN the firewall off and a rule group of the user that allows everything WHEN synthesized THEN the guard still reports UNFILTERED_DNS', () => {
    const { stack, egress } = setup({ dnsFirewall: { enabled: false } });
    const list = new r53r.CfnFirewallDomainList(stack, 'Any', { domains: ['*'] });
    const group = new r53r.CfnFirewallRuleGroup(stack, 'Group', { firewallRules: [{ action: 'ALLOW', firewallDomainListId: list.attrId, priority: 1 }] });
    new r53r.CfnFirewallRuleGroupAssociation(stack, 'Assoc', { firewallRuleGroupId: group.attrId, vpcId: egress.vpc.vpcId, priority: 200 });
    expect(validationErrors(stack).join('\n')).toMatch(/UNFILTERED_DNS/);
  });

  test.each([
    ['a URL', 'https://x.example.com'],
    ['a wildcard inside', 'a.*.example.com'],
    ['everything', '*'],
    ['an underscore', 'under_score.example.com'],
  ])('GIVEN an allowed domain that is %s WHEN constructed THEN synth fails naming prop, value and what is accepted', (_what, domain) => {
    expect(() => setup({ dnsFirewall: { allowedDomains: [domain] } })).toThrow(`invalid dnsFirewall.allowedDomains: got ${JSON.stringify(domain)}; accepted: a domain specification`);
  });

  test('GIVEN the firewall off with settings WHEN constructed THEN synth fails', () => {
    expect(() => setup({ dnsFirewall: { enabled: false, allowedDomains: ['a.example.com'] } })).toThrow(/invalid dnsFirewall: .*accepted: enabled: false alone/);
  });
});
