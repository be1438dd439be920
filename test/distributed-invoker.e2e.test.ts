/**
 * A ScheduledInvoker in the distributed layout, end to end on 127.0.0.1:
 * the synthesized template of an app that uses the library
 * (support/distributed-app.ts: HttpProxyApi + ScheduledInvoker, requests
 * to `https://feed.example.com`, mapped to a loopback stub) is deployed by
 * LocalDeployment from its cloud assembly (the request list asset is put
 * in the S3 peer as `cdk deploy` publishes it) and its schedule fired.
 * The parent's Distributed Map runs as the harness plays it (rules D1 to
 * D6, support/distributed-map.ts); every child execution runs the
 * library's per-request states, calling the route through the API Gateway
 * emulation, signed as the state machine's role, to the stub.
 *
 * The results are read as a user reads them: the run's output names the
 * manifest, the manifest names the result files, and each SUCCEEDED
 * record's Output is the child's `{ trigger, requestCount, requests }`
 * (support/run-results.ts).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { LocalAwsPeers } from './support/aws-peers';
import { DistributedApp, DistributedAppOptions, FEED_ORIGIN, feedPath, requestId, synthesizeDistributedApp } from './support/distributed-app';
import { LocalDeployment, TickResult } from './support/local-deployment';
import { readRunResults } from './support/run-results';
import { runDefinition } from './support/state-machine-harness';
import { TEST_ACCOUNT, TEST_REGION } from './support/test-stack';
import { RecordedRequest, StubAnswer, UpstreamStub } from './support/upstream-stub';

const upstream = new UpstreamStub();
const peers = new LocalAwsPeers();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'distributed-e2e-'));
const deployments: LocalDeployment[] = [];

beforeAll(async () => {
  await upstream.start();
  await peers.start();
});
afterAll(async () => {
  await Promise.all(deployments.map((d) => d.stop()));
  await peers.stop();
  await upstream.stop();
  fs.rmSync(work, { recursive: true, force: true });
});
beforeEach(() => {
  upstream.reset();
  upstream.rule = feed();
});

/** The feed's answer for `/v1/items/<n>`: its number and a price (10 unless `prices` says otherwise). */
function feed(prices: Record<number, number> = {}): (r: RecordedRequest) => StubAnswer {
  return (r) => {
    const n = Number(r.path.match(/^\/v1\/items\/(\d+)$/)?.[1]);
    return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item: n, price: prices[n] ?? 10 }) };
  };
}
/** The number of a feed path. */
const itemOf = (r: RecordedRequest) => Number(r.path.split('/').pop());

let deployed = 0;
/** Synthesizes the app and deploys its assembly on the shared peers, the feed mapped to the stub. */
async function deploy(options: DistributedAppOptions): Promise<{ app: DistributedApp; d: LocalDeployment }> {
  const name = `dist${++deployed}`;
  const app = synthesizeDistributedApp(path.join(work, name), options);
  const d = await LocalDeployment.deploy({
    template: app.template,
    assemblyDirectory: app.outdir,
    region: TEST_REGION,
    account: TEST_ACCOUNT,
    peers,
    name,
    upstreams: { [FEED_ORIGIN]: upstream.origin },
  });
  deployments.push(d);
  return { app, d };
}

const at = (hour: number) => new Date(Date.UTC(2026, 11, 1, hour, 0));

/** The run's results, read from the manifest the Map Run's record names. */
async function resultsOf(tick: TickResult) {
  const [mapRun] = tick.mapRuns!;
  const { bucket, manifestKey } = mapRun.resultWriter!;
  return { mapRun, ...await readRunResults(peers.s3, bucket, manifestKey) };
}

/**
 * `States.Hash(text, 'MD5')` as the harness's interpreter computes it. For
 * text of 56 bytes or more (an execution ARN) aws-local-stepfunctions 3.0.0
 * does not compute MD5 (docs/end-to-end.md, "Where the tools differ"), so
 * an archive key is checked against its own hash of the child's ARN.
 */
async function interpreterMd5(text: string): Promise<string> {
  const definition = { StartAt: 'Hash', States: { Hash: { Type: 'Pass', Parameters: { 'hash.$': "States.Hash($.text, 'MD5')" }, End: true } } };
  return (await runDefinition(definition, { text }, { tasks: {} })).output.hash;
}

/** Ids of the items a child execution's input (a results record's Input) held. */
const idsOfInput = (record: any): string[] => JSON.parse(record.Input).Items.map((i: any) => i.id);

