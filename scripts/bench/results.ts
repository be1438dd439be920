/** The shape of docs/benchmarks.json (types only, so the report and its test load nothing heavy). */
import type { BaselineUnits } from './baseline-units';
import type { ScenarioUnits } from './billable-units';
import type { CostLine, Layout } from './cost';
import type { RunCost } from './fan-out-cost';
import type { FanOutUnits } from './fan-out-units';
import type { FixedInventory } from './fixed-inventory';
import type { LimitResult } from './limits';
import type { Price } from './prices';
import type { SwitchPoint } from './switch-point';

export interface SynthSummary {
  readonly runs: number;
  /** The layout the library's invoker took (layout AUTO); none for the baseline. */
  readonly layout?: string;
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
  /** Bytes of the request list asset (distributed layout). */
  readonly requestListBytes?: number;
}

export interface ScaleRow {
  readonly requests: number;
  readonly targets: number;
  readonly library: SynthSummary;
  /** Absent where the baseline was not built; `baselineSkipped` says why. */
  readonly baseline?: SynthSummary;
  readonly baselineSkipped?: string;
  /** library / baseline, measured in the same run (only where both were). */
  readonly ratio?: { buildAndSynthMs: number; processWallMs: number; peakRssMiB: number; resources: number; templateBytes: number };
}

/** One fan-out layout at one request count: its units and what a run costs. */
export interface FanOutRow {
  readonly title: string;
  readonly units: FanOutUnits;
  readonly cost?: RunCost;
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
  readonly synthScale: { rows: ScaleRow[]; runsPerCase: number };
  readonly switchPoints: SwitchPoint[];
  readonly limits: LimitResult[];
  readonly fanOuts: FanOutRow[];
  /** The baseline's units per request, and its cost at each fan-out size. */
  readonly fanOutBaseline: { units: BaselineUnits; byRequests: Array<{ requests: number; cost: RunCost }> };
  readonly units: ScenarioUnits[];
  readonly durationModel: Record<string, number>;
  readonly inventory: FixedInventory[];
  readonly prices: { checkedOn: string; region: string; table: Record<string, Price> };
  readonly costs: CostRow[];
  readonly defaultsReview: DefaultReview[];
}
