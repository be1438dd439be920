/**
 * Billable units of one run of a fan-out (100, 1,000 and 10,000 requests
 * over 10 targets), in each layout that can hold it, counted by executing
 * the synthesized state machines on 127.0.0.1 (test/support:
 * LocalDeployment with the cloud assembly, so the request list asset is in
 * the S3 peer; Distributed Map states played by the harness, rules D1-D6).
 *
 * Layouts:
 * - `distributed`: library defaults, layout AUTO (which takes it past 20
 *   requests): a STANDARD parent whose Distributed Map runs EXPRESS
 *   children of `batchSize` requests.
 * - `inline-express` and `inline-standard`: the inline layout forced
 *   (`InvokerLayout.INLINE`) with the settings it needs to hold the
 *   requests at all; where synth refuses them, the refusal is recorded.
 *
 * MEASURED: parent and child transitions, child executions, Map Runs,
 * DescribeMapRun calls, API Gateway requests and access log bytes, the
 * request list object reads (ItemReader) and the ResultWriter's files and
 * bytes. ESTIMATED: each Express execution's billed duration and memory
 * (express-duration.ts).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { BODY, CountingPeers } from './billable-units';
import { billedMs, executionMs, expectedRetryWaitMs, expressMemory, invokeRetrier, outerTransitions, PerRequest } from './express-duration';
import { BENCH_ACCOUNT, BENCH_REGION, benchApp, buildLibraryStack, LibraryStackOptions } from './library-stack';
import { historyEvents, logBytes } from './step-functions-logs';
import { countTransitions, LocalEvent } from './transitions';
import { InvokerLayout } from '../../src';
import { DISTRIBUTED_STATE_NAMES } from '../../src/scheduled-invoker/distributed-layout';
import { RESULTS_EXPIRATION } from '../../src/scheduled-invoker/results-bucket';
import { taskStates } from '../../test/support/aws-peers';
import { LocalDeployment } from '../../test/support/local-deployment';
import { UpstreamStub } from '../../test/support/upstream-stub';

export const FAN_OUT_REQUESTS = [100, 1000, 10_000] as const;
/** Months the results bucket the invoker creates keeps a run's results (90 days, 30-day months). */
export const RESULTS_KEPT_MONTHS = RESULTS_EXPIRATION.toDays() / 30;
export const FAN_OUT_TARGETS = 10;

export type FanOutLayout = 'distributed' | 'inline-express' | 'inline-standard';

export const FAN_OUT_LAYOUTS: Record<FanOutLayout, { title: string; options: Omit<LibraryStackOptions, 'requests' | 'targets'> }> = {
  'distributed': { title: 'Distributed (AUTO on the defaults): STANDARD parent, EXPRESS children', options: {} },
  'inline-express': {
    title: 'Inline EXPRESS, forced: maxConcurrency 40, 5 s target timeout',
    options: { layout: InvokerLayout.INLINE, maxConcurrency: 40, targetTimeout: Duration.seconds(5) },
  },
  'inline-standard': { title: 'Inline STANDARD, forced: 24 h execution timeout, maxConcurrency 40', options: { layout: InvokerLayout.INLINE, workflow: 'STANDARD_24H' } },
};

/** What one run of one layout at one request count was billed for (or why it could not be built). */
export interface FanOutUnits {
  readonly requests: number;
  readonly layout: FanOutLayout;
  /** The first line of the synth error, when the layout cannot hold the requests. */
  readonly notBuilt?: string;
  readonly status?: string;
  readonly outcomes?: Record<string, number>;
  readonly stateMachineType?: string;
  readonly batchSize?: number;
  readonly batchConcurrency?: number;
  readonly parallelBatches?: number;
  /** States entered + retries of the top-level execution (the parent, or the inline execution). */
  readonly executionTransitions?: number;
  readonly mapRuns?: number;
  readonly childExecutions?: number;
  /** States entered + retries inside the children (not billed for EXPRESS children). */
  readonly childTransitions?: number;
  /** What a STANDARD execution is billed: its transitions, plus one per child execution a Distributed Map starts. */
  readonly standardTransitions?: number;
  readonly expressRequests?: number;
  /** Sum of the billed durations of the Express executions (each rounded up to 100 ms). */
  readonly expressBilledMs?: number;
  /** The largest billed memory of an Express execution, MB (pricing page formula, 64 MB chunks). */
  readonly expressBilledMemoryMb?: number;
  readonly expressEstimatedMemoryMb?: number;
  readonly apiGatewayRequests?: number;
  readonly upstreamRequests?: number;
  readonly accessLogBytes?: number;
  /** Step Functions log bytes at the default level ERROR (estimated records; 0 on a clean run). */
  readonly sfnErrorLogBytes?: number;
  readonly describeMapRunCalls?: number;
  /** GetObject of the request list (one per Map Run, D1). */
  readonly s3Gets?: number;
  /** PutObject by the ResultWriter (its files and manifest, D5) and by the sink. */
  readonly s3Puts?: number;
  readonly resultBytes?: number;
  readonly requestListBytes?: number;
  /** X-Ray traces, assumed one per execution (parent and each child). */
  readonly xrayTraces?: number;
  readonly localDurationMs?: number;
}

