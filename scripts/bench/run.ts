/**
 * `npx projen bench`: measures everything and writes docs/benchmarks.json
 * (raw results) and docs/benchmarks.md (made from the JSON by report.ts).
 * Only 127.0.0.1 is contacted. BENCH_RUNS overrides the runs per synth case
 * (at least 5 for the committed figures); BENCH_RENDER_ONLY=1 only renders
 * the page again from the JSON.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { measureBaselineRequest } from './baseline-units';
import { DURATION_MODEL, measureBillableUnits, ScenarioUnits } from './billable-units';
import { RUNS_PER_CASE, SCALE_CASES } from './cases';
import { REPO_ROOT, runChild } from './child-process';
import { CALLS_PER_DAY, invokerLayout, Layout, MeasuredPoll, monthlyCost, natLayout, privateLayout } from './cost';
import { baselineRunCost, fanOutRunCost } from './fan-out-cost';
import { FAN_OUT_LAYOUTS, FAN_OUT_REQUESTS, measureFanOuts } from './fan-out-units';
import { fixedInventory, InventoryLayout } from './fixed-inventory';
import { LimitResult } from './limits';
import { DAYS_PER_MONTH, PRICES, PRICES_CHECKED_ON, PRICES_REGION, costOf } from './prices';
import { renderMarkdown, writeMarkdown } from './report';
import { BenchResults, CostRow } from './results';
import { measureSwitchPoints } from './switch-point';
import { measureSynthScale } from './synth-scale';

const JSON_PATH = path.join(REPO_ROOT, 'docs', 'benchmarks.json');
const MD_PATH = path.join(REPO_ROOT, 'docs', 'benchmarks.md');

function poll(u: ScenarioUnits, level: 'ALL' | 'ERROR' = 'ERROR'): MeasuredPoll {
  return {
    transitions: u.transitions.transitions,
    billedDurationMs: u.billedDurationMs,
    apiGatewayRequests: u.apiGatewayRequests,
    accessLogBytes: u.accessLogBytes,
    s3Puts: u.s3Puts,
    dynamoWrites: u.dynamoWrites,
    dynamoReads: u.dynamoReads,
    snsPublishes: u.snsPublishes,
    sfnLogBytes: u.sfnLog[level].bytes,
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const say = (line: string) => console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0)} s] ${line}`);
  const runs = Number(process.env.BENCH_RUNS ?? RUNS_PER_CASE);

  say(`synth scale: ${SCALE_CASES.length} cases x library (and baseline where built) x ${runs} runs, one fresh process each`);
  const rows = await measureSynthScale(runs, say);

  say('switch point of layout AUTO: bisection by synthesis');
  const switchPoints = measureSwitchPoints(say);

  say('limits: bisection over request and target counts');
  const { result: limits } = await runChild<LimitResult[]>('limits.ts', [], 600_000);

  say('billable units: executing the synthesized state machines on 127.0.0.1');
  const units = await measureBillableUnits(say);

  say(`fan-outs: ${FAN_OUT_REQUESTS.join(', ')} requests in each layout, executed on 127.0.0.1`);
  const fanOutUnits = await measureFanOuts(say);
  const baselineUnits = await measureBaselineRequest();
  const unit = (id: string) => units.find((u) => u.scenario.id === id)!;

  const layouts: InventoryLayout[] = ['invoker', 'invoker-archive', 'invoker-archive-change', 'invoker-standard', 'private'];
  const inventory = layouts.map(fixedInventory);
  const inv = (l: InventoryLayout) => inventory.find((i) => i.layout === l)!;

  const costLayouts: Layout[] = [
    invokerLayout('express', 'Library default: EXPRESS, no archive', poll(unit('one')), inv('invoker'), 'EXPRESS'),
    invokerLayout('express-archive', 'EXPRESS + ResponseArchive (store every response)', poll(unit('one-archive')), inv('invoker-archive'), 'EXPRESS'),
    invokerLayout('express-archive-change', 'EXPRESS + ResponseArchive with change detection (unchanged poll)',
      poll(unit('one-change-same')), inv('invoker-archive-change'), 'EXPRESS'),
    invokerLayout('standard', 'STANDARD, no archive', poll(unit('one')), inv('invoker-standard'), 'STANDARD'),
    invokerLayout('standard-archive-change', 'STANDARD + ResponseArchive with change detection (unchanged poll)',
      poll(unit('one-change-same')), inv('invoker-archive-change'), 'STANDARD'),
    privateLayout(poll(unit('one')), inv('private')),
    natLayout(2, DURATION_MODEL.upstreamMs),
    natLayout(1, DURATION_MODEL.upstreamMs),
  ];
  const costs: CostRow[] = costLayouts.map((layout) => ({
    layout,
    byCallsPerDay: CALLS_PER_DAY.map((callsPerDay) => ({ callsPerDay, ...monthlyCost(layout, callsPerDay) })),
  }));

  // what each default costs next to its cheaper setting, one request per poll
  const polls = (perDay: number) => perDay * DAYS_PER_MONTH;
  const one = unit('one');
  const gb = 1024 ** 3;
  const base = inv('invoker');
  const routeFixed = costOf('alarmMetric', 2) + costOf('customMetric', 2);
  const defaultsReview: BenchResults['defaultsReview'] = [
    {
      item: 'X-Ray tracing (ScheduledInvoker tracing, HttpProxyApi tracing)',
      defaultValue: 'on',
      cheaperOption: 'tracing: false on both (cdk-nag then reports AwsSolutions-SF2 and the API stage\'s X-Ray rule)',
      monthlyUsdAt1k: costOf('xrayTrace', polls(1_000)),
      monthlyUsdAt100k: costOf('xrayTrace', polls(100_000)),
      note: 'one trace per poll assumed (Step Functions and API Gateway share it); 100,000 traces/month are free',
    },
    {
      item: 'Step Functions log level',
      defaultValue: 'ERROR',
      cheaperOption: 'OFF (ALL would cost the figures shown)',
      monthlyUsdAt1k: costOf('logsVendedIngestionGb', (one.sfnLog.ALL.bytes * polls(1_000)) / gb),
      monthlyUsdAt100k: costOf('logsVendedIngestionGb', (one.sfnLog.ALL.bytes * polls(100_000)) / gb),
      note: `ERROR writes ${one.sfnLog.ERROR.bytes} bytes on a clean poll, ALL about ${one.sfnLog.ALL.bytes} (estimated); the default is already the cheap level`,
    },
    {
      item: 'Execution data in logs',
      defaultValue: 'off',
      cheaperOption: 'off (already)',
      monthlyUsdAt1k: 0,
      monthlyUsdAt100k: 0,
      note: 'on would add every state input and output, response bodies included, to each ALL/ERROR record',
    },
    {
      item: 'Customer managed KMS keys',
      defaultValue: `${base.kmsKeys} (the stack's shared log key); ${inv('invoker-archive-change').kmsKeys} with the change topic's key`,
      cheaperOption: 'none that keeps the posture: the topic key has its own policy (SNS and the invoker), an AWS managed key cannot be limited',
      monthlyUsdAt1k: costOf('kmsKey', inv('invoker-archive-change').kmsKeys - 1),
      monthlyUsdAt100k: costOf('kmsKey', inv('invoker-archive-change').kmsKeys - 1),
      note: 'fixed; the figure is what the change topic\'s key adds; every log group of the stack shares one key',
    },
    {
      item: 'Alarms (alarms: true) and their route metric filters',
      defaultValue: `${base.alarms} alarms reading ${base.alarmMetrics} metrics, ${base.customMetrics} custom metrics for 1 route`,
      cheaperOption: 'alarms: false (no alarms, no metric filters)',
      monthlyUsdAt1k: costOf('alarmMetric', base.alarmMetrics) + costOf('customMetric', base.customMetrics),
      monthlyUsdAt100k: costOf('alarmMetric', base.alarmMetrics) + costOf('customMetric', base.customMetrics),
      note: `fixed; each further requested route adds an error-rate alarm on 2 metrics and 2 custom metrics: ${routeFixed.toFixed(2)} USD/month per route`,
    },
    {
      item: 'Workflow type',
      defaultValue: 'EXPRESS',
      cheaperOption: 'EXPRESS (already)',
      monthlyUsdAt1k: costOf('sfnStandardTransition', one.transitions.transitions * polls(1_000)),
      monthlyUsdAt100k: costOf('sfnStandardTransition', one.transitions.transitions * polls(100_000)),
      note: 'the figure is what STANDARD would cost in transitions instead',
    },
  ];

  const results: BenchResults = {
    generatedAt: new Date().toISOString().slice(0, 10),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      aws_cdk_lib: JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules', 'aws-cdk-lib', 'package.json'), 'utf8')).version,
    },
    benchWallSeconds: Math.round((performance.now() - started) / 1000),
    synthScale: { rows, runsPerCase: runs },
    switchPoints,
    limits,
    fanOuts: fanOutUnits.map((u) => ({ title: FAN_OUT_LAYOUTS[u.layout].title, units: u, cost: u.notBuilt ? undefined : fanOutRunCost(u) })),
    fanOutBaseline: {
      units: baselineUnits,
      byRequests: FAN_OUT_REQUESTS.map((requests) => ({ requests, cost: baselineRunCost(baselineUnits, requests) })),
    },
    units,
    durationModel: { ...DURATION_MODEL },
    inventory,
    prices: { checkedOn: PRICES_CHECKED_ON, region: PRICES_REGION, table: PRICES },
    costs,
    defaultsReview,
  };
  fs.writeFileSync(JSON_PATH, `${JSON.stringify(results, undefined, 2)}\n`);
  writeMarkdown(MD_PATH, renderMarkdown(results));
  say(`wrote ${path.relative(REPO_ROOT, JSON_PATH)} and ${path.relative(REPO_ROOT, MD_PATH)} in ${results.benchWallSeconds} s`);
}

/** BENCH_RENDER_ONLY=1: rewrite docs/benchmarks.md from the committed JSON (after a change to report.ts), measuring nothing. */
function renderOnly(): void {
  const results: BenchResults = JSON.parse(fs.readFileSync(JSON_PATH, 'utf8'));
  writeMarkdown(MD_PATH, renderMarkdown(results));
  console.log(`rewrote ${path.relative(REPO_ROOT, MD_PATH)} from ${path.relative(REPO_ROOT, JSON_PATH)}`);
}

(process.env.BENCH_RENDER_ONLY ? Promise.resolve(renderOnly()) : main()).catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
