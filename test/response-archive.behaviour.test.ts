/**
 * A ScheduledInvoker with a ResponseArchive, synthesized, and its definition
 * executed in aws-local-stepfunctions against local peers on 127.0.0.1:
 * the template-driven API Gateway emulation and a stub upstream, fauxqs for
 * S3 and SNS, dynalite for DynamoDB (see support/aws-peers.ts).
 */
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ChangeDetectionOptions, HttpProxyApi, InvokerSchedule, ResponseArchive, ScheduledInvoker } from '../src';
import { ApiGatewayEmulator } from './support/api-gateway-emulator';
import { LocalAwsPeers, taskStates } from './support/aws-peers';
import { ApiGatewayInvoker, definitionOf, invokeArnsOf, runDefinition } from './support/state-machine-harness';
import { TEST_ACCOUNT, TEST_REGION, testStack } from './support/test-stack';
import { UpstreamStub } from './support/upstream-stub';

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
  const run = (executionName = `run-${++runs}`) => runDefinition(definition, { scheduledTime: '2026-11-24T09:00:00Z' }, { tasks, retryIntervalMs: noWaits, executionName });
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
  expect(key1).toMatch(/^responses\/target=prices\/date=\d{4}-\d{2}-\d{2}\/run-1\/0-widget\.json$/);
  let messages = await topic.messages();
  expect(messages).toHaveLength(1);
  expect(messages[0]).toMatchObject({ target: 'prices', request: { id: 'widget', method: 'GET', path: '/prices/w-1' }, previousHash: null, bucket, key: key1 });
  const hash1 = messages[0].hash;
  expect(hash1).toMatch(/^[0-9a-f]{64}$/);

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
  const objects = await peers.objects(bucket, 'responses/');
  expect(objects).toHaveLength(3);
  expect(objects.map((o) => o.body.body.price)).toEqual([10, 10, 12]);
  expect(objects[0].body).toMatchObject({
    target: 'prices',
    request: { id: 'widget', method: 'GET', path: '/prices/w-1', query: {} },
    statusCode: 200,
    execution: 'run-1',
    trigger: { scheduledTime: '2026-11-24T09:00:00Z' },
    requestedAt: expect.stringMatching(/T/),
    archivedAt: expect.stringMatching(/T/),
  });
  expect(objects[0].body.headers['Content-Type'] ?? objects[0].body.headers['content-type']).toBeDefined();
});

test('GIVEN two runs racing on the same change WHEN both finish THEN both responses are stored and the change is announced once', async () => {
  // GIVEN a known price
  const { run, bucket, topic } = await setup();
  upstream.answer(price(10));
  await run('before');
  expect(await topic.messages()).toHaveLength(1);

  // WHEN two runs get the new price at the same time
  upstream.rule = () => ({ ...price(15), delayMs: 50 });
  const [a, b] = await Promise.all([run('racer-a'), run('racer-b')]);

  // THEN exactly one of them announces it
  const changed = [a, b].map((r) => r.output.requests[0].sink.changed).sort();
  expect(changed).toEqual([false, true]);
  const messages = await topic.messages();
  expect(messages).toHaveLength(2);
  expect(messages[1].previousHash).toBe(messages[0].hash);
  expect((await peers.objects(bucket, 'responses/')).length).toBe(3);
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
  expect((await peers.objects(bucket, 'responses/')).map((o) => o.body.body.price)).toEqual([10, 20]);
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
  const objects = await peers.objects(bucket, 'responses/');
  expect(objects.map((o) => o.body.body.fetchedAt)).toEqual(['09:00', '09:30']);
  expect(await topic.messages()).toHaveLength(2);
});

test('GIVEN SNS failing WHEN a change is found THEN its hash is restored, the request is SINK_FAILED, and the next run announces the change', async () => {
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

describe('large responses', () => {
  const json = (body: unknown) => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  test('GIVEN whole-body change detection WHEN a body has more than the 10,000 characters States.Hash takes THEN it is stored and the request fails with Archive.TooLargeToHash', async () => {
    // GIVEN
    const { run, bucket, topic } = await setup();
    const big = { sku: 'w-1', history: 'p'.repeat(12_000) };

    // WHEN
    upstream.answer(json(big));
    const { output, error } = await run();

    // THEN the execution ends normally, the response is kept, and the request names the cause
    expect(error).toBeUndefined();
    expect(output.requests[0]).toMatchObject({ id: 'widget', statusCode: 200, outcome: 'SINK_FAILED', error: 'Archive.TooLargeToHash' });
    const objects = await peers.objects(bucket, 'responses/');
    expect(objects).toHaveLength(1);
    expect(objects[0].body.body).toEqual(big);
    expect(await topic.messages()).toHaveLength(0);
  });

  test('GIVEN whole-body change detection WHEN a body of just under 10,000 bytes arrives, as JSON and as text THEN it is hashed and announced', async () => {
    for (const answer of [
      json({ sku: 'w-1', history: 'p'.repeat(9_900) }),
      // text is hashed as it is: quotes would double in its JSON form
      { status: 200, headers: { 'content-type': 'text/plain' }, body: '"'.repeat(9_990) },
    ]) {
      // GIVEN
      const { run, topic } = await setup();

      // WHEN
      upstream.answer(answer);
      const { output, error } = await run();

      // THEN
      expect(error).toBeUndefined();
      expect(output.requests[0]).toMatchObject({ outcome: 'SUCCEEDED', sink: { changed: true } });
      expect(await topic.messages()).toHaveLength(1);
    }
  });

  test('GIVEN a hashPath WHEN the body is large but the hashed part small THEN changes are detected', async () => {
    // GIVEN
    const { run, topic } = await setup({ hashPath: '$.price' });

    // WHEN the price stays, while the rest of a large body changes, and then moves
    upstream.answer(json({ price: 10, page: 'a'.repeat(50_000) }), json({ price: 10, page: 'b'.repeat(50_000) }), json({ price: 11, page: 'b'.repeat(50_000) }));
    const results = [await run(), await run(), await run()];

    // THEN
    expect(results.map((r) => r.output.requests[0].sink.changed)).toEqual([true, false, true]);
    expect(await topic.messages()).toHaveLength(2);
  });

  test('GIVEN a body that fits the invoke but not, escaped, the putObject parameters WHEN it arrives THEN the request fails with States.DataLimitExceeded and the execution goes on', async () => {
    // GIVEN: ~170 KiB of JSON that is mostly quotes, about 280 KiB once escaped into the object
    const { run, bucket } = await setup({ hashPath: '$.sku' });
    const quotes = { sku: 'w-1', names: Array.from({ length: 58_000 }, () => '') };

    // WHEN
    upstream.answer(json(quotes));
    const { output, error } = await run();

    // THEN
    expect(error).toBeUndefined();
    expect(output.requests[0]).toMatchObject({ id: 'widget', statusCode: 200, outcome: 'SINK_FAILED', error: 'States.DataLimitExceeded' });
    expect(await peers.objects(bucket, 'responses/')).toHaveLength(0);
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
    expect(await peers.objects(bucket, 'responses/')).toHaveLength(0);
  });
});
