/**
 * A ScheduledInvoker with a ResponseArchive, synthesized, and its definition
 * executed in aws-local-stepfunctions against local peers on 127.0.0.1:
 * the template-driven API Gateway emulation and a stub upstream, fauxqs for
 * S3 and SNS, dynalite for DynamoDB (see support/aws-peers.ts).
 */
import * as crypto from 'crypto';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ChangeDetectionOptions, HttpProxyApi, InvokerSchedule, ResponseArchive, ScheduledInvoker } from '../src';
import { ApiGatewayEmulator } from './support/api-gateway-emulator';
import { LocalAwsPeers, taskStates } from './support/aws-peers';
import { CommitThenTimeout } from './support/execution-faults';
import { ApiGatewayInvoker, definitionOf, invokeArnsOf, runDefinition } from './support/state-machine-harness';
import { TEST_ACCOUNT, TEST_REGION, testStack } from './support/test-stack';
import { UpstreamStub } from './support/upstream-stub';

// each test runs several executions against the local peers
jest.setTimeout(30_000);

const ROLE = { accessKeyId: 'AKIDARCHIVEROLE', secretAccessKey: 'archive-role-secret-for-tests-only' };
const upstream = new UpstreamStub();
const peers = new LocalAwsPeers();
const emulators: ApiGatewayEmulator[] = [];
let suffix = 0;

beforeAll(async () => {
  await upstream.start();
  await peers.start();
});
afterAll(async () => {
  await Promise.all(emulators.map((e) => e.stop()));
  await peers.stop();
  await upstream.stop();
});
beforeEach(() => upstream.reset());

/** Archived responses (the hash inputs under `_hash-inputs/` left out). */
const archived = (bucket: string) => peers.objects(bucket, 'responses/target=');

/** A handler wrapper: what a state's task does on each attempt, by attempt number (from 1). */
type Fault = (attempt: number, call: () => Promise<any>) => Promise<any>;

/** The execution ends at this state (timed out or stopped): nothing can catch or retry it. */
const executionDies: Fault = async () => {
  throw Object.assign(new Error('the execution timed out'), { name: 'States.Timeout', isRetryable: false, isCatchable: false });
};

interface RunFaults {
  readonly executionName?: string;
  readonly executionId?: string;
  readonly faults?: Record<string, Fault>;
  /** The task committed, but its answer was lost: Step Functions sees States.Timeout and retries (the harness's fault). */
  readonly commitThenTimeout?: CommitThenTimeout;
}

/** Synthesizes API + archive + invoker, creates the archive's resources in the peers, and returns a runner. */
async function setup(changeDetection: ChangeDetectionOptions = {}) {
  const stack = testStack();
  const api = new HttpProxyApi(stack, 'Egress');
  const prices = api.addTarget('prices', { url: 'https://api.example.com/v1/prices/{sku}' });
  const archive = new ResponseArchive(stack, 'Archive', { changeDetection });
  const invoker = new ScheduledInvoker(stack, 'Poller', {
    schedule: InvokerSchedule.rate(Duration.minutes(15)),
    requests: [{ target: prices, id: 'widget', pathParameters: { sku: 'w-1' } }],
    sink: archive,
  });
  const template = Template.fromStack(stack).toJSON();
  const id = (c: any) => stack.getLogicalId(c.node.defaultChild);
  suffix++;
  const bucket = `archive-${suffix}`;
  const table = `hashes-${suffix}`;
  await peers.createBucket(bucket);
  await peers.createTable(table);
  const topic = await peers.createTopic(`changes-${suffix}`);
  const definition = definitionOf(template, TEST_REGION, undefined, {
    [id(archive.bucket)]: bucket,
    [id(archive.table)]: table,
    [id(archive.topic)]: topic.topicArn,
  });
  const emulator = new ApiGatewayEmulator({
    template,
    region: TEST_REGION,
    account: TEST_ACCOUNT,
    principals: [{ ...ROLE, allowedArns: invokeArnsOf(template, TEST_REGION, id(invoker.role)) }],
    upstreams: { 'https://api.example.com': upstream.origin },
  });
  await emulator.start();
  emulators.push(emulator);
  const invoke = new ApiGatewayInvoker(emulator, ROLE, TEST_REGION);
  const byResource = { 'arn:aws:states:::apigateway:invoke': invoke.handle, ...peers.handlers() };
  const tasks = Object.fromEntries(taskStates(definition).map((t) => [t.name, (byResource as any)[t.resource]]));
  const noWaits = Object.fromEntries(taskStates(definition).map((t) => [t.name, 0]));
  let runs = 0;
  const run = (options: string | RunFaults = {}) => {
    const { executionName = `run-${++runs}`, executionId, faults = {}, commitThenTimeout } = typeof options === 'string' ? { executionName: options } : options;
    const withFaults = Object.fromEntries(Object.entries(tasks).map(([name, handler]) => {
      const fault = faults[name];
      let attempt = 0;
      return [name, fault ? (input: any) => fault(++attempt, () => handler(input)) : handler];
    }));
    return runDefinition(definition, { scheduledTime: '2026-11-24T09:00:00Z' }, { tasks: withFaults, retryIntervalMs: noWaits, executionName, executionId, commitThenTimeout });
  };
  return { run, bucket, topic, table, definition };
}

