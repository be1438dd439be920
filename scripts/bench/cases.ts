/**
 * The synth-scale matrix: 1, 10, 100 and 1,000 scheduled requests spread
 * over 1, 10 and 100 targets. A case needs at least one request per target,
 * so "1 request over 10 targets" and the like are skipped and listed.
 */
export const REQUEST_COUNTS = [1, 10, 100, 1000] as const;
export const TARGET_COUNTS = [1, 10, 100] as const;

/** Synth runs per case and kind; the median is reported. */
export const RUNS_PER_CASE = 5;

export interface ScaleCase {
  readonly requests: number;
  readonly targets: number;
}

export interface SkippedCase extends ScaleCase {
  readonly reason: string;
}

/** The cases to measure, and the ones skipped with why. */
export function scaleCases(): { cases: ScaleCase[]; skipped: SkippedCase[] } {
  const cases: ScaleCase[] = [];
  const skipped: SkippedCase[] = [];
  for (const requests of REQUEST_COUNTS) {
    for (const targets of TARGET_COUNTS) {
      if (targets > requests) {
        skipped.push({ requests, targets, reason: `${requests} request(s) cannot spread over ${targets} targets (a target with no request is not polled)` });
      } else {
        cases.push({ requests, targets });
      }
    }
  }
  return { cases, skipped };
}

/** The median of a list of numbers (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  if (values.length === 0) {
    throw new Error('median of no values');
  }
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
