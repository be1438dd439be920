/**
 * A whole template with a Distributed Map, deployed on 127.0.0.1
 * (support/local-deployment.ts): the request list is a CDK file asset, put
 * in the S3 peer from the cloud assembly as `cdk deploy` would publish it;
 * an EventBridge Scheduler schedule starts a STANDARD state machine whose
 * Distributed Map reads the list, runs EXPRESS children in batches, each
 * recording its requests in DynamoDB, writes the results to a bucket of the
 * stack, and reads the Map Run's counts with describeMapRun.
 * The stack is environment-agnostic, so the assets bucket is
 * `Fn::Sub: cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as assets from 'aws-cdk-lib/aws-s3-assets';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { fileAssetsOf } from './support/assembly';
import { LocalAwsPeers } from './support/aws-peers';
import { LocalDeployment } from './support/local-deployment';
import { TEST_ACCOUNT, TEST_REGION } from './support/test-stack';

const workDirs: string[] = [];
const REQUESTS = Array.from({ length: 2000 }, (_, i) => ({ id: `req-${i}`, path: `/v1/items/${i}` }));

/** Synthesizes the stack into a fresh cloud assembly; its directory, template and logical ids. */
function synthesize() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'distributed-map-'));
  workDirs.push(work);
  fs.writeFileSync(path.join(work, 'requests.json'), JSON.stringify(REQUESTS));
  const outdir = path.join(work, 'cdk.out');
  const app = new App({ outdir, context: { '@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2': true } });
  const stack = new Stack(app, 'DistributedFanOut');
  const list = new assets.Asset(stack, 'RequestList', { path: path.join(work, 'requests.json') });
  const results = new s3.Bucket(stack, 'Results');
  const calls = new dynamodb.Table(stack, 'Calls', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });

  const record = new tasks.DynamoUpdateItem(stack, 'Record the request', {
    table: calls,
    key: { pk: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.request.id')) },
    updateExpression: 'ADD calls :one SET tick = :tick',
    expressionAttributeValues: {
      ':one': tasks.DynamoAttributeValue.fromNumber(1),
      ':tick': tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.tick')),
    },
  });
  const eachRequest = new sfn.Map(stack, 'Each request', {
    itemsPath: '$.Items',
    itemSelector: { 'request.$': '$$.Map.Item.Value', 'tick.$': '$.BatchInput.tick' },
  }).itemProcessor(record);
  const fanOut = new sfn.DistributedMap(stack, 'Fan out', {
    itemReader: new sfn.S3JsonItemReader({ bucket: s3.Bucket.fromBucketName(stack, 'AssetBucket', list.s3BucketName), key: list.s3ObjectKey }),
    itemBatcher: new sfn.ItemBatcher({ maxItemsPerBatch: 50, batchInput: { 'tick.$': '$.tick' } }),
    resultWriterV2: new sfn.ResultWriterV2({ bucket: results, prefix: 'fan-out' }),
    toleratedFailurePercentage: 100,
    maxConcurrency: 5,
    mapExecutionType: sfn.StateMachineType.EXPRESS,
    resultPath: '$.map',
  }).itemProcessor(eachRequest);
  const describe = new tasks.CallAwsService(stack, 'Count the requests', {
    service: 'sfn',
    action: 'describeMapRun',
    parameters: { MapRunArn: sfn.JsonPath.stringAt('$.map.MapRunArn') },
    iamResources: ['*'],
    resultSelector: { 'Succeeded.$': '$.ItemCounts.Succeeded', 'Total.$': '$.ItemCounts.Total' },
    resultPath: '$.counts',
  });
  const machine = new sfn.StateMachine(stack, 'FanOutMachine', { definitionBody: sfn.DefinitionBody.fromChainable(fanOut.next(describe)) });
  new scheduler.Schedule(stack, 'Every15Minutes', {
    schedule: scheduler.ScheduleExpression.rate(Duration.minutes(15)),
    target: new targets.StepFunctionsStartExecution(machine, {
      input: scheduler.ScheduleTargetInput.fromObject({ tick: scheduler.ContextAttribute.scheduledTime }),
    }),
  });

  app.synth();
  const template = JSON.parse(fs.readFileSync(path.join(outdir, `${stack.stackName}.template.json`), 'utf8'));
  const id = (c: any) => stack.getLogicalId(c.node.defaultChild);
  return { outdir, template, ids: { results: id(results), calls: id(calls) } };
}

