// The library's log groups share one customer managed key per stack unless
// given one: a key costs $1 a month whatever it encrypts (docs/benchmarks.md).
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as kms from 'aws-cdk-lib/aws-kms';
import { HttpProxyApi, InvokerSchedule, PrivateVpcEgressPolicy, ScheduledInvoker } from '../src';
import { testStack } from './support/test-stack';

function everyConstruct(options: { apiKey?: kms.IKey } = {}) {
  const stack = testStack();
  const api = new HttpProxyApi(stack, 'Egress', { logEncryptionKey: options.apiKey });
  const status = api.addTarget('status', { url: 'https://status.partner.example/api' });
  new ScheduledInvoker(stack, 'Poller', { schedule: InvokerSchedule.rate(Duration.hours(1)), requests: [{ target: status }] });
  const egress = new PrivateVpcEgressPolicy(stack, 'PrivateEgress');
  new HttpProxyApi(stack, 'InVpcApi', { endpointType: apigw.EndpointType.PRIVATE, privateAccess: egress })
    .addTarget('status', { url: 'https://status.partner.example/api' });
  return { stack, api, template: Template.fromStack(stack) };
}

describe('the stack log key', () => {
  test('GIVEN two APIs, an invoker and an isolated VPC with no key WHEN synthesized THEN one rotating key encrypts all their log groups', () => {
    const { template } = everyConstruct();

    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const groups = Object.values<any>(template.findResources('AWS::Logs::LogGroup'));
    // access + execution logs of each API, the state machine's logs, the flow logs, the DNS query logs
    expect(groups).toHaveLength(7);
    for (const group of groups) {
      expect(group.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^InsideOutGatewayLogKey[0-9A-F]{8}$/), 'Arn'] });
    }
  });

  test('GIVEN a key for one construct WHEN synthesized THEN that construct uses it and the others still share the stack key', () => {
    const keyArn = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const { api, template } = everyConstruct({ apiKey: kms.Key.fromKeyArn(testStack('Other'), 'Imported', keyArn) });

    expect(api.logEncryptionKey.keyArn).toContain('1234abcd');
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { KmsKeyId: keyArn }, 2);
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('InsideOutGatewayLogKey'), 'Arn'] } }, 5);
  });

  test('GIVEN the shared key WHEN its policy is read THEN CloudWatch Logs of this account and region may use it for log groups only', () => {
    const { template } = everyConstruct();

    const key = Object.values<any>(template.findResources('AWS::KMS::Key'))[0];
    const logs = key.Properties.KeyPolicy.Statement.find((st: any) => st.Sid === 'AllowCloudWatchLogsOfThisAccount');
    expect(JSON.stringify(logs.Principal)).toEqual(JSON.stringify({ Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } }));
    expect(Object.keys(logs.Condition)).toEqual(['ArnLike']);
    expect(JSON.stringify(logs.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn'])).toMatch(/:log-group:\*"\]\]\}$/);
  });
});
