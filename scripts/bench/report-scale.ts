/**
 * The "Synth scale" and "Switch point" sections of docs/benchmarks.md, and
 * the goal check of issue 20: at 100,000 requests the library synthesizes
 * in at most 5 s, into a template of at most 150 KiB, and its resource
 * count does not grow with requests.
 */
import { API_RESOURCES, CFN_RESOURCES, CFN_TEMPLATE, head, int, kb, mib, ms, over, ratio, row } from './report-format';
import { BenchResults, ScaleRow } from './results';
import type { SwitchPoint, SwitchProbe } from './switch-point';

/** The goals the page checks at 100,000 requests. */
export const SCALE_GOALS = { requests: 100_000, buildAndSynthMs: 5000, templateKiB: 150 } as const;

const dash = '-';
const layoutOf = (r: ScaleRow) => (r.library.layout ?? dash).toLowerCase();

function scaleTables(rows: ScaleRow[]): string[] {
  const time = [
    ...head(['Requests', 'Targets', 'Layout (AUTO)', 'Library build+synth ms', 'Baseline build+synth ms', 'Ratio', 'Library process ms', 'Baseline process ms', 'Ratio',
      'Library peak RSS MiB', 'Baseline peak RSS MiB', 'Ratio']),
    ...rows.map((r) => row([int(r.requests), int(r.targets), layoutOf(r),
      ms(r.library.medianBuildAndSynthMs), r.baseline ? ms(r.baseline.medianBuildAndSynthMs) : dash, r.ratio ? ratio(r.ratio.buildAndSynthMs) : dash,
      ms(r.library.medianProcessWallMs), r.baseline ? ms(r.baseline.medianProcessWallMs) : dash, r.ratio ? ratio(r.ratio.processWallMs) : dash,
      r.library.medianPeakRssMiB.toFixed(0), r.baseline ? r.baseline.medianPeakRssMiB.toFixed(0) : dash,
      r.ratio ? ratio(r.ratio.peakRssMiB) : dash])),
  ];
  const size = [
    ...head(['Requests', 'Targets', 'Layout (AUTO)', 'Library resources', 'Baseline resources', 'Ratio', 'Library template KiB', 'Baseline template KiB', 'Ratio',
      'Request list asset KiB', 'Library API resources', 'Baseline API resources', 'Library largest definition KiB']),
    ...rows.map((r) => row([int(r.requests), int(r.targets), layoutOf(r),
      over(r.library.resources, CFN_RESOURCES, int(r.library.resources)),
      r.baseline ? over(r.baseline.resources, CFN_RESOURCES, int(r.baseline.resources)) : dash,
      r.ratio ? r.ratio.resources.toFixed(3) : dash,
      over(r.library.templateBytes, CFN_TEMPLATE, kb(r.library.templateBytes)),
      r.baseline ? over(r.baseline.templateBytes, CFN_TEMPLATE, kb(r.baseline.templateBytes)) : dash,
      r.ratio ? r.ratio.templateBytes.toFixed(3) : dash,
      r.library.requestListBytes !== undefined ? kb(r.library.requestListBytes) : dash,
      over(r.library.apiResourcesPerApi, API_RESOURCES, int(r.library.apiResourcesPerApi)),
      r.baseline ? over(r.baseline.apiResourcesPerApi, API_RESOURCES, int(r.baseline.apiResourcesPerApi)) : dash,
      kb(r.library.maxDefinitionBytes)])),
  ];
  return [...time, '', ...size];
}

