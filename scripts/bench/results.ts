/** The shape of docs/benchmarks.json (types only, so the report and its test load nothing heavy). */
import type { ScenarioUnits } from './billable-units';
import type { SkippedCase } from './cases';
import type { CostLine, Layout } from './cost';
import type { FixedInventory } from './fixed-inventory';
import type { LimitResult } from './limits';
import type { Price } from './prices';

export interface SynthSummary {
  readonly runs: number;
  /** Median of construct building plus app.synth(), in the child (no process start, no module loading). */
  readonly medianBuildAndSynthMs: number;
  readonly medianConstructMs: number;
  readonly medianSynthMs: number;
  /** Median of node start, ts-node registration and module loading, before the child's first line. */
  readonly medianStartupMs: number;
  /** Median wall time of the whole child process, seen by the parent. */
  readonly medianProcessWallMs: number;
  readonly medianPeakRssMiB: number;
  readonly resources: number;
  readonly templateBytes: number;
  readonly apiResourcesPerApi: number;
  readonly stateMachines: number;
  readonly schedules: number;
  readonly maxDefinitionBytes: number;
}

export interface ScaleRow {
  readonly requests: number;
  readonly targets: number;
  readonly library: SynthSummary;
  readonly baseline: SynthSummary;
  /** library / baseline, measured in the same run. */
  readonly ratio: { buildAndSynthMs: number; processWallMs: number; peakRssMiB: number; resources: number; templateBytes: number };
}

export interface CostRow {
  readonly layout: Layout;
  readonly byCallsPerDay: Array<{ callsPerDay: number; fixedUsd: number; variableUsd: number; totalUsd: number; lines: CostLine[] }>;
}

export interface DefaultReview {
  readonly item: string;
  readonly defaultValue: string;
  readonly cheaperOption: string;
  readonly monthlyUsdAt1k: number;
  readonly monthlyUsdAt100k: number;
  readonly note: string;
}

export interface BenchResults {
  readonly generatedAt: string;
  readonly machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string; aws_cdk_lib: string };
  readonly benchWallSeconds: number;
  readonly synthScale: { rows: ScaleRow[]; skipped: SkippedCase[]; runsPerCase: number };
  readonly limits: LimitResult[];
  readonly units: ScenarioUnits[];
  readonly durationModel: Record<string, number>;
  readonly inventory: FixedInventory[];
  readonly prices: { checkedOn: string; region: string; table: Record<string, Price> };
  readonly costs: CostRow[];
  readonly defaultsReview: DefaultReview[];
}
