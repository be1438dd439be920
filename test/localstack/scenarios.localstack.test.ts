/**
 * The end-to-end scenarios on both runtimes, side by side: each runs the
 * same synthesized template, against the same stub upstream behaviour
 * (support/scenario-upstream.ts), on the local harness
 * (test/support/local-deployment.ts) and on LocalStack, and the two are
 * compared request by request: the outcome records, the archived objects
 * and the requests the upstream received, normalised only as
 * support/compare.ts says. A difference fails, unless the scenario names
 * the deviation (support/deviations.ts) that explains it, with the AWS page
 * that shows what AWS does; the deviation then says exactly what LocalStack
 * is expected to do instead.
 *
 * The stacks: support/scenario-app.ts (one invoker per scenario, no
 * DynamoDB) and the quickstart example as it is.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Template } from 'aws-cdk-lib/assertions';
import { comparedKey, comparedRecord, comparedRequests, ComparedRequest, mappedResponseHeaders, recordWithoutTimes } from './support/compare';
import { DeviationId, DEVIATIONS } from './support/deviations';
import { prepareForLocalStack } from './support/lane-template';
import { DeployedStack, deployOnLocalStack, destroyLocalStackClients } from './support/localstack';
import { FAN_OUT, laneScenarioStack, REFUSED_UPSTREAM, ScenarioId, UPSTREAM } from './support/scenario-app';
import { LARGE_BODY_BYTES, scenarioAnswers } from './support/scenario-upstream';
import { fireSchedule } from './support/scheduled-run';
import { quickstartTemplates } from '../support/all-templates';
import { LocalAwsPeers } from '../support/aws-peers';
import { LocalDeployment } from '../support/local-deployment';
import { TEST_ACCOUNT, TEST_REGION } from '../support/test-stack';
import { RecordedRequest, UpstreamStub } from '../support/upstream-stub';

/** What one run showed, before normalisation. */
interface Run {
  readonly status?: string;
  readonly records: any[];
  readonly requests: RecordedRequest[];
  readonly objects: Array<{ key: string; body: any }>;
}

/** What is compared of a run. */
interface Observed {
  readonly status?: string;
  readonly records: any[];
  readonly requests: ComparedRequest[];
  readonly objects: Array<{ key: string; body: any }>;
}

const stack = laneScenarioStack();
const scenarioTemplate = Template.fromStack(stack).toJSON();
const scheduleOf = (sid: ScenarioId) => stack.getLogicalId(stack.invokers[sid].schedule.node.defaultChild as any);
const bucketId = stack.getLogicalId(stack.archive.bucket.node.defaultChild as any);
const quickstart = quickstartTemplates()[0];
const quickstartSchedule = Object.entries<any>(quickstart.template.Resources).find(([, r]) => r.Type === 'AWS::Scheduler::Schedule')![0];

const upstream = new UpstreamStub();
const peers = new LocalAwsPeers();
const SCHEDULED = new Date(Date.UTC(2026, 11, 1, 9, 0));
let upstreams: Record<string, string>;
let harness: { scenarios: LocalDeployment; quickstart: LocalDeployment };
let localstack: { scenarios: DeployedStack; quickstart: DeployedStack };

/** A port on 127.0.0.1 that was just closed: connecting to it is refused. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  await upstream.start();
  await peers.start();
  upstreams = {
    [UPSTREAM]: upstream.origin,
    [REFUSED_UPSTREAM]: `http://127.0.0.1:${await closedPort()}`,
    'https://api.open-meteo.example': upstream.origin,
    'https://status.partner.example': upstream.origin,
  };
  const quickstartEnv = quickstart.env!;
  const [scenariosHere, quickstartHere, scenariosThere, quickstartThere] = await Promise.all([
    LocalDeployment.deploy({ template: scenarioTemplate, region: TEST_REGION, account: TEST_ACCOUNT, peers, name: 'lane', upstreams }),
    LocalDeployment.deploy({ template: quickstart.template, ...quickstartEnv, peers, name: 'lane-quickstart', upstreams }),
    deployOnLocalStack({
      stackName: 'lane-scenarios',
      template: prepareForLocalStack(scenarioTemplate, { stackName: 'lane-scenarios', account: TEST_ACCOUNT, region: TEST_REGION, upstreams }).template,
      account: TEST_ACCOUNT,
      region: TEST_REGION,
    }),
    deployOnLocalStack({
      stackName: 'lane-quickstart-run',
      template: prepareForLocalStack(quickstart.template, { stackName: 'lane-quickstart-run', ...quickstartEnv, upstreams }).template,
      ...quickstartEnv,
    }),
  ]);
  harness = { scenarios: scenariosHere, quickstart: quickstartHere };
  localstack = { scenarios: scenariosThere, quickstart: quickstartThere };
}, 240_000);

afterAll(async () => {
  await harness?.scenarios.stop();
  await harness?.quickstart.stop();
  await peers.stop();
  await upstream.stop();
  destroyLocalStackClients();
});

/** Every object of the harness's archive bucket, and what the run added. */
async function harnessObjects(): Promise<Array<{ key: string; body: any }>> {
  return peers.objects(harness.scenarios.physicalName(bucketId));
}