/** The goal rows: what was measured, and whether it passes. */
export function goalChecks(rows: ScaleRow[]): Array<{ goal: string; measured: string; pass: boolean }> {
  const top = rows.find((r) => r.requests === SCALE_GOALS.requests && r.targets === 10);
  if (!top) return [];
  const series = rows.filter((r) => r.targets === 10 && r.library.layout === top.library.layout).sort((a, b) => a.requests - b.requests);
  const counts = series.map((r) => `${int(r.library.resources)} at ${int(r.requests)}`);
  return [
    {
      goal: `${int(SCALE_GOALS.requests)} requests synthesize in at most ${SCALE_GOALS.buildAndSynthMs / 1000} s (build+synth, median)`,
      measured: `${ms(top.library.medianBuildAndSynthMs)} ms (the whole process, node and module loading included: ${ms(top.library.medianProcessWallMs)} ms)`,
      pass: top.library.medianBuildAndSynthMs <= SCALE_GOALS.buildAndSynthMs,
    },
    {
      goal: `its template is at most ${SCALE_GOALS.templateKiB} KiB`,
      measured: `${kb(top.library.templateBytes)} KiB (the request list is a ${mib(top.library.requestListBytes ?? 0)} MiB asset, outside the template)`,
      pass: top.library.templateBytes <= SCALE_GOALS.templateKiB * 1024,
    },
    {
      goal: 'its resource count does not grow with requests (10 targets, the same layout)',
      measured: `${counts.join(', ')} requests (${layoutOf(top)} layout)`,
      pass: series.length > 1 && series.every((r) => r.library.resources === top.library.resources),
    },
  ];
}

/** The synth-scale sentences README quotes (verbatim lines). */
export function scaleSentences(rows: ScaleRow[]): string[] {
  const out: string[] = [];
  const thousand = rows.find((x) => x.requests === 1000 && x.targets === 10);
  if (thousand?.baseline && thousand.ratio) {
    out.push(`At 1,000 requests over 10 targets the library (${layoutOf(thousand)} layout) synthesizes ${int(thousand.library.resources)} resources `
      + `(${kb(thousand.library.templateBytes)} KiB) in ${ms(thousand.library.medianBuildAndSynthMs)} ms; the baseline ${int(thousand.baseline.resources)} resources `
      + `(${kb(thousand.baseline.templateBytes)} KiB) in ${ms(thousand.baseline.medianBuildAndSynthMs)} ms (ratio ${ratio(thousand.ratio.buildAndSynthMs)}).`);
  }
  const top = rows.find((x) => x.requests === SCALE_GOALS.requests && x.targets === 10);
  if (top) {
    out.push(`At ${int(top.requests)} requests over 10 targets the library (${layoutOf(top)} layout) synthesizes ${int(top.library.resources)} resources `
      + `(${kb(top.library.templateBytes)} KiB of template, a ${mib(top.library.requestListBytes ?? 0)} MiB request list asset) in `
      + `${ms(top.library.medianBuildAndSynthMs)} ms (median of ${top.library.runs}; ${ms(top.library.medianProcessWallMs)} ms for the whole process).`);
  }
  return out;
}

