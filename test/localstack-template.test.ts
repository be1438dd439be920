/**
 * The LocalStack lane's deployment step (test/localstack/support/
 * lane-template.ts), on small hand-written templates: it runs in the main
 * suite, with no LocalStack, so that what the lane changes in a template
 * is pinned even where LocalStack is not installed.
 */
import { BOOTSTRAP_CHECK, exampleOrigins, LEFT_OUT_RESOURCE_TYPES, prepareForLocalStack } from './localstack/support/lane-template';

const ENV = { stackName: 'lane-test', account: '123456789012', region: 'us-east-1' };

function template(extra: Record<string, any> = {}) {
  return {
    Parameters: { [BOOTSTRAP_CHECK.parameter]: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/hnb659fds/version' } },
    Rules: { [BOOTSTRAP_CHECK.rule]: { Assertions: [] } },
    Resources: {
      Method: {
        Type: 'AWS::ApiGateway::Method',
        Properties: { Integration: { Type: 'HTTP', Uri: 'https://api.shop.example/v1/prices/{sku}' } },
      },
      ...extra,
    },
  };
}

describe('prepareForLocalStack', () => {
  test('GIVEN a synthesized template WHEN prepared THEN the bootstrap check is gone and the upstream is on 127.0.0.1, nothing else changed', () => {
    // WHEN
    const { template: t, leftOut } = prepareForLocalStack(template({ Queue: { Type: 'AWS::SQS::Queue' } }), { ...ENV, upstreams: { 'https://api.shop.example': 'http://127.0.0.1:4000' } });

    // THEN
    expect(t.Parameters).toBeUndefined();
    expect(t.Rules).toBeUndefined();
    expect(t.Resources.Method.Properties.Integration.Uri).toBe('http://127.0.0.1:4000/v1/prices/{sku}');
    expect(t.Resources.Queue).toEqual({ Type: 'AWS::SQS::Queue' });
    expect(leftOut).toEqual([]);
  });

  test('GIVEN an upstream the lane has no loopback origin for WHEN prepared THEN it refuses, naming the URI', () => {
    expect(() => prepareForLocalStack(template(), { ...ENV, upstreams: {} })).toThrow(/not mapped to 127\.0\.0\.1: https:\/\/api\.shop\.example\/v1\/prices/);
  });

  test('GIVEN a DynamoDB table that a policy and a state machine name WHEN prepared THEN the table is left out, and its Ref, ARN and DependsOn give way to its stand-in name', () => {
    // GIVEN
    const t = template({
      Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
      Policy: { Type: 'AWS::IAM::Policy', Properties: { PolicyDocument: { Statement: [{ Resource: { 'Fn::GetAtt': ['Table', 'Arn'] } }] } } },
      Machine: { Type: 'AWS::StepFunctions::StateMachine', DependsOn: ['Policy', 'Table'], Properties: { DefinitionString: { 'Fn::Join': ['', ['{"TableName":"', { Ref: 'Table' }, '"}']] } } },
    });

    // WHEN
    const { template: prepared, leftOut } = prepareForLocalStack(t, { ...ENV, upstreams: { 'https://api.shop.example': 'http://127.0.0.1:4000' } });

    // THEN
    expect(prepared.Resources.Table).toBeUndefined();
    expect(leftOut).toEqual([{ logicalId: 'Table', type: 'AWS::DynamoDB::Table', reason: LEFT_OUT_RESOURCE_TYPES['AWS::DynamoDB::Table'], standInName: 'lane-test-Table' }]);
    expect(prepared.Resources.Policy.Properties.PolicyDocument.Statement[0].Resource).toBe('arn:aws:dynamodb:us-east-1:123456789012:table/lane-test-Table');
    expect(prepared.Resources.Machine.Properties.DefinitionString['Fn::Join'][1][1]).toBe('lane-test-Table');
    expect(prepared.Resources.Machine.DependsOn).toEqual(['Policy']);
  });

  test('GIVEN a left-out resource named by an attribute the lane has no stand-in for WHEN prepared THEN it refuses instead of guessing', () => {
    const t = template({
      Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
      Output: { Type: 'AWS::SSM::Parameter', Properties: { Value: { 'Fn::GetAtt': ['Table', 'WarmThroughput'] } } },
    });
    expect(() => prepareForLocalStack(t, { ...ENV, upstreams: { 'https://api.shop.example': 'http://127.0.0.1:4000' } })).toThrow(/no stand-in for AWS::DynamoDB::Table attribute WarmThroughput/);
  });

  test('GIVEN a template WHEN its .example origins are listed THEN each appears once', () => {
    expect(exampleOrigins(template({ Other: { Type: 'AWS::ApiGateway::Method', Properties: { Integration: { Uri: 'https://status.partner.example/api' } } } })))
      .toEqual(['https://api.shop.example', 'https://status.partner.example']);
  });
});