const price = (value: number) => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sku: 'w-1', price: value }) });

test('GIVEN change detection WHEN the same price comes twice and then a new one THEN every response is stored and each change announced once', async () => {
  // GIVEN
  const { run, bucket, topic } = await setup();

  // WHEN the first response arrives
  upstream.answer(price(10));
  const first = await run();
  // THEN it is stored and announced as new
  expect(first.error).toBeUndefined();
  expect(first.output.requests[0]).toMatchObject({ id: 'widget', statusCode: 200, outcome: 'SUCCEEDED', sink: { changed: true } });
  const key1 = first.output.requests[0].sink.key;
  expect(key1).toMatch(/^responses\/target=prices\/date=\d{4}-\d{2}-\d{2}\/run-1-[0-9a-f]{32}\/0-widget\.json$/);
  let messages = await topic.messages();
  expect(messages).toHaveLength(1);
  expect(messages[0]).toMatchObject({ target: 'prices', request: { id: 'widget', method: 'GET', path: '/prices/w-1' }, previousHash: null, bucket, key: key1 });
  const hash1 = messages[0].hash;
  // S3's SHA-256 of the hashed text as stored, in base64: Step Functions
  // stores the States.JsonToString text as a JSON string literal
  expect(hash1).toBe(crypto.createHash('sha256').update(JSON.stringify(JSON.stringify({ sku: 'w-1', price: 10 }))).digest('base64'));

  // WHEN the same price comes again
  upstream.answer(price(10));
  const second = await run();
  // THEN it is stored but not announced
  expect(second.output.requests[0]).toMatchObject({ outcome: 'SUCCEEDED', sink: { changed: false } });
  expect(await topic.messages()).toHaveLength(1);

  // WHEN the price changes
  upstream.answer(price(12));
  const third = await run();
  // THEN the change is announced once, with the old and the new hash
  expect(third.output.requests[0].sink.changed).toBe(true);
  messages = await topic.messages();
  expect(messages).toHaveLength(2);
  expect(messages[1]).toMatchObject({ previousHash: hash1, key: third.output.requests[0].sink.key });
  expect(messages[1].hash).not.toBe(hash1);

  // AND all three responses are in the bucket, each with its request, status and body
  const objects = await archived(bucket);
  expect(objects).toHaveLength(3);
  expect(objects.map((o) => o.body.body.price)).toEqual([10, 10, 12]);
  expect(objects[0].body).toMatchObject({
    target: 'prices',
    request: { id: 'widget', method: 'GET', path: '/prices/w-1', query: {} },
    statusCode: 200,
    execution: 'run-1',
    executionArn: expect.stringMatching(/:run-1$/),
    trigger: { scheduledTime: '2026-11-24T09:00:00Z' },
    requestedAt: expect.stringMatching(/T/),
    archivedAt: expect.stringMatching(/T/),
  });
  expect(objects[0].body.headers['Content-Type'] ?? objects[0].body.headers['content-type']).toBeDefined();
});

