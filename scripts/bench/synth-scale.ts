/**
 * The synth-scale runs: every case of cases.ts, the library and (where the
 * case asks for it) the baseline, each synthesized RUNS_PER_CASE times in
 * a fresh child process (synth-child.ts), interleaved (library, baseline,
 * next case, ... then the next round) so that drift of the machine hits
 * both alike. Medians per case and kind; ratios only where both kinds were
 * measured in this run.
 */
import { median, RUNS_PER_CASE, SCALE_CASES } from './cases';
import { runChild } from './child-process';
import { SynthSummary, ScaleRow } from './results';
import { SynthSpec } from './synth-child';
import { TemplateStats } from './template-stats';

interface ChildResult extends SynthSpec {
  readonly startupMs: number;
  readonly constructMs: number;
  readonly synthMs: number;
  readonly maxRssMiB: number;
  readonly stats: TemplateStats;
  readonly layout?: string;
  readonly requestListBytes?: number;
}

type Run = ChildResult & { wallMs: number };

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

function summarize(runs: Run[]): SynthSummary {
  const m = (f: (r: Run) => number) => round(median(runs.map(f)));
  const { stats, layout, requestListBytes } = runs[0];
  return {
    runs: runs.length,
    layout,
    medianBuildAndSynthMs: m((r) => r.constructMs + r.synthMs),
    medianConstructMs: m((r) => r.constructMs),
    medianSynthMs: m((r) => r.synthMs),
    medianStartupMs: m((r) => r.startupMs),
    medianProcessWallMs: m((r) => r.wallMs),
    medianPeakRssMiB: m((r) => r.maxRssMiB),
    resources: stats.resources,
    templateBytes: stats.templateBytes,
    apiResourcesPerApi: stats.apiResourcesPerApi,
    stateMachines: stats.stateMachines,
    schedules: stats.schedules,
    maxDefinitionBytes: stats.maxDefinitionBytes,
    requestListBytes,
  };
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * Why the baseline was not built at a case. Above the largest baseline
 * case the reason gives what it would be, extrapolated linearly from the
 * smallest and largest baseline cases measured in this run.
 */
function skipReason(requests: number, measured: Array<{ requests: number; summary: SynthSummary }>): string {
  const small = measured[0];
  const big = measured[measured.length - 1];
  if (requests <= big.requests) {
    return `the baseline has one route per request whatever the targets: its ${int(requests)}-request figures are those of the 10-target row`;
  }
  const slope = (f: (s: SynthSummary) => number) => (f(big.summary) - f(small.summary)) / (big.requests - small.requests);
  const at = (f: (s: SynthSummary) => number) => f(big.summary) + slope(f) * (requests - big.requests);
  const resources = at((s) => s.resources);
  return `not built: about ${int(resources)} resources (${int(Math.ceil(resources / 500))} stacks of 500) and one synth of about `
    + `${int(at((s) => s.medianBuildAndSynthMs) / 1000)} s, extrapolated linearly from its ${int(small.requests)}- and ${int(big.requests)}-request rows `
    + `(${int(big.summary.medianBuildAndSynthMs / 1000)} s, ${int(big.summary.medianPeakRssMiB)} MiB at ${int(big.requests)})`;
}

export async function measureSynthScale(runs = RUNS_PER_CASE, log: (line: string) => void = () => undefined): Promise<ScaleRow[]> {
  const collected = new Map<string, Run[]>();
  for (let round_ = 1; round_ <= runs; round_++) {
    for (const c of SCALE_CASES) {
      for (const kind of c.baseline ? ['library', 'baseline'] as const : ['library'] as const) {
        const { result, wallMs } = await runChild<ChildResult>('synth-child.ts', [JSON.stringify({ kind, requests: c.requests, targets: c.targets })]);
        const key = `${kind} ${c.requests} ${c.targets}`;
        collected.set(key, [...(collected.get(key) ?? []), { ...result, wallMs }]);
      }
    }
    log(`  round ${round_}/${runs} done`);
  }
  const measured = SCALE_CASES.filter((c) => c.baseline)
    .map((c) => ({ requests: c.requests, summary: summarize(collected.get(`baseline ${c.requests} ${c.targets}`)!) }))
    .sort((a, b) => a.requests - b.requests);
  return SCALE_CASES.map((c) => {
    const library = summarize(collected.get(`library ${c.requests} ${c.targets}`)!);
    if (!c.baseline) {
      return { requests: c.requests, targets: c.targets, library, baselineSkipped: skipReason(c.requests, measured) };
    }
    const baseline = summarize(collected.get(`baseline ${c.requests} ${c.targets}`)!);
    return {
      requests: c.requests,
      targets: c.targets,
      library,
      baseline,
      ratio: {
        buildAndSynthMs: round(library.medianBuildAndSynthMs / baseline.medianBuildAndSynthMs, 2),
        processWallMs: round(library.medianProcessWallMs / baseline.medianProcessWallMs, 2),
        peakRssMiB: round(library.medianPeakRssMiB / baseline.medianPeakRssMiB, 2),
        resources: round(library.resources / baseline.resources, 3),
        templateBytes: round(library.templateBytes / baseline.templateBytes, 3),
      },
    };
  });
}
