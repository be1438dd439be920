// The public variant in an account: an API with one real target (AWS's
// checkip service), an invoker and an archive with change detection. The
// assertions start an execution and expect it to succeed with the request
// answered, and the response archived.
//
// Run against an account: npx integ-runner --directory test/integ --update-on-failed
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { HttpProxyApi, InvokerSchedule, ResponseArchive, ScheduledInvoker } from '../../src';

// no creation stack traces in the snapshots' metadata: they would hold this machine's paths
const app = new App({ stackTraces: false, context: { 'aws:cdk:disable-creation-stack-traces': true } });
const stack = new Stack(app, 'InsideOutIntegPoller');
const api = new HttpProxyApi(stack, 'Egress', { logRemovalPolicy: RemovalPolicy.DESTROY });
const checkip = api.addTarget('checkip', { url: 'https://checkip.amazonaws.com/' });
// kept after the test (the default): CloudFormation deletes only empty buckets
const archive = new ResponseArchive(stack, 'Archive', { changeDetection: {} });
const poller = new ScheduledInvoker(stack, 'Poller', {
  schedule: InvokerSchedule.rate(Duration.days(1)),
  requests: [{ target: checkip, id: 'my-ip' }],
  sink: archive,
  logRemovalPolicy: RemovalPolicy.DESTROY,
});

const integ = new IntegTest(app, 'Poller', { testCases: [stack], diffAssets: false });
const run = integ.assertions.awsApiCall('SFN', 'startSyncExecution', {
  stateMachineArn: poller.stateMachine.stateMachineArn,
  input: JSON.stringify({ scheduledTime: 'integ-test' }),
});
run.expect(ExpectedResult.objectLike({
  status: 'SUCCEEDED',
  output: Match.serializedJson(Match.objectLike({ requests: [Match.objectLike({ id: 'my-ip', statusCode: 200, outcome: 'SUCCEEDED' })] })),
}));
run.next(integ.assertions.awsApiCall('S3', 'listObjectsV2', { Bucket: archive.bucket.bucketName, Prefix: 'responses/target=checkip/' })
  .expect(ExpectedResult.objectLike({ KeyCount: 1 })));
