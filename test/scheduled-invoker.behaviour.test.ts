/**
 * The synthesized ScheduledInvoker definition, executed in
 * aws-local-stepfunctions. Its apigateway:invoke tasks are signed as the
 * state machine role (with the execute-api ARNs the template grants it)
 * and go through the template-driven API Gateway emulation to a stub
 * upstream on 127.0.0.1.
 */
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { HttpProxyApi, InvokerRequest, InvokerSchedule, IResponseSink, ResponseSinkBindOptions, ResponseSinkConfig, RequestBody, RequestRetryOptions, ScheduledInvoker } from '../src';
import { ApiGatewayEmulator } from './support/api-gateway-emulator';
import { ApiGatewayInvoker, definitionOf, invokeArnsOf, runDefinition } from './support/state-machine-harness';
import { TEST_ACCOUNT, TEST_REGION, testStack } from './support/test-stack';
import { UpstreamStub } from './support/upstream-stub';

const ROLE_CREDENTIALS = { accessKeyId: 'AKIDSTATEMACHINEROLE', secretAccessKey: 'state-machine-role-secret-for-tests-only' };
const SCHEDULE_INPUT = { scheduledTime: '2026-11-24T09:00:00Z', executionId: 'sched-1', scheduleArn: 'arn:aws:scheduler:us-east-1:123456789012:schedule/default/poller' };

const upstream = new UpstreamStub();
const running: ApiGatewayEmulator[] = [];

beforeAll(() => upstream.start());
afterAll(async () => {
  await Promise.all(running.map((e) => e.stop()));
  await upstream.stop();
});
beforeEach(() => upstream.reset());

interface Scenario {
  readonly requests: (targets: Targets) => InvokerRequest[];
  readonly retry?: RequestRetryOptions;
  readonly requestTimeout?: Duration;
  readonly maxConcurrency?: number;
  readonly sink?: IResponseSink;
  /** Run retries without waiting (the waits are asserted on the template). */
  readonly fastRetries?: boolean;
  /** Leave ResponseBody out of an answer without a body. */
  readonly omitEmptyResponseBody?: boolean;
}

interface Targets {
  readonly forecast: ReturnType<HttpProxyApi['addTarget']>;
  readonly orders: ReturnType<HttpProxyApi['addTarget']>;
  readonly ungranted: ReturnType<HttpProxyApi['addTarget']>;
}

/** Synthesizes an invoker for the scenario and runs its definition once. */
async function run(scenario: Scenario) {
  const stack = testStack();
  const api = new HttpProxyApi(stack, 'Egress');
  const targets: Targets = {
    forecast: api.addTarget('forecast', { url: 'https://api.example.com/v1/forecast/{city}', queryParameters: ['days'], requestHeaders: ['Accept-Language'] }),
    orders: api.addTarget('orders', { url: 'https://api.example.com/v1/orders', methods: ['POST'] }),
    ungranted: api.addTarget('ungranted', { url: 'https://api.example.com/v1/other' }),
  };
  const invoker = new ScheduledInvoker(stack, 'Poller', {
    schedule: InvokerSchedule.rate(Duration.minutes(15)),
    requests: scenario.requests(targets),
    retry: scenario.retry,
    requestTimeout: scenario.requestTimeout,
    maxConcurrency: scenario.maxConcurrency,
    sink: scenario.sink,
  });
  const template = Template.fromStack(stack).toJSON();
  const roleId = stack.getLogicalId(invoker.role.node.defaultChild as any);
  const emulator = new ApiGatewayEmulator({
    template,
    region: TEST_REGION,
    account: TEST_ACCOUNT,
    principals: [{ ...ROLE_CREDENTIALS, allowedArns: invokeArnsOf(template, TEST_REGION, roleId) }],
    upstreams: { 'https://api.example.com': upstream.origin },
  });
  await emulator.start();
  running.push(emulator);
  const invoke = new ApiGatewayInvoker(emulator, ROLE_CREDENTIALS, TEST_REGION);
  invoke.omitEmptyResponseBody = scenario.omitEmptyResponseBody ?? false;
  const definition = definitionOf(template, TEST_REGION);
  const taskNames = ['Invoke', 'Invoke with body'];
  const execute = (def: any) => runDefinition(def, SCHEDULE_INPUT, {
    tasks: Object.fromEntries(taskNames.map((n) => [n, invoke.handle])),
    retryIntervalMs: scenario.fastRetries ? Object.fromEntries(taskNames.map((n) => [n, 0])) : undefined,
  });
  const result = await execute(definition);
  return { ...result, invoke, definition, execute };
}