/** One run's executions, for what STANDARD bills. */
export interface RunTransitions {
  readonly parentStandard: boolean;
  /** States entered and retried by the top-level execution. */
  readonly parentTransitions: number;
  /** Child executions started by Distributed Map states. */
  readonly childExecutions: number;
  readonly childrenStandard: boolean;
  readonly childTransitions: number;
}

/**
 * The state transitions a run is billed: a STANDARD execution's states
 * entered and retried, plus "one state transition for each child workflow
 * execution that the Distributed Map state starts" (Step Functions
 * developer guide, "Transitions",
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-transitions.html),
 * plus the children's own when they are STANDARD. EXPRESS executions bill
 * none (they are billed by request and duration).
 */
export function billedStandardTransitions(t: RunTransitions): number {
  return (t.parentStandard ? t.parentTransitions + t.childExecutions : 0) + (t.childrenStandard ? t.childTransitions : 0);
}

function build(requests: number, layout: FanOutLayout, outdir: string) {
  const app = benchApp(outdir);
  const { stack, invoker } = buildLibraryStack(app, `FanOut${layout.replace(/-/g, '')}${requests}`, { requests, targets: FAN_OUT_TARGETS, ...FAN_OUT_LAYOUTS[layout].options });
  const assembly = app.synth();
  const template = JSON.parse(fs.readFileSync(assembly.getStackByName(stack.stackName).templateFullPath, 'utf8'));
  const asset = invoker.requestListAsset;
  return { invoker, template, requestListBytes: asset ? fs.statSync(path.join(outdir, asset.assetPath)).size : undefined };
}

