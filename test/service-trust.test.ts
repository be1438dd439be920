/**
 * Confused-deputy conditions on the service trusts and key statements the
 * library creates: each service may use them only for resources of this
 * account (and region, where the source ARN says so).
 */
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { HttpProxyApi, InvokerSchedule, PrivateVpcEgressPolicy, ScheduledInvoker } from '../src';
import { TEST_ACCOUNT, testStack } from './support/test-stack';

const arnOf = (service: string, rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${service}:us-east-1:${TEST_ACCOUNT}:${rest}`]] });

function trustOf(template: Template, service: string): any[] {
  return Object.values<any>(template.findResources('AWS::IAM::Role'))
    .flatMap((r) => r.Properties.AssumeRolePolicyDocument.Statement)
    .filter((s) => s.Principal?.Service === service);
}

test('GIVEN a ScheduledInvoker WHEN synthesized THEN Step Functions may assume its role only for state machines of this account and region', () => {
  // GIVEN
  const stack = testStack();
  const api = new HttpProxyApi(stack, 'Egress');
  const status = api.addTarget('status', { url: 'https://status.example.com/api' });
  new ScheduledInvoker(stack, 'Poller', { schedule: InvokerSchedule.rate(Duration.minutes(15)), requests: [{ target: status }] });
  // WHEN
  const trust = trustOf(Template.fromStack(stack), 'states.amazonaws.com');
  // THEN
  expect(trust).toEqual([{
    Action: 'sts:AssumeRole',
    Effect: 'Allow',
    Principal: { Service: 'states.amazonaws.com' },
    Condition: {
      StringEquals: { 'aws:SourceAccount': TEST_ACCOUNT },
      ArnLike: { 'aws:SourceArn': arnOf('states', 'stateMachine:*') },
    },
  }]);
});

test('GIVEN the isolated VPC of a PrivateVpcEgressPolicy WHEN synthesized THEN VPC Flow Logs may assume its role only for flow logs of this account and region', () => {
  // GIVEN
  const stack = testStack();
  const egress = new PrivateVpcEgressPolicy(stack, 'PrivateEgress');
  new HttpProxyApi(stack, 'PrivateApi', { endpointType: apigw.EndpointType.PRIVATE, privateAccess: egress })
    .addTarget('status', { url: 'https://status.example.com/api' });
  // WHEN
  const trust = trustOf(Template.fromStack(stack), 'vpc-flow-logs.amazonaws.com');
  // THEN
  expect(trust).toEqual([{
    Action: 'sts:AssumeRole',
    Effect: 'Allow',
    Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
    Condition: {
      StringEquals: { 'aws:SourceAccount': TEST_ACCOUNT },
      ArnLike: { 'aws:SourceArn': arnOf('ec2', 'vpc-flow-log/*') },
    },
  }]);
});

test('GIVEN the stack log key WHEN synthesized THEN CloudWatch Logs may use it only for log groups of this account and region', () => {
  // GIVEN
  const stack = testStack();
  new HttpProxyApi(stack, 'Egress').addTarget('status', { url: 'https://status.example.com/api' });
  // THEN
  Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
    KeyPolicy: {
      Statement: Match.arrayWith([Match.objectLike({
        Sid: 'AllowCloudWatchLogsOfThisAccount',
        Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': arnOf('logs', 'log-group:*') } },
      })]),
    },
  });
});