const retriesOf = (events: any[]) => events.filter((e) => e.type === 'StateRetried').length;

test('GIVEN one request WHEN the upstream answers 200 THEN the output lists it as succeeded with its status and its start and finish times', async () => {
  // GIVEN
  upstream.answer({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"temp":21}' });

  // WHEN
  const { output, error } = await run({
    requests: (t) => [{ target: t.forecast, pathParameters: { city: 'São Paulo' }, queryParameters: { days: '3' }, headers: { 'Accept-Language': 'pt' } }],
  });

  // THEN
  expect(error).toBeUndefined();
  expect(output.trigger).toEqual(SCHEDULE_INPUT);
  expect(output.requestCount).toBe(1);
  expect(output.requests).toEqual([{ id: 'forecast-1', target: 'forecast', statusCode: 200, outcome: 'SUCCEEDED', startedAt: expect.any(String), finishedAt: expect.any(String) }]);
  const took = Date.parse(output.requests[0].finishedAt) - Date.parse(output.requests[0].startedAt);
  expect(took).toBeGreaterThanOrEqual(0);
  expect(took).toBeLessThan(5_000);
  expect(upstream.requests).toHaveLength(1);
  expect(upstream.requests[0]).toMatchObject({ method: 'GET', path: '/v1/forecast/S%C3%A3o%20Paulo', query: { days: '3' } });
  expect(upstream.requests[0].headers['accept-language']).toBe('pt');
  expect(upstream.requests[0].headers.authorization).toBeUndefined();
});

test('GIVEN the upstream answers 503 twice WHEN the request runs THEN it is retried twice and succeeds', async () => {
  // GIVEN
  upstream.answer({ status: 503, headers: { 'retry-after': '1' } }, { status: 503 }, { status: 200, body: 'ok' });

  // WHEN
  const { output, events } = await run({
    requests: (t) => [{ target: t.forecast, pathParameters: { city: 'oslo' } }],
    fastRetries: true,
  });

  // THEN
  expect(upstream.requests).toHaveLength(3);
  expect(retriesOf(events)).toBe(2);
  expect(output.requests[0]).toMatchObject({ statusCode: 200, outcome: 'SUCCEEDED' });
});

test('GIVEN the upstream always answers 429 WHEN the retries run out THEN the request is recorded as failed with 429', async () => {
  // GIVEN
  upstream.rule = () => ({ status: 429, headers: { 'retry-after': '30' } });

  // WHEN
  const { output, error, events } = await run({
    requests: (t) => [{ target: t.forecast, pathParameters: { city: 'oslo' } }],
    retry: { maxAttempts: 2 },
    fastRetries: true,
  });

  // THEN: 1 attempt + 2 retries, and the execution itself succeeds
  expect(error).toBeUndefined();
  expect(upstream.requests).toHaveLength(3);
  expect(retriesOf(events)).toBe(2);
  expect(output.requests[0]).toMatchObject({ id: 'forecast-1', statusCode: 429, outcome: 'FAILED', error: 'ApiGateway.429' });
});

test('GIVEN the upstream answers 404 WHEN the request runs THEN it is not retried', async () => {
  // GIVEN
  upstream.rule = () => ({ status: 404, body: 'no such city' });

  // WHEN
  const { output, events } = await run({
    requests: (t) => [{ target: t.forecast, pathParameters: { city: 'atlantis' } }],
    fastRetries: true,
  });

  // THEN
  expect(upstream.requests).toHaveLength(1);
  expect(retriesOf(events)).toBe(0);
  expect(output.requests[0]).toMatchObject({ statusCode: 404, outcome: 'FAILED', error: 'ApiGateway.404' });
});

test('GIVEN the upstream is slower than requestTimeout WHEN the request runs THEN each attempt times out and the request is recorded as timed out', async () => {
  // GIVEN
  upstream.rule = () => ({ status: 200, delayMs: 2_500 });

  // WHEN
  const { output, events } = await run({
    requests: (t) => [{ target: t.forecast, pathParameters: { city: 'oslo' } }],
    requestTimeout: Duration.seconds(1),
    retry: { maxAttempts: 1 },
    fastRetries: true,
  });

  // THEN: two attempts of one second each
  expect(retriesOf(events)).toBe(1);
  expect(output.requests[0]).toMatchObject({ outcome: 'FAILED', error: 'States.Timeout' });
  expect(output.requests[0].statusCode).toBeUndefined();
  expect(Date.parse(output.requests[0].finishedAt) - Date.parse(output.requests[0].startedAt)).toBeGreaterThanOrEqual(1_900);
});

test('GIVEN 50 requests of which 3 fail WHEN the fan-out runs THEN all 50 are listed in order, no more than maxConcurrency at once', async () => {
  // GIVEN
  const failing = ['city-7', 'city-21', 'city-42'];
  upstream.rule = (r) => (failing.some((c) => r.path.endsWith(`/${c}`)) ? { status: 404 } : { status: 200, delayMs: 20 });

  // WHEN
  const { output, error } = await run({
    requests: (t) => [...Array(50).keys()].map((i) => ({ target: t.forecast, id: `city-${i}`, pathParameters: { city: `city-${i}` } })),
    maxConcurrency: 5,
    // 10 waves x (2 attempts x 5 s + 2 s) fits the 5 Express minutes
    requestTimeout: Duration.seconds(5),
    retry: { maxAttempts: 1 },
  });

  // THEN
  expect(error).toBeUndefined();
  expect(output.requestCount).toBe(50);
  expect(output.requests.map((r: any) => r.id)).toEqual([...Array(50).keys()].map((i) => `city-${i}`));
  const failed = output.requests.filter((r: any) => r.outcome === 'FAILED');
  expect(failed.map((r: any) => r.id)).toEqual(failing);
  expect(failed.every((r: any) => r.statusCode === 404)).toBe(true);
  expect(output.requests.filter((r: any) => r.outcome === 'SUCCEEDED')).toHaveLength(47);
  expect(upstream.requests).toHaveLength(50);
  expect(upstream.maxInFlight).toBeLessThanOrEqual(5);
  expect(upstream.maxInFlight).toBeGreaterThan(1);
});

test('GIVEN a POST request with a JSON body WHEN it runs THEN the body and Content-Type reach the upstream', async () => {
  // WHEN
  const { output } = await run({
    requests: (t) => [
      { target: t.orders, method: 'POST', body: RequestBody.fromObject({ sku: 'A-1', qty: 2 }), headers: { 'Content-Type': 'application/json' } },
      { target: t.forecast, pathParameters: { city: 'oslo' } },
    ],
  });

  // THEN
  expect(output.requests.map((r: any) => r.outcome)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  const post = upstream.requests.find((r) => r.method === 'POST')!;
  expect(JSON.parse(post.body)).toEqual({ sku: 'A-1', qty: 2 });
  expect(post.headers['content-type']).toBe('application/json');
});

test('GIVEN the role lacks a grant for a route WHEN the state machine calls it THEN API Gateway answers 403 and the request is recorded as failed', async () => {
  // GIVEN the definition, edited to call a route the role was not granted
  const { definition, execute } = await run({ requests: (t) => [{ target: t.forecast, pathParameters: { city: 'oslo' } }] });
  definition.States['Plan requests'].Parameters.requests[0].path = '/ungranted';
  upstream.reset();

  // WHEN
  const { output } = await execute(definition);

  // THEN
  expect(upstream.requests).toHaveLength(0);
  expect(output.requests[0]).toMatchObject({ id: 'forecast-1', statusCode: 403, outcome: 'FAILED', error: 'ApiGateway.403' });
});

/** A sink made of one Pass state (or a Fail state), to see what sinks receive and how their failures are recorded. */
class TestSink implements IResponseSink {
  public received?: ResponseSinkBindOptions;
  constructor(private readonly fail: boolean) {}
  public bindToInvoker(scope: Construct, options: ResponseSinkBindOptions): ResponseSinkConfig {
    this.received = options;
    const chain = this.fail
      ? new sfn.Fail(scope, 'Refuse', { error: 'Sink.Refused', cause: 'the test sink refuses everything' })
      : new sfn.Pass(scope, 'Keep', {
        parameters: { 'key.$': "States.Format('{}/{}/{}/{}', $.request.target, $.request.id, $.trigger.scheduledTime, $.response.body.temp)", 'status.$': '$.response.statusCode', 'unkept.$': '$.response.headers' },
      });
    return { chain, maxDuration: Duration.seconds(5), resultFields: this.fail ? undefined : { key: '$.key', status: '$.status' } };
  }
}

test('GIVEN a sink WHEN a response arrives THEN the sink gets the response and request, and its small result is kept', async () => {
  // GIVEN
  upstream.answer({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"temp":3}' });
  const sink = new TestSink(false);

  // WHEN
  const { output } = await run({ requests: (t) => [{ target: t.forecast, pathParameters: { city: 'oslo' } }], sink });

  // THEN
  expect(sink.received?.targetIds).toEqual(['forecast']);
  expect(output.requests[0]).toMatchObject({
    outcome: 'SUCCEEDED',
    statusCode: 200,
    // the sink saw the request, the trigger and the parsed body; only the declared fields are kept
    sink: { key: `forecast/forecast-1/${SCHEDULE_INPUT.scheduledTime}/3`, status: 200 },
  });
});

test.each([
  ['absent', true],
  ['an empty string', false],
])('GIVEN a sink WHEN the upstream answers 204 and ResponseBody is %s THEN the sink gets the response with its body, and the request succeeds', async (_how, omit) => {
  // GIVEN
  upstream.answer({ status: 204, headers: {}, body: '' });
  const sink: IResponseSink = {
    bindToInvoker: (scope: Construct) => ({
      chain: new sfn.Pass(scope, 'Keep', { parameters: { 'status.$': '$.response.statusCode', 'body.$': '$.response.body' } }),
      maxDuration: Duration.seconds(5),
      resultFields: { status: '$.status', body: '$.body' },
    }),
  };

  // WHEN
  const { output, error } = await run({ requests: (t) => [{ target: t.forecast, pathParameters: { city: 'oslo' } }], sink, omitEmptyResponseBody: omit });

  // THEN: no States.Runtime from a path that selects nothing
  expect(error).toBeUndefined();
  expect(output.requests[0]).toMatchObject({ outcome: 'SUCCEEDED', statusCode: 204, sink: { status: 204, body: omit ? null : '' } });
});

test('GIVEN a sink that fails WHEN a response arrives THEN the request is recorded as SINK_FAILED with its status, and the others go on', async () => {
  // WHEN
  const { output, error } = await run({
    requests: (t) => [{ target: t.forecast, pathParameters: { city: 'oslo' } }, { target: t.forecast, pathParameters: { city: 'rome' } }],
    sink: new TestSink(true),
  });

  // THEN
  expect(error).toBeUndefined();
  expect(output.requests).toHaveLength(2);
  expect(output.requests[0]).toMatchObject({ statusCode: 200, outcome: 'SINK_FAILED', error: 'Sink.Refused' });
  expect(output.requests[0].sink).toBeUndefined();
});

test('GIVEN a response larger than the 256 KiB payload quota WHEN it arrives THEN that request is recorded as RESPONSE_TOO_LARGE without a retry, and the others go on', async () => {
  // GIVEN: oslo answers 300 KiB of JSON, rome a small body
  const large = JSON.stringify({ readings: 'x'.repeat(300 * 1024) });
  upstream.rule = (r) => r.path.endsWith('/oslo')
    ? { status: 200, headers: { 'content-type': 'application/json' }, body: large }
    : { status: 200, headers: { 'content-type': 'application/json' }, body: '{"temp":3}' };

  // WHEN: with a sink (the body is kept for it) and without one
  for (const sink of [new TestSink(false), undefined]) {
    upstream.requests.length = 0;
    const { output, error } = await run({
      requests: (t) => [{ target: t.forecast, pathParameters: { city: 'oslo' } }, { target: t.forecast, pathParameters: { city: 'rome' } }],
      sink,
      fastRetries: true,
    });

    // THEN: the execution succeeds and names the request whose answer was too large
    expect(error).toBeUndefined();
    expect(output.requests).toEqual([
      { id: 'forecast-1', target: 'forecast', outcome: 'RESPONSE_TOO_LARGE', error: 'States.DataLimitExceeded', startedAt: expect.any(String), finishedAt: expect.any(String) },
      expect.objectContaining({ id: 'forecast-2', statusCode: 200, outcome: 'SUCCEEDED' }),
    ]);
    // the same call would bring the same answer: it is made once
    expect(upstream.requests.filter((r) => r.path.endsWith('/oslo'))).toHaveLength(1);
  }
});