/** How often each value occurs, for the values that occur more than once. */
function duplicates(values: string[]): Record<string, number> {
  const seen: Record<string, number> = {};
  values.forEach((v) => { seen[v] = (seen[v] ?? 0) + 1; });
  return Object.fromEntries(Object.entries(seen).filter(([, n]) => n > 1));
}

describe('ScheduledInvoker, distributed layout, end to end', () => {
  test('GIVEN 10,000 requests WHEN the schedule fires THEN every request id is in the results exactly once, the output names the results and counts them, and the feed saw 10,000 requests', async () => {
    // GIVEN 80 in flight: 2 child executions at a time, 40 requests each at a time
    const started = Date.now();
    const { app, d } = await deploy({ requests: 10_000, maxConcurrency: 80 });
    const { batchSize, resultsPrefix } = app.invoker;
    expect(app.invoker.layout).toBe('DISTRIBUTED');
    expect(app.invoker.timeBudget).toMatchObject({ batchConcurrency: 40, parallelBatches: 2, batchSize: 80 });

    // WHEN
    const tick = await d.tick(at(9));

    // THEN the run succeeded, and its output counts every request and names the results
    expect(tick.error).toBeUndefined();
    expect(tick.status).toBe('SUCCEEDED');
    const { mapRun, manifest, files, requests } = await resultsOf(tick);
    const batches = Math.ceil(10_000 / batchSize!);
    const bucket = d.physicalName(app.logicalIds.resultsBucket);
    const manifestKey = `${resultsPrefix}/${mapRun.mapRunId}/manifest.json`;
    expect(tick.output).toEqual({
      trigger: { scheduledTime: '2026-12-01T09:00:00Z', executionId: tick.executionName, scheduleArn: expect.stringMatching(/^arn:aws:scheduler:us-east-1:123456789012:schedule\/default\//) },
      requestCount: 10_000,
      counts: {
        items: expect.objectContaining({ Succeeded: 10_000, Failed: 0, TimedOut: 0, Aborted: 0, Pending: 0, Total: 10_000, ResultsWritten: 10_000 }),
        childExecutions: expect.objectContaining({ Succeeded: batches, Failed: 0, TimedOut: 0, Aborted: 0, Total: batches, ResultsWritten: batches }),
      },
      results: { mapRunArn: mapRun.mapRunArn, bucket, manifestKey },
    });
    expect(mapRun.maxChildrenInFlight).toBeLessThanOrEqual(2);

    // THEN the manifest lists one SUCCEEDED file, which holds every batch
    expect(manifest).toMatchObject({ DestinationBucket: bucket, MapRunArn: mapRun.mapRunArn, ResultFiles: { FAILED: [], PENDING: [] } });
    expect(manifest.ResultFiles.SUCCEEDED).toHaveLength(1);
    expect(files.SUCCEEDED).toHaveLength(batches);
    expect(files.SUCCEEDED.every((r) => r.Status === 'SUCCEEDED')).toBe(true);

    // THEN every request id is recorded exactly once, as SUCCEEDED with the feed's 200, with the run's trigger
    const ids = requests.map((r) => r.id);
    expect(duplicates(ids)).toEqual({});
    expect(new Set(ids)).toEqual(new Set(Array.from({ length: 10_000 }, (_, i) => requestId(i))));
    expect(new Set(requests.map((r) => `${r.target} ${r.outcome} ${r.statusCode}`))).toEqual(new Set(['items SUCCEEDED 200']));
    const childOutputs = files.SUCCEEDED.map((r) => JSON.parse(r.Output));
    expect(new Set(childOutputs.map((o) => JSON.stringify(o.trigger)))).toEqual(new Set([JSON.stringify(tick.output.trigger)]));
    // each child recorded the requests of its own batch
    for (const record of files.SUCCEEDED) {
      expect(JSON.parse(record.Output).requests.map((r: any) => r.id)).toEqual(idsOfInput(record));
    }

    // THEN the feed saw each request once: 10,000 requests, each path once, never more than 80 at a time
    expect(upstream.requests).toHaveLength(10_000);
    expect(duplicates(upstream.requests.map((r) => r.path))).toEqual({});
    expect(upstream.maxInFlight).toBeLessThanOrEqual(80);
    expect(d.accessLog).toHaveLength(10_000);
    console.log(`10,000 requests: deploy and tick in ${Date.now() - started} ms (tick ${tick.durationMs} ms, ${batches} child executions)`);
  }, 180_000);

  test('GIVEN a batch whose child execution fails WHEN the schedule fires THEN the other batches are all in the results, the failed one is in FAILED, and the run fails so its alarm fires', async () => {
    // GIVEN the app's own sink, which reads each answer's price without
    // checking for it, and a feed that answers item 57 without a price:
    // the path selects nothing in that item's child execution, a
    // States.Runtime error no Catch takes, so that child fails
    const { app, d } = await deploy({ requests: 200, sink: 'price' });
    const prices = feed();
    upstream.rule = (r) => (itemOf(r) === 57 ? { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item: 57 }) } : prices(r));
    const batchSize = app.invoker.batchSize!;
    const batches = Math.ceil(200 / batchSize);
    expect(batches).toBeGreaterThan(2);

    // WHEN
    const tick = await d.tick(at(10));

    // THEN the run ends in the Fail state, naming the counts and where the results are
    expect(tick.status).toBe('FAILED');
    expect(tick.error?.cause?.name ?? tick.error?.name).toBe('ScheduledInvoker.RequestsNotFinished');
    const { mapRun, files, requests, manifest } = await resultsOf(tick);
    const failedBatch = Math.floor(57 / batchSize);
    const failedIds = Array.from({ length: batchSize }, (_, i) => requestId(failedBatch * batchSize + i));
    const cause = tick.error?.cause?.message ?? tick.error?.message;
    expect(cause).toBe(`Map Run items: ${batchSize} failed, 0 timed out, 0 aborted of 200; child executions: 1 failed, 0 timed out, 0 aborted. `
      + `Results: s3://${d.physicalName(app.logicalIds.resultsBucket)}/${app.invoker.resultsPrefix}/${mapRun.mapRunId}/manifest.json`);

    // THEN every batch ran: the failed one is in FAILED with its items and its error
    expect(manifest.ResultFiles.FAILED).toHaveLength(1);
    expect(manifest.ResultFiles.PENDING).toEqual([]);
    expect(files.FAILED).toHaveLength(1);
    expect(files.FAILED[0]).toMatchObject({ Status: 'FAILED', Error: 'States.Runtime' });
    expect(idsOfInput(files.FAILED[0])).toEqual(failedIds);
    // and every other request is in a SUCCEEDED batch, once, with its price
    expect(files.SUCCEEDED).toHaveLength(batches - 1);
    const expected = Array.from({ length: 200 }, (_, i) => requestId(i)).filter((id) => !failedIds.includes(id));
    expect(requests.map((r) => r.id).sort()).toEqual(expected.sort());
    expect(new Set(requests.map((r) => `${r.outcome} ${r.statusCode} ${JSON.stringify(r.sink)}`))).toEqual(new Set(['SUCCEEDED 200 {"price":10}']));

    // THEN the invoker's failed-executions alarm fires
    expect((await d.alarms())[app.logicalIds.executionsFailedAlarm!]).toBe('ALARM');
  }, 60_000);

  test('GIVEN the feed answers 429 once for one request WHEN the schedule fires THEN that request is retried within its child execution and succeeds', async () => {
    // GIVEN
    const { app, d } = await deploy({ requests: 50 });
    const prices = feed();
    let throttled = 0;
    upstream.rule = (r) => (itemOf(r) === 33 && throttled++ === 0
      ? { status: 429, headers: { 'content-type': 'application/json', 'Retry-After': '1' }, body: '{"error":"slow down"}' }
      : prices(r));

    // WHEN
    const tick = await d.tick(at(11));

    // THEN the run succeeded and the request's record is SUCCEEDED with the 200
    expect(tick.status).toBe('SUCCEEDED');
    const { mapRun, files, requests } = await resultsOf(tick);
    expect(requests.filter((r) => r.id === requestId(33))).toEqual([expect.objectContaining({ outcome: 'SUCCEEDED', statusCode: 200 })]);
    expect(requests).toHaveLength(50);
    // the feed was called twice for it, through the API: a 429, then a 200
    expect(upstream.requests.filter((r) => r.path === feedPath(33))).toHaveLength(2);
    expect(d.accessLog.filter((l) => l.path.endsWith('/items/33')).map((l) => l.status)).toEqual(['429', '200']);
    // no batch was run twice: the retry was the Invoke state's, inside the child that holds the request
    const batches = Math.ceil(50 / app.invoker.batchSize!);
    expect(mapRun.children).toHaveLength(batches);
    expect(tick.output.counts.childExecutions).toMatchObject({ Succeeded: batches, Total: batches });
    const holders = files.SUCCEEDED.filter((r) => idsOfInput(r).includes(requestId(33)));
    expect(holders).toHaveLength(1);
    expect(JSON.parse(holders[0].Output).requests.find((r: any) => r.id === requestId(33))).toMatchObject({ outcome: 'SUCCEEDED', statusCode: 200 });
  }, 60_000);

  test('GIVEN a ResponseArchive WHEN the schedule fires THEN every response is archived once under the key its record names, in one folder of the run (not of each batch), with the run\'s trigger', async () => {
    // GIVEN
    const { app, d } = await deploy({ requests: 60, sink: 'archive' });
    const bucket = d.physicalName(app.logicalIds.archiveBucket!);
    const before = new Date().toISOString().slice(0, 10);

    // WHEN
    const tick = await d.tick(at(12));
    const after = new Date().toISOString().slice(0, 10);

    // THEN
    expect(tick.status).toBe('SUCCEEDED');
    const { mapRun, files, requests } = await resultsOf(tick);
    expect(mapRun.children.length).toBeGreaterThan(1);
    expect(requests.map((r) => r.outcome)).toEqual(Array(60).fill('SUCCEEDED'));
    const objects = await peers.objects(bucket, 'responses/');
    const keys = requests.map((r) => r.sink.key);
    expect(duplicates(keys)).toEqual({});
    expect(objects.map((o) => o.key).sort()).toEqual([...keys].sort());
    // every record names the run: the parent execution the schedule started, whichever child archived it
    const runArns = new Set(objects.map((o) => o.body.executionArn));
    expect(runArns.size).toBe(1);
    const runArn = [...runArns][0];
    expect(runArn).toMatch(new RegExp(`:execution:[^:]+:${tick.executionName}$`));
    expect(mapRun.children.map((c) => c.executionArn)).not.toContain(runArn);
    const hash = await interpreterMd5(runArn);
    // so each key holds the run's name and the hash of its ARN, and the request's position in the whole list
    for (const record of files.SUCCEEDED) {
      idsOfInput(record).forEach((id) => {
        const index = Number(id.slice('item-'.length));
        const key = requests.find((r) => r.id === id).sink.key;
        expect(key).toMatch(new RegExp(`^responses/target=items/date=(${before}|${after})/${tick.executionName}-${hash}/${index}-${id}\\.json$`));
        const stored = objects.find((o) => o.key === key)!.body;
        expect(stored).toMatchObject({
          target: 'items',
          request: { id, method: 'GET', path: `/items/${id.slice('item-'.length)}` },
          statusCode: 200,
          body: { item: Number(id.slice('item-'.length)), price: 10 },
          execution: tick.executionName,
          executionArn: runArn,
          trigger: tick.output.trigger,
        });
      });
    }
  }, 60_000);

  test('GIVEN a ResponseArchive with change detection WHEN the schedule fires twice and one price changed THEN the first run announces every response, the second only the change', async () => {
    // GIVEN
    const { app, d } = await deploy({ requests: 30, sink: 'archive-with-changes' });
    const announced = d.topics[app.logicalIds.archiveTopic!];

    // WHEN
    const first = await d.tick(at(13));
    upstream.rule = feed({ 7: 12 });
    const second = await d.tick(at(14));

    // THEN
    expect([first.status, second.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const one = await resultsOf(first);
    const two = await resultsOf(second);
    expect(one.requests.filter((r) => r.sink.changed).map((r) => r.id).sort()).toEqual(Array.from({ length: 30 }, (_, i) => requestId(i)).sort());
    expect(two.requests.filter((r) => r.sink.changed).map((r) => r.id)).toEqual([requestId(7)]);
    const messages = await announced();
    expect(messages).toHaveLength(31);
    expect(messages[30]).toMatchObject({ request: { id: requestId(7) } });
    // every response of both runs is stored, under keys of its own
    const keys = [...one.requests, ...two.requests].map((r) => r.sink.key);
    expect(duplicates(keys)).toEqual({});
    expect(await peers.objects(d.physicalName(app.logicalIds.archiveBucket!), 'responses/target=')).toHaveLength(60);
    // one hash per request in the table
    const table = await peers.dynamodb.send(new ScanCommand({ TableName: d.physicalName(app.logicalIds.archiveTable!) }));
    expect(table.Items).toHaveLength(30);
  }, 60_000);
});
