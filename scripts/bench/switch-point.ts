/**
 * The switch point of layout AUTO: the largest number of requests that a
 * ScheduledInvoker still lays out inline, for the library defaults, with
 * a ResponseArchive (with and without change detection) and with
 * workflowType STANDARD. Found by synthesizing, never computed: each probe
 * builds and synthesizes the stack and reads the layout the invoker took;
 * the search doubles the count until a probe takes the distributed layout,
 * then bisects (limits.ts's `largestFitting`, which assumes that a count
 * laid out inline has every smaller count inline too).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ArchiveKind, benchApp, buildLibraryStack, LibraryStackOptions } from './library-stack';
import { largestFitting } from './limits';
import { templateStats } from './template-stats';
import { InvokerLayout } from '../../src';

export interface SwitchProbe {
  readonly requests: number;
  readonly layout: string;
  readonly resources: number;
  readonly stateMachineType: string;
  /** The worst case the invoker computed, and what it must fit (inline), or the parent's worst case (distributed). */
  readonly worstCaseSeconds: number;
  readonly executionTimeoutSeconds: number;
  /** Waves of maxConcurrency requests, and one request's worst case (attempts, waits, sink). */
  readonly waves: number;
  readonly maxConcurrency: number;
  readonly perRequestSeconds: number;
  readonly batchSize?: number;
}

export interface SwitchPoint {
  readonly name: string;
  readonly description: string;
  /** The largest count laid out inline. */
  readonly lastInline: SwitchProbe;
  /** One more: the first distributed count. */
  readonly firstDistributed: SwitchProbe;
  readonly probes: number;
}

const CONFIGS: Array<{ name: string; description: string; archive: ArchiveKind; workflow?: LibraryStackOptions['workflow'] }> = [
  { name: 'defaults', description: 'Library defaults (EXPRESS, maxConcurrency 10, 29 s target timeout, 3 retries), no sink', archive: 'none' },
  { name: 'archive', description: 'Defaults + ResponseArchive (store every response)', archive: 'store' },
  { name: 'archive-change', description: 'Defaults + ResponseArchive with change detection', archive: 'change-detection' },
  { name: 'standard', description: 'workflowType STANDARD (1 h execution timeout), other defaults, no sink', archive: 'none', workflow: 'STANDARD' },
];

function probe(requests: number, archive: ArchiveKind, workflow: LibraryStackOptions['workflow']): SwitchProbe {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-switch-'));
  try {
    const app = benchApp(outdir);
    const { stack, invoker } = buildLibraryStack(app, 'Switch', { requests, targets: 1, archive, workflow });
    const text = fs.readFileSync(app.synth().getStackByName(stack.stackName).templateFullPath, 'utf8');
    return {
      requests,
      layout: invoker.layout,
      resources: templateStats(JSON.parse(text), text).resources,
      stateMachineType: invoker.layout === InvokerLayout.DISTRIBUTED ? 'STANDARD' : invoker.workflowType,
      worstCaseSeconds: invoker.timeBudget.worstCaseSeconds,
      executionTimeoutSeconds: invoker.timeBudget.executionTimeoutSeconds,
      waves: invoker.timeBudget.waves,
      maxConcurrency: invoker.timeBudget.maxConcurrency,
      perRequestSeconds: invoker.timeBudget.perRequestSeconds,
      batchSize: invoker.batchSize,
    };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

export function measureSwitchPoints(log: (line: string) => void = () => undefined): SwitchPoint[] {
  return CONFIGS.map((c) => {
    const seen = new Map<number, SwitchProbe>();
    const run = (n: number) => {
      if (!seen.has(n)) seen.set(n, probe(n, c.archive, c.workflow));
      return seen.get(n)!;
    };
    const last = largestFitting((n) => run(n).layout === InvokerLayout.INLINE, 100_000);
    const point = { name: c.name, description: c.description, lastInline: run(last), firstDistributed: run(last + 1), probes: seen.size };
    if (point.firstDistributed.layout !== InvokerLayout.DISTRIBUTED) {
      throw new Error(`switch point ${c.name}: ${last + 1} requests took ${point.firstDistributed.layout}`);
    }
    log(`  ${c.name}: inline up to ${last} requests (${seen.size} synths)`);
    return point;
  });
}
