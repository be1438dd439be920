/**
 * Billable units per poll, counted by executing the synthesized state
 * machines on 127.0.0.1 with the end-to-end harness of the tests
 * (test/support: LocalDeployment, the API Gateway emulator, the
 * aws-local-stepfunctions runner, dynalite and fauxqs peers, the upstream
 * stub). Stacks are built here with the library's public API.
 *
 * MEASURED: state transitions (StateEntered + StateRetried events), Task
 * attempts, API Gateway requests and access log bytes (the emulator writes
 * the stage's access log format), upstream requests, S3 PutObject,
 * DynamoDB UpdateItem/GetItem and SNS Publish calls (counted in the Task
 * handlers), the local wall time.
 * ESTIMATED: the Step Functions log bytes per level (step-functions-logs.ts)
 * and the EXPRESS billed duration (express-duration.ts): a local run takes
 * no network time and skips retry waits, so its duration says nothing
 * about AWS's.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { billedMs, DURATION_MODEL, executionMs, expectedRetryWaitMs, invokeRetrier, outerTransitions as outerOf } from './express-duration';
import { benchApp, BENCH_ACCOUNT, BENCH_REGION } from './library-stack';
import { historyEvents, logBytes, SfnLogLevel } from './step-functions-logs';
import { countTransitions, LocalEvent, TransitionCount } from './transitions';
import { HttpProxyApi, InvokerLayout, InvokerRequest, InvokerSchedule, ResponseArchive, ScheduledInvoker } from '../../src';
import { LocalAwsPeers, taskStates } from '../../test/support/aws-peers';
import { LocalDeployment } from '../../test/support/local-deployment';
import { StubAnswer, UpstreamStub } from '../../test/support/upstream-stub';

export { DURATION_MODEL };

/** Response body of the stub: a small JSON document (about 120 bytes). */
export const BODY = JSON.stringify({ sku: 'widget-1', price: 10, currency: 'EUR', at: '2026-11-24T09:00:00Z', note: 'bench' });

export interface Scenario {
  readonly id: string;
  readonly title: string;
  readonly requests: number;
  readonly targets: number;
  readonly archive: 'none' | 'store' | 'change-detection';
  /** 503 answers before the first 200, per request. */
  readonly failuresBefore200?: number;
  /** Run the poll this many times and report the last (a second poll sees an unchanged body). */
  readonly polls?: number;
}

export const SCENARIOS: Scenario[] = [
  { id: 'one', title: 'One request, no archive', requests: 1, targets: 1, archive: 'none' },
  { id: 'one-archive', title: 'One request, archive (store every response, no change detection)', requests: 1, targets: 1, archive: 'store' },
  { id: 'one-change-new', title: 'One request, archive + change detection, body changed (announced)', requests: 1, targets: 1, archive: 'change-detection' },
  { id: 'one-change-same', title: 'One request, archive + change detection, body unchanged (2nd poll)', requests: 1, targets: 1, archive: 'change-detection', polls: 2 },
  { id: 'retry-1', title: 'One request, no archive, upstream 503 once then 200', requests: 1, targets: 1, archive: 'none', failuresBefore200: 1 },
  { id: 'retry-2', title: 'One request, no archive, upstream 503 twice then 200', requests: 1, targets: 1, archive: 'none', failuresBefore200: 2 },
  // fan-outs of 100 to 10,000 requests are fan-out-units.ts's
];

export interface ScenarioUnits {
  readonly scenario: Scenario;
  readonly status: string;
  readonly outcomes: Record<string, number>;
  readonly transitions: TransitionCount;
  readonly outerTransitions: number;
  readonly apiGatewayRequests: number;
  readonly upstreamRequests: number;
  readonly accessLogBytes: number;
  readonly s3Puts: number;
  readonly dynamoWrites: number;
  readonly dynamoReads: number;
  readonly snsPublishes: number;
  readonly localDurationMs: number;
  readonly sfnLog: Record<SfnLogLevel, { events: number; bytes: number }>;
  readonly expectedRetryWaitMs: number;
  readonly estimatedDurationMs: number;
  readonly billedDurationMs: number;
}

/** Peers whose Task handlers count their calls. */
export class CountingPeers extends LocalAwsPeers {
  public readonly calls: Record<string, number> = {};
  public handlers(): Record<string, (input: any) => Promise<any>> {
    return Object.fromEntries(Object.entries(super.handlers()).map(([resource, handler]) => [resource, async (input: any) => {
      this.calls[resource] = (this.calls[resource] ?? 0) + 1;
      return handler(input);
    }]));
  }
  public reset(): void {
    Object.keys(this.calls).forEach((k) => delete this.calls[k]);
  }
}

