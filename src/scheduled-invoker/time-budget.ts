/**
 * The worst-case run time of a `ScheduledInvoker`, and how it is made up.
 *
 * Inline layout: `waves x (attempts x requestTimeout + retry waits + sink)`,
 * where a wave is `maxConcurrency` requests in flight.
 *
 * Distributed layout: `ceil(batches / parallelBatches) x batchWorstCaseSeconds
 * + 60 s`, where a child execution calls its batch of `batchSize` requests
 * in waves of `batchConcurrency`.
 */
export interface TimeBudget {
  /** Requests per run. */
  readonly requests: number;
  /** Requests in flight at once. */
  readonly maxConcurrency: number;
  /** Waves of requests one after the other, at most: requests / maxConcurrency, rounded up, in the inline layout. */
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

  /**
   * Requests per child execution, at most (the Distributed Map's
   * `ItemBatcher.MaxItemsPerBatch`).
   *
   * @default - none: the inline layout has no batches
   */
  readonly batchSize?: number;

  /**
   * Child executions per run.
   *
   * @default - none: the inline layout has no batches
   */
  readonly batches?: number;

  /**
   * Requests in flight in one child execution (its inline Map's `MaxConcurrency`).
   *
   * @default - none: the inline layout has no batches
   */
  readonly batchConcurrency?: number;

  /**
   * Child executions at once (the Distributed Map's `MaxConcurrency`):
   * `maxConcurrency / batchConcurrency`.
   *
   * @default - none: the inline layout has no batches
   */
  readonly parallelBatches?: number;

  /**
   * Seconds one child execution may take: its waves x `perRequestSeconds`.
   *
   * @default - none: the inline layout has no batches
   */
  readonly batchWorstCaseSeconds?: number;
}