export function scaleSection(r: BenchResults): string[] {
  const rows = r.synthScale.rows;
  const skipped = rows.filter((x) => x.baselineSkipped);
  const goals = goalChecks(rows);
  const defaults = r.switchPoints.find((p) => p.name === 'defaults');
  const added = defaults ? int(defaults.firstDistributed.resources - defaults.lastInline.resources) : '?';
  return [
    '## Synth scale',
    '',
    'The library on its defaults: one `HttpProxyApi` with N targets (`/feedN/{item}`), one `ScheduledInvoker` with the requests',
    'spread round-robin over them, layout AUTO (the column says which layout it took), EXPRESS, maxConcurrency 10, alarms,',
    'logs, X-Ray and KMS keys, no archive. The BASELINE is the same polling written by hand with aws-cdk-lib in the naive',
    'layout: one Regional IAM-auth REST API with one route and HTTP integration per request, one EXPRESS state machine per',
    'request (a `CallApiGatewayRestApiEndpoint` task, IAM_ROLE, retry on 429/5xx), and one Scheduler `CfnSchedule` with its',
    'own role per request (`scripts/bench/baseline-stack.ts`). It has no logs, alarms, DLQ or keys.',
    '',
    'Each synth runs in a fresh node process (`scripts/bench/synth-child.ts`, ts-node with `tsconfig.dev.json`,',
    '`TS_NODE_TRANSPILE_ONLY=1`), library and baseline interleaved; figures are medians. **build+synth** is construct',
    'building plus `app.synth()` inside the process; it excludes node start, ts-node and module loading (no type-checking',
    'happens: transpile-only), which **process** (the whole child\'s wall time, seen by the parent) includes. **peak RSS** is',
    '`process.resourceUsage().maxRSS` of the child. Template bytes are the file the CDK writes (1-space indented JSON), which',
    'is what is uploaded; the **request list asset** is the JSON file the distributed layout reads, uploaded by `cdk deploy`',
    'beside the template. Ratios are library / baseline, only where both were measured in this run. "(over)" marks a figure',
    'past a quota: 500 resources per stack, 1,000,000 template bytes, 300 API Gateway resources per REST API; the bench lifts',
    'aws-cdk-lib\'s 500-resource check (`@aws-cdk/core:stackResourceLimit: 0`) so the baseline can be measured at all.',
    '',
    ...scaleTables(rows),
    '',
    'Baseline not measured:',
    '',
    ...skipped.map((x) => `- ${int(x.requests)} requests over ${int(x.targets)} targets: ${x.baselineSkipped}.`),
    '',
    ...scaleSentences(rows).flatMap((s) => [s, '']),
    'The library\'s resources do not grow with requests, only with targets (each target is 2 API resources, 1 method and 1',
    'error-rate alarm) and with the layout: the distributed one adds a results bucket and its access log bucket, each with a',
    `bucket policy, and a managed policy (${added} resources at the switch point on the defaults). Its template grows with`,
    'requests in the inline layout (the request list is in the state machine definition), not in the distributed one (the',
    'list is the asset).',
    '',
    `Goals at ${int(SCALE_GOALS.requests)} requests (issue 20), checked against the figures above:`,
    '',
    ...head(['Goal', 'Measured', 'Result']),
    ...goals.map((g) => row([g.goal, g.measured, g.pass ? 'pass' : 'FAIL'])),
    '',
  ];
}

/** Why one more request is not inline: the inline time budget it would have (from the last inline probe's per-request worst case). */
function whyNot(p: SwitchPoint): string {
  const i = p.lastInline;
  const waves = Math.ceil(p.firstDistributed.requests / i.maxConcurrency);
  const worst = waves * i.perRequestSeconds;
  return worst > i.executionTimeoutSeconds
    ? `time budget: ${waves} waves x ${int(i.perRequestSeconds)} s = ${int(worst)} s > ${int(i.executionTimeoutSeconds)} s`
    : 'the 256 KiB payload';
}

export function switchSection(r: BenchResults): string[] {
  const budget = (p: SwitchProbe) => `${p.waves} wave(s) of ${p.maxConcurrency} x ${int(p.perRequestSeconds)} s = ${int(p.worstCaseSeconds)} s of ${int(p.executionTimeoutSeconds)} s`;
  return [
    '## Switch point of layout AUTO',
    '',
    'The largest number of requests one `ScheduledInvoker` still lays out inline, found by synthesizing: each probe builds and',
    'synthesizes the stack (one target) and reads `invoker.layout`; the search doubles the count until the invoker takes the',
    'distributed layout, then bisects (`scripts/bench/switch-point.ts`). The worst case is the invoker\'s `timeBudget`: the',
    'inline execution\'s, and the distributed parent\'s (its execution timeout when none is given).',
    '',
    ...head(['Configuration', 'Inline up to (requests)', 'Its worst case, of the execution timeout', 'Distributed from', 'Why not inline',
      'Parent worst case', 'Batch size', 'Resources inline / distributed', 'Synths']),
    ...r.switchPoints.map((p) => row([p.description, int(p.lastInline.requests), budget(p.lastInline), int(p.firstDistributed.requests), whyNot(p),
      `${int(p.firstDistributed.worstCaseSeconds)} s`, p.firstDistributed.batchSize ? int(p.firstDistributed.batchSize) : dash,
      `${int(p.lastInline.resources)} / ${int(p.firstDistributed.resources)}`, p.probes])),
    '',
  ];
}