async function measureOne(requests: number, layout: FanOutLayout, peers: CountingPeers, upstream: UpstreamStub, run = 1): Promise<FanOutUnits> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-fan-out-'));
  let d: LocalDeployment | undefined;
  try {
    let built;
    try {
      built = build(requests, layout, outdir);
    } catch (e: any) {
      return { requests, layout, notBuilt: String(e.message ?? e).split('\n')[0] };
    }
    const { invoker, template, requestListBytes } = built;
    const upstreams = Object.fromEntries(Array.from({ length: FAN_OUT_TARGETS }, (_, t) => [`https://feed${t}.example.com`, upstream.origin]));
    d = await LocalDeployment.deploy({
      template, assemblyDirectory: outdir, region: BENCH_REGION, account: BENCH_ACCOUNT, peers, name: `fan-${layout}-${requests}-${run}`, upstreams, childEvents: true,
    });
    upstream.reset();
    peers.reset();
    const tick = await d.tick(new Date(Date.UTC(2026, 11, 1, 9, 0)));
    if (tick.status !== 'SUCCEEDED') {
      throw new Error(`fan-out ${layout} ${requests}: ${tick.status} ${JSON.stringify(tick.error)}`);
    }
    const events = tick.events as LocalEvent[];
    const children = (tick.mapRuns ?? []).flatMap((r) => r.children);
    const childEvents = children.map((c) => (c.events ?? []) as LocalEvent[]);
    const parent = countTransitions(events);
    const childTransitions = childEvents.reduce((n, e) => n + countTransitions(e).transitions, 0);
    const distributed = invoker.layout === InvokerLayout.DISTRIBUTED;
    const express = distributed ? invoker.batchWorkflowType === 'EXPRESS' : invoker.workflowType === 'EXPRESS';
    const call = (suffix: string) => peers.calls[`arn:aws:states:::${suffix}`] ?? 0;
    const sinkPuts = call('aws-sdk:s3:putObject');

    // the Express estimate: per request, averaged over the run; each execution's outer transitions and waves
    const requestEvents = distributed ? childEvents : [events];
    const inner = requestEvents.reduce((n, e) => n + countTransitions(e).transitions - outerTransitions(e), 0);
    const retries = requestEvents.reduce((n, e) => n + countTransitions(e).retries, 0);
    const perRequest: PerRequest = {
      transitions: inner / requests,
      apiCalls: d.accessLog.length / requests,
      sdkCalls: (sinkPuts + call('dynamodb:updateItem') + call('dynamodb:getItem') + call('sns:publish')) / requests,
      retryWaitMs: expectedRetryWaitMs(invokeRetrier(d.definition), retries / requests),
    };
    const concurrency = distributed ? invoker.timeBudget.batchConcurrency! : invoker.timeBudget.maxConcurrency;
    const mapState = d.definition.States[DISTRIBUTED_STATE_NAMES.map];
    const expressRuns = !express ? [] : distributed
      ? children.map((c, i) => ({ events: childEvents[i], items: c.itemCount, definitionBytes: JSON.stringify(mapState.ItemProcessor).length }))
      : [{ events, items: requests, definitionBytes: JSON.stringify(d.definition).length }];
    const memories = expressRuns.map((r) => expressMemory(r.definitionBytes, r.events));
    // the result files as S3 holds them (JSON without indentation, so parsed and written again they are the same bytes)
    const written: Array<{ key: string; body: any }> = [];
    for (const mapRun of tick.mapRuns ?? []) {
      const w = mapRun.resultWriter;
      if (w) written.push(...(await peers.objects(w.bucket, w.manifestKey.replace(/manifest\.json$/, ''))).filter((o) => w.keys.includes(o.key)));
    }
    const resultBytes = written.reduce((n, o) => n + Buffer.byteLength(typeof o.body === 'string' ? o.body : JSON.stringify(o.body)), 0);
    const resources = Object.fromEntries(taskStates(d.definition).map((t) => [t.name, t.resource]));
    const outcomes: Record<string, number> = {};
    const records = distributed ? children.flatMap((c) => c.output?.requests ?? []) : tick.output?.requests ?? [];
    for (const r of records) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;

    return {
      requests,
      layout,
      status: tick.status,
      outcomes,
      stateMachineType: distributed ? 'STANDARD' : invoker.workflowType,
      batchSize: invoker.timeBudget.batchSize,
      batchConcurrency: invoker.timeBudget.batchConcurrency,
      parallelBatches: invoker.timeBudget.parallelBatches,
      executionTransitions: parent.transitions,
      mapRuns: tick.mapRuns?.length ?? 0,
      childExecutions: children.length,
      childTransitions,
      standardTransitions: billedStandardTransitions({
        parentStandard: distributed || !express,
        parentTransitions: parent.transitions,
        childExecutions: children.length,
        childrenStandard: distributed && !express,
        childTransitions,
      }),
      expressRequests: expressRuns.length,
      expressBilledMs: expressRuns.reduce((n, r) => n + billedMs(executionMs(outerTransitions(r.events), r.items, concurrency, perRequest)), 0),
      expressBilledMemoryMb: Math.max(0, ...memories.map((m) => m.billedMb)),
      expressEstimatedMemoryMb: Math.max(0, ...memories.map((m) => m.estimatedMb)),
      apiGatewayRequests: d.accessLog.length,
      upstreamRequests: upstream.requests.length,
      accessLogBytes: d.accessLog.reduce((sum: number, l: any) => sum + Buffer.byteLength(JSON.stringify(l)) + 1, 0),
      sfnErrorLogBytes: [events, ...childEvents].reduce((n, e) => n + logBytes(historyEvents(e, resources), 'ERROR').bytes, 0),
      describeMapRunCalls: events.filter((e) => (e.type === 'StateEntered' || e.type === 'StateRetried') && e.state?.name === DISTRIBUTED_STATE_NAMES.describe).length,
      s3Gets: tick.mapRuns?.length ?? 0,
      s3Puts: written.length + sinkPuts,
      resultBytes,
      requestListBytes,
      xrayTraces: 1 + children.length,
      localDurationMs: tick.durationMs,
    };
  } finally {
    await d?.stop();
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * The units that must not vary between two runs of the same stack; bytes
 * (access log lines record latencies, results record dates and names) may
 * vary by less than 1%.
 */
const COUNTED: Array<keyof FanOutUnits> = ['notBuilt', 'status', 'standardTransitions', 'childExecutions', 'childTransitions', 'expressRequests', 'expressBilledMs',
  'apiGatewayRequests', 's3Gets', 's3Puts', 'describeMapRunCalls', 'xrayTraces'];
const BYTES: Array<keyof FanOutUnits> = ['accessLogBytes', 'resultBytes'];

/**
 * Every layout at every request count, one run each: the counts do not
 * vary between runs (no faults are injected), which is checked by running
 * the smallest count of each layout a second time.
 */
export async function measureFanOuts(log: (line: string) => void = () => undefined): Promise<FanOutUnits[]> {
  const upstream = new UpstreamStub({ status: 200, headers: { 'content-type': 'application/json' }, body: BODY });
  const peers = new CountingPeers();
  const results: FanOutUnits[] = [];
  try {
    await upstream.start();
    await peers.start();
    for (const requests of FAN_OUT_REQUESTS) {
      for (const layout of Object.keys(FAN_OUT_LAYOUTS) as FanOutLayout[]) {
        const u = await measureOne(requests, layout, peers, upstream);
        results.push(u);
        log(`  ${layout} ${requests}: ${u.notBuilt ? 'cannot be built' : `${u.standardTransitions} billed transitions, ${u.expressRequests} Express, ${u.apiGatewayRequests} API calls, ${u.localDurationMs} ms`}`);
      }
    }
    for (const layout of Object.keys(FAN_OUT_LAYOUTS) as FanOutLayout[]) {
      const first = results.find((u) => u.layout === layout && u.requests === FAN_OUT_REQUESTS[0])!;
      const again = await measureOne(first.requests, layout, peers, upstream, 2);
      const differs = [
        ...COUNTED.filter((k) => JSON.stringify(first[k]) !== JSON.stringify(again[k])),
        ...BYTES.filter((k) => Math.abs(Number(first[k] ?? 0) - Number(again[k] ?? 0)) > 0.01 * Number(first[k] ?? 0)),
      ];
      if (differs.length) {
        throw new Error(`fan-out ${layout} ${first.requests}: a second run counted other ${differs.join(', ')}`);
      }
    }
  } finally {
    await peers.stop();
    await upstream.stop();
  }
  return results;
}