async function localStackObjects(): Promise<Array<{ key: string; body: any }>> {
  const { s3 } = localstack.scenarios.clients;
  const bucket = localstack.scenarios.physicalId(bucketId);
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  const out: Array<{ key: string; body: any }> = [];
  for (const o of listed.Contents ?? []) {
    const text = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }))).Body!.transformToString();
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      // kept as text
    }
    out.push({ key: o.Key!, body });
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

/** Runs one scenario on the harness, then on LocalStack, each against a fresh stub rule. */
async function runBoth(sid: ScenarioId | 'quickstart'): Promise<{ here: Run; there: Run }> {
  const on = sid === 'quickstart' ? 'quickstart' : 'scenarios';
  const template = sid === 'quickstart' ? quickstart.template : scenarioTemplate;
  const schedule = sid === 'quickstart' ? quickstartSchedule : scheduleOf(sid);

  upstream.reset();
  upstream.rule = scenarioAnswers();
  const before = on === 'scenarios' ? await harnessObjects() : [];
  const tick = await harness[on].tick(SCHEDULED, {}, schedule);
  const hereObjects = on === 'scenarios' ? (await harnessObjects()).filter((o) => !before.some((b) => b.key === o.key)) : [];
  const here: Run = { status: tick.status, records: tick.output?.requests ?? [], requests: [...upstream.requests], objects: hereObjects };

  upstream.reset();
  upstream.rule = scenarioAnswers();
  const beforeThere = on === 'scenarios' ? await localStackObjects() : [];
  const fired = await fireSchedule(localstack[on], template, schedule, SCHEDULED, `lane-${sid}`);
  const thereObjects = on === 'scenarios' ? (await localStackObjects()).filter((o) => !beforeThere.some((b) => b.key === o.key)) : [];
  const there: Run = { status: fired.status, records: fired.output?.requests ?? [], requests: [...upstream.requests], objects: thereObjects };
  return { here, there };
}

const mapped = mappedResponseHeaders(scenarioTemplate);

/** A run as compared: timestamps out, requests and objects normalised. */
function observed(run: Run, dropHeaders: readonly string[] = []): Observed {
  return {
    status: run.status,
    records: run.records.map(recordWithoutTimes),
    requests: comparedRequests(run.requests, dropHeaders),
    objects: run.objects.map((o) => ({ key: comparedKey(o.key), body: comparedRecord(o.body, mapped) })),
  };
}

/** The timestamps of every record: both there, parseable, in order; in the form each runtime renders. */
function checkTimes(run: Run, form: RegExp) {
  for (const r of run.records) {
    expect(r.startedAt).toMatch(form);
    expect(r.finishedAt).toMatch(form);
    expect(Date.parse(r.finishedAt)).toBeGreaterThanOrEqual(Date.parse(r.startedAt));
  }
}
const AWS_FORM = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const LOCALSTACK_FORM = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/;

/**
 * The comparison: LocalStack's run equals the harness's, once the named
 * deviations have turned the harness's into what LocalStack is expected to
 * do. LOCALSTACK_ACCEPT_ENCODING applies to every request LocalStack's API
 * Gateway sends, and LOCALSTACK_ENTERED_TIME_FORMAT to every record.
 */
function compare(here: Run, there: Run, expectThere: (o: Observed) => Observed = (o) => o, deviations: DeviationId[] = []) {
  for (const d of deviations) expect(DEVIATIONS[d]).toBeDefined();
  checkTimes(here, AWS_FORM);
  checkTimes(there, LOCALSTACK_FORM);
  const fromHarness = observed(here);
  const expected = expectThere({
    ...fromHarness,
    requests: fromHarness.requests.map((r) => ({ ...r, headers: { ...r.headers, 'accept-encoding': 'identity' } })).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
  });
  expect(observed(there)).toEqual(expected);
}

const byId = (run: Run) => Object.fromEntries(run.records.map((r) => [r.id, r]));