test('GIVEN two runs racing on the same change WHEN both finish THEN both responses are stored and the change is announced at least once', async () => {
  // GIVEN a known price
  const { run, bucket, topic } = await setup();
  upstream.answer(price(10));
  await run('before');
  expect(await topic.messages()).toHaveLength(1);

  // WHEN two runs get the new price at the same time
  upstream.rule = () => ({ ...price(15), delayMs: 50 });
  const [a, b] = await Promise.all([run('racer-a'), run('racer-b')]);

  // THEN the change is announced, by one of them or by both (delivery is at least once), never against the wrong hash
  const changed = [a, b].map((r) => r.output.requests[0].sink.changed);
  expect(changed).toContain(true);
  const messages = await topic.messages();
  expect(messages.length).toBe(1 + changed.filter((c) => c).length);
  for (const m of messages.slice(1)) {
    expect(m.previousHash).toBe(messages[0].hash);
  }
  expect((await archived(bucket)).length).toBe(3);

  // AND the next run with the same price announces nothing more
  upstream.rule = () => price(15);
  const after = await run('after');
  expect(after.output.requests[0].sink.changed).toBe(false);
  expect(await topic.messages()).toHaveLength(messages.length);
});

test('GIVEN S3 failing WHEN a changed response arrives THEN the request is recorded as SINK_FAILED and the next run stores and announces the change', async () => {
  // GIVEN
  const { run, bucket, topic } = await setup();
  upstream.answer(price(10));
  await run();

  // WHEN every attempt to write the next response fails (1 try + 2 retries)
  peers.failS3Writes = 3;
  upstream.answer(price(20));
  const failed = await run();

  // THEN the failure is recorded against the request, not lost, and nothing is announced
  expect(failed.error).toBeUndefined();
  expect(failed.output.requests[0]).toMatchObject({ id: 'widget', statusCode: 200, outcome: 'SINK_FAILED', error: 'S3.S3Exception' });
  expect(await topic.messages()).toHaveLength(1);

  // WHEN the next run gets the same new price
  upstream.answer(price(20));
  const next = await run();

  // THEN the change was not hidden by the failed write: it is stored and announced now
  expect(next.output.requests[0]).toMatchObject({ outcome: 'SUCCEEDED', sink: { changed: true } });
  expect(await topic.messages()).toHaveLength(2);
  expect((await archived(bucket)).map((o) => o.body.body.price)).toEqual([10, 20]);
});

test('GIVEN storeChangesOnly and a hashPath WHEN only an ignored field changes THEN no new object is stored', async () => {
  // GIVEN
  const { run, bucket, topic } = await setup({ storeChangesOnly: true, hashPath: '$.price' });
  const at = (value: number, time: string) => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ price: value, fetchedAt: time }) });

  // WHEN
  upstream.answer(at(10, '09:00'), at(10, '09:15'), at(11, '09:30'));
  const results = [await run(), await run(), await run()];
  expect(results.map((r) => r.error?.message)).toEqual([undefined, undefined, undefined]);

  // THEN the second run (same price, new timestamp) stored nothing
  expect(results.map((r) => r.output.requests[0].sink.changed)).toEqual([true, false, true]);
  expect(results[1].output.requests[0].sink.key).toBeNull();
  const objects = await archived(bucket);
  expect(objects.map((o) => o.body.body.fetchedAt)).toEqual(['09:00', '09:30']);
  expect(await topic.messages()).toHaveLength(2);
});

test('GIVEN SNS failing WHEN a change is found THEN the request is SINK_FAILED, no announcement is recorded, and the next run announces the change', async () => {
  // GIVEN a known price
  const { run, topic } = await setup();
  upstream.answer(price(10));
  await run();

  // WHEN the new price cannot be announced (1 try + 2 retries)
  peers.failPublishes = 3;
  upstream.answer(price(30));
  const failed = await run();

  // THEN the failure is recorded, and nothing was announced
  expect(failed.error?.message).toBeUndefined();
  expect(failed.output.requests[0]).toMatchObject({ outcome: 'SINK_FAILED', error: 'Archive.AnnounceFailed' });
  const before = await topic.messages();
  expect(before).toHaveLength(1);

  // WHEN the next run sees the same new price
  upstream.answer(price(30));
  const next = await run();

  // THEN it is announced now, against the last announced hash
  expect(next.output.requests[0].sink.changed).toBe(true);
  const after = await topic.messages();
  expect(after).toHaveLength(2);
  expect(after[1].previousHash).toBe(before[0].hash);
});