function buildScenarioStack(s: Scenario): { stack: Stack; maxConcurrency: number } {
  const stack = new Stack(benchApp(), `Units${s.id.replace(/[^A-Za-z0-9]/g, '')}`, { env: { account: BENCH_ACCOUNT, region: BENCH_REGION } });
  const api = new HttpProxyApi(stack, 'Egress');
  const targets = Array.from({ length: s.targets }, (_, t) => api.addTarget(`feed${t}`, { url: `https://feed${t}.example.com/v1/items/{item}` }));
  const requests: InvokerRequest[] = Array.from({ length: s.requests }, (_, i) => ({ target: targets[i % s.targets], pathParameters: { item: `item-${i}` } }));
  const sink = s.archive === 'none' ? undefined
    : new ResponseArchive(stack, 'Archive', s.archive === 'change-detection' ? { changeDetection: {} } : {});
  // layout AUTO, as a user gets it: one request fits one inline execution (checked below)
  const invoker = new ScheduledInvoker(stack, 'Poller', { schedule: InvokerSchedule.rate(Duration.minutes(15)), requests, sink });
  if (invoker.layout !== InvokerLayout.INLINE) {
    throw new Error(`scenario ${s.id}: layout AUTO took ${invoker.layout}; the per-poll units are the inline layout's`);
  }
  return { stack, maxConcurrency: invoker.timeBudget.maxConcurrency };
}

export async function measureBillableUnits(log: (line: string) => void = () => undefined): Promise<ScenarioUnits[]> {
  const upstream = new UpstreamStub({ status: 200, headers: { 'content-type': 'application/json' }, body: BODY });
  const peers = new CountingPeers();
  const deployments: LocalDeployment[] = [];
  const results: ScenarioUnits[] = [];
  try {
    await upstream.start();
    await peers.start();
    for (const s of SCENARIOS) {
      const { stack, maxConcurrency } = buildScenarioStack(s);
      const template = Template.fromStack(stack).toJSON();
      const upstreams = Object.fromEntries(Array.from({ length: s.targets }, (_, t) => [`https://feed${t}.example.com`, upstream.origin]));
      const d = await LocalDeployment.deploy({ template, region: BENCH_REGION, account: BENCH_ACCOUNT, peers, name: `bench-${s.id}`, upstreams });
      deployments.push(d);
      let tick;
      for (let poll = 1; poll <= (s.polls ?? 1); poll++) {
        upstream.reset();
        peers.reset();
        const seen = new Map<string, number>();
        upstream.rule = (r): StubAnswer | undefined => {
          const n = (seen.get(r.path) ?? 0) + 1;
          seen.set(r.path, n);
          return n <= (s.failuresBefore200 ?? 0) ? { status: 503, headers: { 'content-type': 'application/json' }, body: '{"error":"busy"}' } : undefined;
        };
        const logged = d.accessLog.length;
        tick = await d.tick(new Date(Date.UTC(2026, 10, 24, 9, 15 * poll)));
        tick = { ...tick, accessLog: d.accessLog.slice(logged) };
      }
      const events = (tick!.events ?? []) as LocalEvent[];
      const transitions = countTransitions(events);
      const outerTransitions = outerOf(events);
      const resources = Object.fromEntries(taskStates(d.definition).map((t) => [t.name, t.resource]));
      const history = historyEvents(events, resources);
      const sfnLog = Object.fromEntries((['ALL', 'ERROR', 'FATAL', 'OFF'] as SfnLogLevel[]).map((l) => [l, logBytes(history, l)])) as ScenarioUnits['sfnLog'];
      const outcomes: Record<string, number> = {};
      for (const r of tick!.output?.requests ?? []) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
      const call = (suffix: string) => peers.calls[`arn:aws:states:::${suffix}`] ?? 0;

      // the EXPRESS duration: the longest path through the run, request by request in waves of maxConcurrency
      const perRequest = {
        transitions: (transitions.transitions - outerTransitions) / s.requests,
        apiCalls: tick!.accessLog.length / s.requests,
        sdkCalls: (call('aws-sdk:s3:putObject') + call('dynamodb:updateItem') + call('dynamodb:getItem') + call('sns:publish')) / s.requests,
        retryWaitMs: expectedRetryWaitMs(invokeRetrier(d.definition), transitions.retries / s.requests),
      };
      const estimatedDurationMs = executionMs(outerTransitions, s.requests, maxConcurrency, perRequest);
      results.push({
        scenario: s,
        status: tick!.status ?? 'NOT STARTED',
        outcomes,
        transitions,
        outerTransitions,
        apiGatewayRequests: tick!.accessLog.length,
        upstreamRequests: upstream.requests.length,
        accessLogBytes: tick!.accessLog.reduce((sum: number, l: any) => sum + Buffer.byteLength(JSON.stringify(l)) + 1, 0),
        s3Puts: call('aws-sdk:s3:putObject'),
        dynamoWrites: call('dynamodb:updateItem'),
        dynamoReads: call('dynamodb:getItem'),
        snsPublishes: call('sns:publish'),
        localDurationMs: tick!.durationMs,
        sfnLog,
        expectedRetryWaitMs: perRequest.retryWaitMs,
        estimatedDurationMs,
        billedDurationMs: billedMs(estimatedDurationMs),
      });
      log(`  ${s.id}: ${transitions.transitions} transitions, ${tick!.accessLog.length} API calls, ${tick!.status}`);
    }
  } finally {
    await Promise.all(deployments.map((d) => d.stop()));
    await peers.stop();
    await upstream.stop();
  }
  return results;
}