test('GIVEN the deviations the lane knows WHEN docs/end-to-end.md lists them THEN each one is there, under "Deviations found"', () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'end-to-end.md'), 'utf8');
  const section = doc.split('### Deviations found')[1]?.split(/\n##+ /)[0] ?? '';
  expect(Object.keys(DEVIATIONS).filter((id) => !section.includes(`**${id}.**`))).toEqual([]);
  for (const d of Object.values(DEVIATIONS)) {
    expect(d.pages.length).toBeGreaterThan(0);
  }
});

describe('the same scenario on the local harness and on LocalStack', () => {
  test('GIVEN the quickstart example WHEN its schedule fires and every upstream answers 200 THEN both runtimes record three successes from the same three upstream requests', async () => {
    const { here, there } = await runBoth('quickstart');

    expect(here.status).toBe('SUCCEEDED');
    expect(here.records.map(recordWithoutTimes)).toEqual([
      { id: 'forecast-1', target: 'forecast', statusCode: 200, outcome: 'SUCCEEDED' },
      { id: 'forecast-2', target: 'forecast', statusCode: 200, outcome: 'SUCCEEDED' },
      { id: 'status-1', target: 'status', statusCode: 200, outcome: 'SUCCEEDED' },
    ]);
    expect(here.requests.map((r) => `${r.path}?${new URLSearchParams(r.query)}`).sort()).toEqual(['/api/v2/summary?', '/v1/forecast/oslo?days=3&units=metric', '/v1/forecast/paris?days=3&units=metric']);
    compare(here, there);
  }, 60_000);

  test('GIVEN an upstream answering 200 WHEN the invoker runs THEN both record SUCCEEDED with 200 from one request with the declared query', async () => {
    const { here, there } = await runBoth('ok');

    expect(byId(here).ok).toMatchObject({ outcome: 'SUCCEEDED', statusCode: 200 });
    expect(here.requests.map((r) => r.query)).toEqual([{ probe: 'first' }]);
    compare(here, there);
  }, 60_000);

  test('GIVEN an upstream answering 201 WHEN the invoker runs THEN the harness records SUCCEEDED, and LocalStack, departing from AWS, FAILED with ApiGateway.201', async () => {
    const { here, there } = await runBoth('created');

    expect(byId(here).created).toMatchObject({ outcome: 'SUCCEEDED', statusCode: 201 });
    expect(here.requests).toHaveLength(1);
    // LocalStack fails anything but 200; the invoker's retriers take an
    // error they do not know as a fault (1 + retry.maxAttempts calls)
    compare(here, there, (o) => ({
      ...o,
      records: [{ id: 'created', target: 'items', statusCode: 201, outcome: 'FAILED', error: 'ApiGateway.201' }],
      requests: [...o.requests, ...o.requests, ...o.requests],
    }), ['LOCALSTACK_2XX_OTHER_THAN_200_FAILS']);
  }, 60_000);

  test('GIVEN an upstream answering 404 WHEN the invoker runs THEN both record FAILED with ApiGateway.404 after one request, not retried', async () => {
    const { here, there } = await runBoth('notFound');

    expect(byId(here).missing).toMatchObject({ outcome: 'FAILED', statusCode: 404, error: 'ApiGateway.404' });
    expect(here.requests).toHaveLength(1);
    compare(here, there);
  }, 60_000);

  test('GIVEN an upstream answering 503 once WHEN the invoker runs THEN both retry once and record SUCCEEDED with 200', async () => {
    const { here, there } = await runBoth('unavailable');

    expect(byId(here).flaky).toMatchObject({ outcome: 'SUCCEEDED', statusCode: 200 });
    expect(here.requests).toHaveLength(2);
    compare(here, there);
  }, 60_000);

  test('GIVEN an upstream answering 429 with Retry-After once WHEN the invoker runs THEN both retry once and record SUCCEEDED with 200', async () => {
    const { here, there } = await runBoth('throttled');

    expect(byId(here).busy).toMatchObject({ outcome: 'SUCCEEDED', statusCode: 200 });
    expect(here.requests).toHaveLength(2);
    compare(here, there);
  }, 60_000);

  test('GIVEN an upstream slower than the route\'s 1 s timeout once WHEN the invoker runs THEN both get API Gateway\'s 504, retry, and record SUCCEEDED with 200', async () => {
    const { here, there } = await runBoth('timeout');

    expect(byId(here).slow).toMatchObject({ outcome: 'SUCCEEDED', statusCode: 200 });
    expect(here.requests).toHaveLength(2);
    compare(here, there);
  }, 60_000);

  test('GIVEN an upstream that refuses connections WHEN the invoker runs THEN both record FAILED with ApiGateway.500 after the retries', async () => {
    const { here, there } = await runBoth('refused');

    expect(byId(here).refused).toMatchObject({ outcome: 'FAILED', statusCode: 500, error: 'ApiGateway.500' });
    expect(here.requests).toHaveLength(0);
    compare(here, there);
  }, 60_000);

  test(`GIVEN a fan-out of ${FAN_OUT} requests WHEN the invoker runs THEN both record ${FAN_OUT} successes in order, from the same ${FAN_OUT} upstream requests`, async () => {
    const { here, there } = await runBoth('fanOut');

    expect(here.records.map((r) => [r.id, r.outcome])).toEqual(Array.from({ length: FAN_OUT }, (_, i) => [`fan-${String(i + 1).padStart(2, '0')}`, 'SUCCEEDED']));
    expect(here.requests).toHaveLength(FAN_OUT);
    compare(here, there);
  }, 120_000);

  test('GIVEN a response over 256 KiB WHEN the invoker runs THEN the harness records RESPONSE_TOO_LARGE after one request, and LocalStack, departing from AWS, retries and records ApiGateway.FailureEventException', async () => {
    const { here, there } = await runBoth('tooLarge');

    expect(byId(here).large).toMatchObject({ outcome: 'RESPONSE_TOO_LARGE', error: 'States.DataLimitExceeded' });
    expect(byId(here).small).toMatchObject({ outcome: 'SUCCEEDED', statusCode: 200 });
    expect(here.requests.filter((r) => r.path === '/v1/items/large')).toHaveLength(1);
    expect(Buffer.byteLength(JSON.stringify({ padding: 'x'.repeat(LARGE_BODY_BYTES) }))).toBeGreaterThan(256 * 1024);
    // LocalStack: the relabelled error is retried like a fault (1 + retry.maxAttempts calls)
    compare(here, there, (o) => {
      const large = o.requests.find((r) => r.path === '/v1/items/large')!;
      return {
        ...o,
        records: o.records.map((r) => (r.id === 'large' ? { id: 'large', target: 'items', outcome: 'FAILED', error: 'ApiGateway.FailureEventException' } : r)),
        requests: [...o.requests, large, large].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      };
    }, ['LOCALSTACK_DATA_LIMIT_RELABELLED']);
  }, 60_000);

  test('GIVEN a ResponseArchive without change detection WHEN the invoker runs THEN both store the same records under the same keys, as JSON objects', async () => {
    const { here, there } = await runBoth('archive');

    expect(here.records.map((r) => [r.id, r.outcome, r.sink.changed])).toEqual([['doc-a', 'SUCCEEDED', null], ['doc-b', 'SUCCEEDED', null]]);
    expect(here.objects.map((o) => comparedKey(o.key))).toEqual([
      'responses/target=items/date=<start date>/<execution>/0-doc-a.json',
      'responses/target=items/date=<start date>/<execution>/1-doc-b.json',
    ]);
    expect(here.objects.map((o) => o.body.body)).toEqual([{ path: '/v1/items/doc-a', query: { probe: 'x' } }, { path: '/v1/items/doc-b', query: {} }]);
    // each record names the key it was stored under
    expect(here.records.map((r) => r.sink.key)).toEqual(here.objects.map((o) => o.key));
    expect(there.records.map((r) => r.sink.key)).toEqual(there.objects.map((o) => o.key));
    compare(here, there);
  }, 60_000);

  test('GIVEN POST requests with a JSON body and a header, and with a text body WHEN the invoker runs THEN the JSON one matches, and LocalStack, departing from AWS, garbles the header and refuses the text body', async () => {
    const { here, there } = await runBoth('post');

    expect(here.records.map(recordWithoutTimes)).toEqual([
      { id: 'json', target: 'orders', statusCode: 200, outcome: 'SUCCEEDED' },
      { id: 'text', target: 'orders', statusCode: 200, outcome: 'SUCCEEDED' },
    ]);
    const text = here.requests.find((r) => r.body === 'since=yesterday');
    expect(text?.headers['content-type']).toBe('text/plain');
    compare(here, there, (o) => ({
      ...o,
      // the text body never reaches the upstream: 400 from LocalStack's API Gateway
      records: o.records.map((r) => (r.id === 'text' ? { id: 'text', target: 'orders', statusCode: 400, outcome: 'FAILED', error: 'ApiGateway.400' } : r)),
      requests: o.requests
        .filter((r) => r.body !== 'since=yesterday')
        .map((r) => ({ ...r, headers: { ...r.headers, 'accept-language': '[de]' } })),
    }), ['LOCALSTACK_HEADER_LIST_AS_TEXT', 'LOCALSTACK_TEXT_BODY_SENT_AS_JSON', 'LOCALSTACK_BODY_VALIDATED_WITHOUT_MODEL']);
  }, 60_000);
});