const peers = new LocalAwsPeers();
let deployment: LocalDeployment | undefined;
let second: LocalDeployment | undefined;
beforeAll(() => peers.start());
afterAll(async () => {
  await deployment?.stop();
  await second?.stop();
  await peers.stop();
  workDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

describe('LocalDeployment runs a Distributed Map whose items are a CDK file asset', () => {
  test('GIVEN the synthesized assembly WHEN deployed and the schedule fires THEN every request of the asset is recorded once, the results are in the stack\'s bucket and describeMapRun counts 2,000', async () => {
    // GIVEN
    const { outdir, template, ids } = synthesize();
    const definitionText = JSON.stringify(Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine').Properties.DefinitionString);
    expect(definitionText).toContain('cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}');
    deployment = await LocalDeployment.deploy({ template, assemblyDirectory: outdir, region: TEST_REGION, account: TEST_ACCOUNT, upstreams: {}, peers, name: 'dm1' });

    // WHEN
    const tick = await deployment.tick(new Date(Date.UTC(2026, 11, 1, 9, 0)));

    // THEN the execution succeeded and read the counts of its Map Run
    expect(tick.error).toBeUndefined();
    expect(tick.status).toBe('SUCCEEDED');
    expect(tick.output.counts).toEqual({ Succeeded: 2000, Total: 2000 });
    const [mapRun] = tick.mapRuns!;
    expect(mapRun.children).toHaveLength(40);
    expect(mapRun.maxChildrenInFlight).toBeLessThanOrEqual(5);
    expect(mapRun.mapRunArn).toMatch(/^arn:aws:states:us-east-1:123456789012:mapRun:dm1-fanoutmachine[0-9a-z]+\//);

    // THEN the asset was published where the template reads it
    const asset = fileAssetsOf(outdir).find((a) => path.basename(a.path).startsWith('asset.'))!;
    expect(asset.bucketName).toBe('cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}');
    const published = await peers.s3.send(new GetObjectCommand({ Bucket: `cdk-hnb659fds-assets-${TEST_ACCOUNT}-${TEST_REGION}`, Key: asset.objectKey }));
    expect(JSON.parse(await published.Body!.transformToString())).toEqual(REQUESTS);

    // THEN every request was recorded exactly once, with the tick of its batch
    const scanned = await peers.dynamodb.send(new ScanCommand({ TableName: deployment.physicalName(ids.calls) }));
    expect(scanned.Items).toHaveLength(2000);
    expect(new Set(scanned.Items!.map((i) => i.calls.N))).toEqual(new Set(['1']));
    expect(new Set(scanned.Items!.map((i) => i.tick.S))).toEqual(new Set(['2026-12-01T09:00:00Z']));

    // THEN the results are in the stack's bucket under the prefix
    const written = await peers.objects(deployment.physicalName(ids.results), `fan-out/${mapRun.mapRunId}/`);
    const dir = `fan-out/${mapRun.mapRunId}/`;
    expect(written.map((o) => o.key).sort()).toEqual([`${dir}SUCCEEDED_0.json`, `${dir}manifest.json`]);
    expect(written.find((o) => o.key === `${dir}SUCCEEDED_0.json`)!.body).toHaveLength(40);
    expect(written.find((o) => o.key === `${dir}manifest.json`)!.body).toMatchObject({ MapRunArn: mapRun.mapRunArn, DestinationBucket: deployment.physicalName(ids.results) });
  }, 60_000);

  test('GIVEN a second deployment of an assembly on the same peers WHEN deployed THEN it shares the bootstrap bucket and its execution finds the list', async () => {
    const { outdir, template } = synthesize();
    second = await LocalDeployment.deploy({ template, assemblyDirectory: outdir, region: TEST_REGION, account: TEST_ACCOUNT, upstreams: {}, peers, name: 'dm2' });
    const tick = await second.tick(new Date(Date.UTC(2026, 11, 1, 9, 15)));
    expect(tick.output?.counts).toEqual({ Succeeded: 2000, Total: 2000 });
  }, 60_000);
});
