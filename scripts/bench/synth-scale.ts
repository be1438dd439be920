/**
 * The synth-scale runs: every case of cases.ts, library and baseline, each
 * synthesized RUNS_PER_CASE times in a fresh child process (synth-child.ts),
 * interleaved (library, baseline, next case, ... then the next round) so
 * that drift of the machine hits both alike. Medians per case and kind.
 */
import { median, RUNS_PER_CASE, scaleCases } from './cases';
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
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

function summarize(runs: Array<ChildResult & { wallMs: number }>): SynthSummary {
  const m = (f: (r: ChildResult & { wallMs: number }) => number) => round(median(runs.map(f)));
  const { stats } = runs[0];
  return {
    runs: runs.length,
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
  };
}

export async function measureSynthScale(runs = RUNS_PER_CASE, log: (line: string) => void = () => undefined): Promise<ScaleRow[]> {
  const { cases } = scaleCases();
  const collected = new Map<string, Array<ChildResult & { wallMs: number }>>();
  for (let round_ = 1; round_ <= runs; round_++) {
    for (const c of cases) {
      for (const kind of ['library', 'baseline'] as const) {
        const { result, wallMs } = await runChild<ChildResult>('synth-child.ts', [JSON.stringify({ kind, requests: c.requests, targets: c.targets })]);
        const key = `${kind} ${c.requests} ${c.targets}`;
        collected.set(key, [...(collected.get(key) ?? []), { ...result, wallMs }]);
      }
    }
    log(`  round ${round_}/${runs} done`);
  }
  return cases.map((c) => {
    const library = summarize(collected.get(`library ${c.requests} ${c.targets}`)!);
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