describe('announcements are at least once (finding: a change lost on a retry or a re-run)', () => {
  test('GIVEN the hash write committed but its answer was lost WHEN the task is retried THEN the retry is accepted and the change announced once', async () => {
    // GIVEN a known price
    const { run, topic } = await setup();
    upstream.answer(price(10));
    await run();

    // WHEN the new hash is written, then the first attempt times out and is retried
    upstream.answer(price(11));
    const { output, error } = await run({ commitThenTimeout: { state: 'Archive: record hash unless announced', attempts: [1] } });

    // THEN
    expect(error).toBeUndefined();
    expect(output.requests[0]).toMatchObject({ outcome: 'SUCCEEDED', sink: { changed: true } });
    const messages = await topic.messages();
    expect(messages).toHaveLength(2);
    expect(messages[1].previousHash).toBe(messages[0].hash);
  });

  test('GIVEN an execution that died after recording the hash and before announcing WHEN it runs again (same name and ARN) THEN the change is announced', async () => {
    // GIVEN a known price
    const { run, topic } = await setup();
    upstream.answer(price(10));
    await run();

    // WHEN the execution dies at the announcement, and Express runs it again
    upstream.answer(price(12), price(12));
    const died = await run({ executionName: 'twice', faults: { 'Archive: announce on topic': executionDies } });
    expect(died.error).toBeDefined();
    expect(await topic.messages()).toHaveLength(1);
    const again = await run({ executionName: 'twice' });

    // THEN
    expect(again.output.requests[0]).toMatchObject({ outcome: 'SUCCEEDED', sink: { changed: true } });
    expect(await topic.messages()).toHaveLength(2);
  });

  test('GIVEN an execution that died before announcing WHEN the NEXT scheduled run sees the same response THEN it announces the change', async () => {
    // GIVEN
    const { run, topic } = await setup();
    upstream.answer(price(10));
    await run();
    upstream.answer(price(13));
    await run({ faults: { 'Archive: announce on topic': executionDies } });

    // WHEN
    upstream.answer(price(13));
    const next = await run();

    // THEN
    expect(next.output.requests[0].sink.changed).toBe(true);
    expect((await topic.messages()).map((m) => m.hash)).toHaveLength(2);
  });

  test('GIVEN a completed run WHEN the same execution runs again THEN nothing is announced twice', async () => {
    // GIVEN
    const { run, topic } = await setup();
    upstream.answer(price(10), price(10));
    await run('once');

    // WHEN
    const again = await run('once');

    // THEN
    expect(again.output.requests[0].sink.changed).toBe(false);
    expect(await topic.messages()).toHaveLength(1);
  });

  test('GIVEN a publish that went out but timed out WHEN it is retried THEN the change is announced twice: at least once, not exactly once', async () => {
    // GIVEN
    const { run, topic } = await setup();

    // WHEN
    upstream.answer(price(10));
    const { output } = await run({ commitThenTimeout: { state: 'Archive: announce on topic', attempts: [1] } });

    // THEN
    expect(output.requests[0].sink.changed).toBe(true);
    expect(await topic.messages()).toHaveLength(2);
  });

  test('GIVEN two executions with the same name (Express allows it) WHEN both archive THEN their keys differ, so neither overwrites the other', async () => {
    // GIVEN
    const { run, bucket } = await setup();
    upstream.answer(price(10), price(11));
    const arn = (uuid: string) => `arn:aws:states:us-east-1:123456789012:express:Poller:same-name:${uuid}`;

    // WHEN
    const first = await run({ executionName: 'same-name', executionId: arn('11111111') });
    const second = await run({ executionName: 'same-name', executionId: arn('22222222') });

    // THEN
    expect(first.output.requests[0].sink.key).not.toBe(second.output.requests[0].sink.key);
    expect((await archived(bucket)).map((o) => o.body.body.price)).toEqual(expect.arrayContaining([10, 11]));
  });
});

