/**
 * The worst-case run time of a `ScheduledInvoker`, and how it is made up:
 * `waves x (attempts x requestTimeout + retry waits + sink)`, where a wave
 * is `maxConcurrency` requests in flight.
 */
export interface TimeBudget {
  /** Requests per run. */
  readonly requests: number;
  /** Requests in flight at once. */
  readonly maxConcurrency: number;
  /** Requests / maxConcurrency, rounded up. */
  readonly waves: number;
  /** Attempts per request: 1 plus the retries. */
  readonly attempts: number;
  /** Seconds one attempt may take. */
  readonly requestTimeoutSeconds: number;
  /** Seconds of waits between attempts, at most. */
  readonly retryDelaySeconds: number;
  /** Seconds the sink may take per response. */
  readonly sinkSeconds: number;
  /** Seconds one request may take, retries and sink included. */
  readonly perRequestSeconds: number;
  /** Seconds the whole run may take. */
  readonly worstCaseSeconds: number;
  /** The execution timeout, in seconds. */
  readonly executionTimeoutSeconds: number;
}
