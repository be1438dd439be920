/**
 * examples/poller, end to end: its synthesized template deployed on
 * 127.0.0.1 (support/local-deployment.ts) and its schedule fired, with the
 * faults a poller meets in production. In every case each request ends
 * archived or recorded as a failure with its id, and the alarms of the
 * template are in the state they would be in.
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { send, signRequest } from './support/api-gateway-emulator';
import { LocalAwsPeers } from './support/aws-peers';
import { LocalDeployment } from './support/local-deployment';
import { PAYLOAD_QUOTA_BYTES } from './support/state-machine-harness';
import { TEST_ACCOUNT, TEST_REGION } from './support/test-stack';
import { RecordedRequest, StubAnswer, UpstreamStub } from './support/upstream-stub';
import { PollerStack } from '../examples/poller/stack';

const stack = new PollerStack(new App(), 'InsideOutPoller', { env: { account: TEST_ACCOUNT, region: TEST_REGION } });
const template = Template.fromStack(stack).toJSON();
const id = (c: any) => stack.getLogicalId(c.node.defaultChild);
const ALARM = {
  executions: id(stack.poller.executionsFailedAlarm),
  deadLetters: id(stack.poller.deadLetterQueueAlarm),
  prices: id(stack.poller.targetErrorRateAlarms.find((a) => a.node.id.includes('prices'))),
  status: id(stack.poller.targetErrorRateAlarms.find((a) => a.node.id.includes('status'))),
};

const upstream = new UpstreamStub();
const peers = new LocalAwsPeers();
const deployments: LocalDeployment[] = [];
let deployed = 0;

/** The upstreams' normal answers: a price per sku, and an "ok" status. */
const prices: Record<string, number> = {};
const json = (body: unknown, status = 200, headers: Record<string, string> = {}): StubAnswer => ({ status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const normal = (r: RecordedRequest): StubAnswer => {
  const sku = r.path.match(/^\/v1\/prices\/(.+)$/)?.[1];
  return sku ? json({ sku, currency: r.query.currency, price: prices[sku] ?? 10, at: new Date().toISOString() }) : json({ status: 'ok' });
};
/** Answers `fault` for requests matching `when`, the normal answer otherwise. */
const faultWhen = (when: (r: RecordedRequest) => boolean, fault: (r: RecordedRequest) => StubAnswer | undefined) => {
  upstream.rule = (r) => (when(r) ? fault(r) : undefined) ?? normal(r);
};
const isSku = (sku: string) => (r: RecordedRequest) => r.path === `/v1/prices/${sku}`;
const isStatus = (r: RecordedRequest) => r.path === '/api/summary';

beforeAll(async () => {
  await upstream.start();
  await peers.start();
});
afterAll(async () => {
  await Promise.all(deployments.map((d) => d.stop()));
  await peers.stop();
  await upstream.stop();
});
beforeEach(() => {
  upstream.reset();
  upstream.rule = normal;
  Object.keys(prices).forEach((k) => delete prices[k]);
});

async function deploy(upstreams: Record<string, string> = {}) {
  const d = await LocalDeployment.deploy({
    template,
    region: TEST_REGION,
    account: TEST_ACCOUNT,
    peers,
    name: `poller${++deployed}`,
    upstreams: { 'https://api.shop.example': upstream.origin, 'https://status.partner.example': upstream.origin, ...upstreams },
  });
  deployments.push(d);
  const bucket = d.physicalName(id(stack.archive.bucket));
  const changes = d.topics[id(stack.archive.topic)];
  const archived = () => peers.objects(bucket, 'responses/target=');
  return { d, bucket, changes, archived };
}

const at = (minute: number) => new Date(Date.UTC(2026, 10, 24, 9, minute));
const byId = (tick: { output?: any }) => Object.fromEntries((tick.output?.requests ?? []).map((r: any) => [r.id, r]));

describe('examples/poller end to end', () => {
  test('GIVEN the deployed poller WHEN the schedule fires three times THEN every response is archived with its trigger, and each price change announced once', async () => {
    // GIVEN
    const { d, archived, changes } = await deploy();

    // WHEN
    const first = await d.tick(at(0));
    const second = await d.tick(at(15));
    prices['widget-2'] = 12;
    const third = await d.tick(at(30));

    // THEN the schedule's input reached the state machine
    expect(first).toMatchObject({ status: 'SUCCEEDED', startAttempts: 1, deadLettered: false });
    expect(first.output.trigger).toEqual({ scheduledTime: '2026-11-24T09:00:00Z', executionId: first.executionName, scheduleArn: expect.stringMatching(/^arn:aws:scheduler:/) });
    // every request went through the API and the upstream: path and query as declared
    expect(upstream.requests.filter(isSku('widget-1')).map((r) => r.query)).toEqual([{ currency: 'EUR' }, { currency: 'EUR' }, { currency: 'EUR' }]);
    // the first run finds everything new, the second nothing, the third one price
    expect(Object.values(byId(first)).map((r: any) => [r.outcome, r.statusCode, r.sink.changed])).toEqual([['SUCCEEDED', 200, true], ['SUCCEEDED', 200, true], ['SUCCEEDED', 200, true]]);
    expect(Object.values(byId(second)).map((r: any) => r.sink.changed)).toEqual([false, false, false]);
    expect(Object.fromEntries(Object.entries(byId(third)).map(([k, r]: any) => [k, r.sink.changed]))).toEqual({ 'prices-1': false, 'prices-2': true, 'status-1': false });
    // nine responses archived, each under the key its result names, with the schedule's time
    const objects = await archived();
    expect(objects).toHaveLength(9);
    const keys = [first, second, third].flatMap((t) => t.output.requests.map((r: any) => r.sink.key)).sort();
    expect(objects.map((o) => o.key)).toEqual(keys);
    expect(objects.find((o) => o.key === byId(third)['prices-2'].sink.key)!.body).toMatchObject({ body: { sku: 'widget-2', price: 12 }, trigger: { scheduledTime: '2026-11-24T09:30:00Z' } });
    // four announcements: three new, one change
    const announced = (await changes()).map((m) => m.request.id);
    expect([...announced.slice(0, 3)].sort()).toEqual(['prices-1', 'prices-2', 'status-1']);
    expect(announced[3]).toBe('prices-2');
    // and the access log holds every call, signed as the state machine role
    expect(d.accessLog).toHaveLength(9);
    expect(new Set(d.accessLog.map((l) => l.userArn)).size).toBe(1);
    expect(Object.values(await d.alarms())).toEqual(['OK', 'OK', 'OK', 'OK']);
  });

  test('GIVEN the upstream answers 500 WHEN the poller runs THEN the request is retried, recorded as FAILED with 500, and the route alarm fires', async () => {
    // GIVEN
    const { d, archived } = await deploy();
    faultWhen(isSku('widget-1'), () => json({ error: 'boom' }, 500));

    // WHEN
    const tick = await d.tick(at(0));

    // THEN
    expect(byId(tick)['prices-1']).toMatchObject({ outcome: 'FAILED', statusCode: 500, error: 'ApiGateway.500', target: 'prices' });
    expect(upstream.requests.filter(isSku('widget-1'))).toHaveLength(4);
    expect(byId(tick)['prices-2']).toMatchObject({ outcome: 'SUCCEEDED' });
    expect((await archived()).map((o) => o.body.request.id)).toEqual(['prices-2', 'status-1']);
    const alarms = await d.alarms();
    expect(alarms[ALARM.prices]).toBe('ALARM'); // 4 errors of 5 calls
    expect(alarms[ALARM.status]).toBe('OK');
    expect(alarms[ALARM.executions]).toBe('OK');
  });

  test('GIVEN the upstream answers 503 twice WHEN the poller runs THEN the retry archives the third answer', async () => {
    const { d, archived } = await deploy();
    let left = 2;
    faultWhen(isStatus, () => (left-- > 0 ? json({ error: 'unavailable' }, 503) : undefined));

    const tick = await d.tick(at(0));

    expect(byId(tick)['status-1']).toMatchObject({ outcome: 'SUCCEEDED', statusCode: 200 });
    expect(upstream.requests.filter(isStatus)).toHaveLength(3);
    expect((await archived()).filter((o) => o.body.request.id === 'status-1')).toHaveLength(1);
    expect(d.accessLog.filter((l) => l.resourcePath === '/status').map((l) => l.status)).toEqual(['503', '503', '200']);
  });

  test('GIVEN the upstream answers 429 with Retry-After WHEN the poller runs THEN the header reaches the state machine and the retry succeeds', async () => {
    const { d } = await deploy();
    let left = 1;
    faultWhen(isSku('widget-2'), () => (left-- > 0 ? json({ error: 'slow down' }, 429, { 'Retry-After': '1' }) : undefined));

    const tick = await d.tick(at(0));

    expect(byId(tick)['prices-2']).toMatchObject({ outcome: 'SUCCEEDED', statusCode: 200 });
    const throttled = d.invocations.find((c) => c.status === 429);
    expect(throttled?.input.Path).toBe('/prices/widget-2');
    expect(d.accessLog.filter((l) => l.status === '429')).toHaveLength(1);
  });

  test('GIVEN the upstream answers 404 WHEN the poller runs THEN the request is not retried and is recorded as FAILED with 404', async () => {
    const { d, archived } = await deploy();
    faultWhen(isSku('widget-1'), () => json({ error: 'no such sku' }, 404));

    const tick = await d.tick(at(0));

    expect(byId(tick)['prices-1']).toMatchObject({ outcome: 'FAILED', statusCode: 404, error: 'ApiGateway.404' });
    expect(upstream.requests.filter(isSku('widget-1'))).toHaveLength(1);
    expect(await archived()).toHaveLength(2);
    // one error in two calls reaches the alarm's 50%
    expect((await d.alarms())[ALARM.prices]).toBe('ALARM');
  });

  test('GIVEN the status page is slower than its 5 s timeout once WHEN the poller runs THEN API Gateway answers 504 and the retry archives the answer', async () => {
    const { d, archived } = await deploy();
    let left = 1;
    faultWhen(isStatus, (r) => (left-- > 0 ? { ...normal(r), delayMs: 6_000 } : undefined));

    const tick = await d.tick(at(0));

    expect(byId(tick)['status-1']).toMatchObject({ outcome: 'SUCCEEDED', statusCode: 200 });
    expect(d.accessLog.filter((l) => l.resourcePath === '/status').map((l) => [l.status, l.errorMessage])).toEqual([['504', 'Endpoint request timed out'], ['200', '-']]);
    expect((await archived()).filter((o) => o.body.request.id === 'status-1')).toHaveLength(1);
  }, 20_000);

  test('GIVEN the upstream refuses connections WHEN the poller runs THEN API Gateway answers 500, and after the retries the request is FAILED with 500', async () => {
    // GIVEN a port that was just closed
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const { d, archived } = await deploy({ 'https://status.partner.example': `http://127.0.0.1:${port}` });

    // WHEN
    const tick = await d.tick(at(0));

    // THEN
    expect(byId(tick)['status-1']).toMatchObject({ outcome: 'FAILED', statusCode: 500 });
    expect(d.accessLog.filter((l) => l.resourcePath === '/status').map((l) => l.integrationStatus)).toEqual(['-', '-', '-', '-']);
    expect(await archived()).toHaveLength(2);
    expect((await d.alarms())[ALARM.status]).toBe('ALARM');
  });

  test('GIVEN the upstream sends malformed JSON WHEN the poller runs THEN that response is archived as text, and the request fails because its price cannot be read', async () => {
    const { d, archived, changes } = await deploy();
    faultWhen(isSku('widget-1'), () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"sku": "widget-1", "price": 1' }));

    const tick = await d.tick(at(0));

    expect(tick.status).toBe('SUCCEEDED');
    expect(byId(tick)['prices-1']).toMatchObject({ outcome: 'SINK_FAILED', statusCode: 200, error: 'Archive.HashPathNotFound' });
    expect(byId(tick)['prices-2']).toMatchObject({ outcome: 'SUCCEEDED' });
    // stored, the body kept as the text it was
    const stored = (await archived()).find((o) => o.body.request.id === 'prices-1');
    expect(stored?.body.body).toBe('{"sku": "widget-1", "price": 1');
    expect((await changes()).map((m) => m.request.id).sort()).toEqual(['prices-2', 'status-1']);
  });

  test('GIVEN a response over 256 KiB WHEN the poller runs THEN that request is RESPONSE_TOO_LARGE, called once, and the others are archived', async () => {
    const { d, archived } = await deploy();
    faultWhen(isStatus, () => json({ status: 'ok', padding: 'x'.repeat(PAYLOAD_QUOTA_BYTES + 1024) }));

    const tick = await d.tick(at(0));

    expect(byId(tick)['status-1']).toMatchObject({ outcome: 'RESPONSE_TOO_LARGE', error: 'States.DataLimitExceeded' });
    expect(upstream.requests.filter(isStatus)).toHaveLength(1);
    expect((await archived()).map((o) => o.body.request.id)).toEqual(['prices-1', 'prices-2']);
  });

  test('GIVEN a caller outside the state machine WHEN it calls a route unsigned or wrongly signed THEN API Gateway answers 403 and the upstream is never called', async () => {
    const { d } = await deploy();
    const tick = await d.tick(at(0)); // the poller's own calls are signed and pass
    expect(tick.output.requests.every((r: any) => r.outcome === 'SUCCEEDED')).toBe(true);
    upstream.reset();
    const base = new URL(d.apiUrl);
    const path = `${base.pathname}/status`;

    const unsigned = await send(new URL(`${base.origin}${path}`), 'GET', {}, undefined, 5_000);
    const signed = await signRequest({ accessKeyId: 'AKIDROLE0', secretAccessKey: 'not-the-role-secret' }, TEST_REGION, { method: 'GET', hostname: base.hostname, port: Number(base.port), path, query: {}, headers: { host: base.host } });
    const wronglySigned = await send(new URL(`${base.origin}${path}`), 'GET', signed.headers as Record<string, string>, undefined, 5_000);

    expect([unsigned.status, wronglySigned.status]).toEqual([403, 403]);
    expect(JSON.parse(wronglySigned.body).message).toMatch(/signature/);
    expect(upstream.requests).toHaveLength(0);
    expect(d.accessLog.slice(-2).map((l) => [l.resourcePath, l.status])).toEqual([['/status', '403'], ['/status', '403']]);
  });

  test('GIVEN S3 failing once WHEN a response is archived THEN the write is retried and the response stored', async () => {
    const { d, archived } = await deploy();
    peers.failS3Writes = 1;

    const tick = await d.tick(at(0));

    expect(tick.output.requests.map((r: any) => r.outcome)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(await archived()).toHaveLength(3);
    expect(peers.failS3Writes).toBe(0);
  });

  test('GIVEN S3 failing for good WHEN responses arrive THEN each request is SINK_FAILED with its status, and the next run archives and announces', async () => {
    const { d, archived, changes } = await deploy();
    peers.failS3Writes = 1_000;

    const failing = await d.tick(at(0));
    expect(failing.output.requests.map((r: any) => [r.id, r.outcome, r.statusCode])).toEqual([['prices-1', 'SINK_FAILED', 200], ['prices-2', 'SINK_FAILED', 200], ['status-1', 'SINK_FAILED', 200]]);
    expect(await changes()).toHaveLength(0);

    peers.failS3Writes = 0;
    const next = await d.tick(at(15));
    expect(next.output.requests.map((r: any) => r.sink.changed)).toEqual([true, true, true]);
    expect(await archived()).toHaveLength(3);
    expect(await changes()).toHaveLength(3);
  });

  test('GIVEN two scheduled runs that overlap WHEN both meet the same price change THEN both are archived and the change is announced at least once, against the last announced hash', async () => {
    // GIVEN known prices
    const { d, archived, changes } = await deploy();
    await d.tick(at(0));
    expect(await changes()).toHaveLength(3);

    // WHEN the next run starts while the slow one before it is still going
    prices['widget-1'] = 11;
    faultWhen(() => true, (r) => ({ ...normal(r), delayMs: 300 }));
    const [a, b] = await Promise.all([d.tick(at(15)), d.tick(at(16))]);

    // THEN both runs finish with every request archived
    expect([a.status, b.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(await archived()).toHaveLength(9);
    // and the change is announced by one or both of them (announcements are at least once)
    const saw = [byId(a)['prices-1'].sink.changed, byId(b)['prices-1'].sink.changed].filter((c) => c).length;
    expect(saw).toBeGreaterThanOrEqual(1);
    const announced = await changes();
    expect(announced).toHaveLength(3 + saw);
    const first = announced.find((m) => m.request.id === 'prices-1');
    for (const m of announced.slice(3)) {
      expect(m.request.id).toBe('prices-1');
      expect(m.previousHash).toBe(first.hash);
    }
  });

  test('GIVEN Scheduler cannot start the state machine WHEN its retries run out THEN the input is in the dead-letter queue and its alarm fires', async () => {
    const { d } = await deploy();
    const throttled = { code: 'ThrottlingException', message: 'Rate exceeded' };
    d.failStarts.push(throttled, throttled, throttled, throttled);

    const tick = await d.tick(at(0));

    expect(tick).toMatchObject({ startAttempts: 4, deadLettered: true });
    expect(upstream.requests).toHaveLength(0);
    expect(await d.visibleMessages(id(stack.poller.deadLetterQueue))).toBe(1);
    const alarms = await d.alarms();
    expect(alarms[ALARM.deadLetters]).toBe('ALARM');
    expect(alarms[ALARM.executions]).toBe('OK');

    // a start that fails fewer times than the retry policy allows still runs
    d.failStarts.push(throttled);
    expect(await d.tick(at(15))).toMatchObject({ startAttempts: 2, status: 'SUCCEEDED' });
  });
});