describe('large responses', () => {
  const json = (body: unknown) => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  test.each([
    ['a JSON body', (n: number) => json({ sku: 'w-1', history: 'p'.repeat(n) })],
    // text is hashed in its JSON form: quotes double, past any 10,000-character limit
    ['a text body of quotes', (n: number) => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: '"'.repeat(n) })],
  ])('GIVEN whole-body change detection WHEN %s of more than the 10,000 characters States.Hash takes arrives and then changes THEN each change is detected', async (_what, body) => {
    // GIVEN
    const { run, bucket, topic } = await setup();

    // WHEN
    upstream.answer(body(60_000), body(60_000), body(60_001));
    const results = [await run(), await run(), await run()];

    // THEN
    expect(results.map((r) => r.error)).toEqual([undefined, undefined, undefined]);
    expect(results.map((r) => r.output.requests[0].sink.changed)).toEqual([true, false, true]);
    expect(await topic.messages()).toHaveLength(2);
    expect(await archived(bucket)).toHaveLength(3);
  });

  test('GIVEN a hashPath WHEN the body is large and the hashed part over 10,000 characters THEN changes of the part are detected', async () => {
    // GIVEN
    const { run, topic } = await setup({ hashPath: '$.price' });

    // WHEN the price stays, while the rest of a large body changes, and then moves
    const prices = (p: number) => ({ price: p, table: 'x'.repeat(20_000) });
    upstream.answer(json({ price: prices(10), page: 'a'.repeat(50_000) }), json({ price: prices(10), page: 'b'.repeat(50_000) }), json({ price: prices(11), page: 'b'.repeat(50_000) }));
    const results = [await run(), await run(), await run()];

    // THEN
    expect(results.map((r) => r.output.requests[0].sink.changed)).toEqual([true, false, true]);
    expect(await topic.messages()).toHaveLength(2);
  });

  test('GIVEN a body that fits the invoke but would not, escaped into text, fit the putObject parameters WHEN it arrives THEN it is stored, for the record goes in as an object', async () => {
    // GIVEN: ~170 KiB of JSON that is mostly quotes, about 280 KiB once escaped into text
    const { run, bucket } = await setup({ hashPath: '$.sku' });
    const quotes = { sku: 'w-1', names: Array.from({ length: 58_000 }, () => '') };

    // WHEN
    upstream.answer(json(quotes));
    const { output, error } = await run();

    // THEN
    expect(error).toBeUndefined();
    expect(output.requests[0]).toMatchObject({ id: 'widget', statusCode: 200, outcome: 'SUCCEEDED' });
    expect((await archived(bucket)).map((o) => o.body.body.names.length)).toEqual([58_000]);
  });

  test('GIVEN the whole body is hashed WHEN it fits the invoke but not, escaped into text, the hash task\'s parameters THEN the request fails with States.DataLimitExceeded, nothing is stored, and the execution goes on', async () => {
    // GIVEN the same body, hashed whole (States.JsonToString of the body)
    const { run, bucket } = await setup();
    const quotes = { sku: 'w-1', names: Array.from({ length: 58_000 }, () => '') };

    // WHEN
    upstream.answer(json(quotes));
    const { output, error } = await run();

    // THEN
    expect(error).toBeUndefined();
    expect(output.requests[0]).toMatchObject({ id: 'widget', statusCode: 200, outcome: 'SINK_FAILED', error: 'States.DataLimitExceeded' });
    expect(await archived(bucket)).toHaveLength(0);
  });

  test('GIVEN a response over 256 KiB WHEN it arrives THEN the request is RESPONSE_TOO_LARGE and nothing is stored', async () => {
    // GIVEN
    const { run, bucket } = await setup();

    // WHEN
    upstream.answer(json({ sku: 'w-1', blob: 'z'.repeat(270 * 1024) }));
    const { output, error } = await run();

    // THEN
    expect(error).toBeUndefined();
    expect(output.requests[0]).toMatchObject({ id: 'widget', target: 'prices', outcome: 'RESPONSE_TOO_LARGE', error: 'States.DataLimitExceeded' });
    expect(await archived(bucket)).toHaveLength(0);
  });
});
