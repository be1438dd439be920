// Fan-out in an account: 20 requests to one real target under one
// schedule, 10 at a time. The assertion starts an execution and expects all
// 20 answered.
//
// Run against an account: npx integ-runner --directory test/integ --update-on-failed
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { HttpProxyApi, InvokerSchedule, ScheduledInvoker } from '../../src';

const REQUESTS = 20;
// no creation stack traces in the snapshots' metadata: they would hold this machine's paths
const app = new App({ stackTraces: false, context: { 'aws:cdk:disable-creation-stack-traces': true } });
const stack = new Stack(app, 'InsideOutIntegFanOut');
const api = new HttpProxyApi(stack, 'Egress', { logRemovalPolicy: RemovalPolicy.DESTROY });
const checkip = api.addTarget('checkip', { url: 'https://checkip.amazonaws.com/' });
const fanOut = new ScheduledInvoker(stack, 'FanOut', {
  schedule: InvokerSchedule.rate(Duration.days(1)),
  requests: Array.from({ length: REQUESTS }, (_, i) => ({ target: checkip, id: `call-${i}` })),
  maxConcurrency: 10,
  requestTimeout: Duration.seconds(10),
  logRemovalPolicy: RemovalPolicy.DESTROY,
});

const integ = new IntegTest(app, 'FanOut', { testCases: [stack], diffAssets: false });
integ.assertions.awsApiCall('SFN', 'startSyncExecution', {
  stateMachineArn: fanOut.stateMachine.stateMachineArn,
  input: JSON.stringify({ scheduledTime: 'integ-test' }),
}).expect(ExpectedResult.objectLike({
  status: 'SUCCEEDED',
  output: Match.serializedJson(Match.objectLike({ requestCount: REQUESTS })),
}));
