/**
 * The synth-scale cases: 1, 100, 1,000, 10,000 and 100,000 requests of the
 * library on its defaults (layout AUTO), over 10 targets (1 for a single
 * request), and one case where targets matter: 1,000 requests over 100
 * targets (each target adds resources; requests do not).
 *
 * The BASELINE (one route, state machine and schedule per request) is
 * built where it can be in reasonable time, up to 1,000 requests; above
 * that it is skipped, with the reason the run states from its own
 * 1,000-request figures. Its resources do not depend on targets (one route
 * per request), so the 100-target case has no baseline either.
 */
export interface ScaleCase {
  readonly requests: number;
  readonly targets: number;
  /** Measure the baseline too. */
  readonly baseline: boolean;
}

export const SCALE_CASES: readonly ScaleCase[] = [
  { requests: 1, targets: 1, baseline: true },
  { requests: 100, targets: 10, baseline: true },
  { requests: 1000, targets: 10, baseline: true },
  { requests: 10_000, targets: 10, baseline: false },
  { requests: 100_000, targets: 10, baseline: false },
  { requests: 1000, targets: 100, baseline: false },
];

/** Synth runs per case and kind; the median is reported. */
export const RUNS_PER_CASE = 5;

/** The median of a list of numbers (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  if (values.length === 0) {
    throw new Error('median of no values');
  }
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
