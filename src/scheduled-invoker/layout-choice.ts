import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { InvokerLayout } from './invoker-layout';
import { EXPRESS_MAX, inlineTimeBudget, PAYLOAD_ALLOWED_BYTES, perRequestText } from './invoker-limits';
import { RetryPlan } from './retry-plan';
import { TimeBudget } from './time-budget';
import { invalidProp } from '../common/errors';

/*
 * Which layout a ScheduledInvoker takes, and how the distributed one cuts
 * the requests into batches. Each function takes the invoker as its scope,
 * so errors name the invoker.
 */

/** Iterations an inline Map runs at once, at most. */
export const INLINE_MAP_MAX_CONCURRENCY = 40;

/**
 * Child executions a Distributed Map state runs at once, at most: "If you
 * don't specify, Step Functions runs 10,000 parallel child workflow
 * executions in parallel"; an inline Map "supports up to 40 concurrent
 * iterations" (Step Functions developer guide, "Orchestrating large-scale
 * parallel workloads in your state machines",
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-orchestrate-large-scale-parallel-workloads.html).
 */
export const DISTRIBUTED_MAP_MAX_CONCURRENCY = 10_000;

/** The longest a STANDARD execution may run: one year (Step Functions quotas). */
export const STANDARD_MAX = Duration.days(365);

/**
 * Seconds the distributed layout's parent spends besides its child
 * executions, at most: reading the request list, writing the results, and
 * reading the Map Run's counts (3 attempts of 10 s, with waits).
 */
export const PARENT_OVERHEAD_SECONDS = 60;

/** Bytes of a batch's input besides its items and API table: the keys around them. */
const BATCH_ENVELOPE_BYTES = 64;

const LAYOUTS = Object.values(InvokerLayout) as string[];

/** `layout`, one of the enum's values. */
export function checkLayout(scope: Construct, layout: InvokerLayout | undefined): InvokerLayout {
  const value = layout ?? InvokerLayout.AUTO;
  if (!LAYOUTS.includes(value)) {
    throw invalidProp(scope, 'layout', value, `one of ${LAYOUTS.map((l) => `InvokerLayout.${l}`).join(', ')}`);
  }
  return value;
}

/**
 * `maxConcurrency`: requests in flight at once. The inline Map runs at most
 * 40; the distributed layout runs 40 in each of up to 10,000 child
 * executions, so above 40 it takes multiples of 40.
 */
export function checkMaxConcurrency(scope: Construct, value: number, layout: InvokerLayout): number {
  const inline = layout === InvokerLayout.INLINE;
  const max = DISTRIBUTED_MAP_MAX_CONCURRENCY * INLINE_MAP_MAX_CONCURRENCY;
  const fits = Number.isInteger(value) && value >= 1
    && (value <= INLINE_MAP_MAX_CONCURRENCY || (!inline && value % INLINE_MAP_MAX_CONCURRENCY === 0 && value <= max));
  if (!fits) {
    throw invalidProp(scope, 'maxConcurrency', value, inline
      ? `a whole number from 1 to ${INLINE_MAP_MAX_CONCURRENCY} (requests in flight at once)`
      : `a whole number from 1 to ${INLINE_MAP_MAX_CONCURRENCY} (requests in flight at once), or in the distributed layout a multiple of `
        + `${INLINE_MAP_MAX_CONCURRENCY} up to ${max} (${INLINE_MAP_MAX_CONCURRENCY} in each of up to ${DISTRIBUTED_MAP_MAX_CONCURRENCY} child executions)`);
  }
  return value;
}

/** `executionTimeout` of the distributed layout's STANDARD parent: whole seconds up to a year. */
export function checkDistributedExecutionTimeout(scope: Construct, timeout: Duration | undefined): Duration | undefined {
  if (timeout !== undefined && (timeout.isUnresolved() || timeout.toMilliseconds() % 1000 !== 0 || timeout.toSeconds() < 1
    || timeout.toSeconds() > STANDARD_MAX.toSeconds())) {
    throw invalidProp(scope, 'executionTimeout', timeout.isUnresolved() ? 'a token' : timeout.toHumanString(),
      'whole seconds from 1 second to 365 days: the distributed layout\'s parent is a STANDARD execution');
  }
  return timeout;
}

/** What the inline layout needs to fit one execution. */
export interface InlineFitInput {
  readonly maxConcurrency: number;
  readonly budget: TimeBudget;
  /** Characters of the request list as the Plan state holds it (computed only when asked). */
  readonly planBytes: () => number;
  /** Characters of the results, at most (computed only when asked). */
  readonly resultBytes: () => number;
}

/**
 * Whether the requests fit one execution of the inline layout: at most 40
 * in flight, a worst case within the execution timeout, and a request list
 * and results that each fit one state. The sizes are computed last, and
 * only when the rest fits.
 */
export function inlineFits(input: InlineFitInput): boolean {
  return input.maxConcurrency <= INLINE_MAP_MAX_CONCURRENCY
    && input.budget.worstCaseSeconds <= input.budget.executionTimeoutSeconds
    && input.planBytes() <= PAYLOAD_ALLOWED_BYTES
    && input.resultBytes() <= PAYLOAD_ALLOWED_BYTES;
}

/** What the distributed layout's batches are sized from. */
export interface DistributedPlanInput {
  readonly requests: number;
  readonly maxConcurrency: number;
  readonly requestTimeoutSeconds: number;
  readonly retry: RetryPlan;
  readonly sinkSeconds: number;
  /** The type of the child executions. */
  readonly batchWorkflowType: sfn.StateMachineType;
  /** The parent's timeout, when given; the worst case otherwise. */
  readonly executionTimeout?: Duration;
  /** UTF-8 bytes of the largest request item, and its index. */
  readonly largestItem: { readonly bytes: number; readonly index: number };
  /** Characters of the largest result record. */
  readonly largestRecordBytes: number;
  /** Characters of the API table as a batch carries it. */
  readonly apisBytes: number;
  /** Whether AUTO chose the layout (the errors then say why). */
  readonly auto: boolean;
}

/** How the distributed layout cuts the requests, and its worst case. */
export interface DistributedPlan {
  /** Requests per child execution, at most (ItemBatcher MaxItemsPerBatch). */
  readonly batchSize: number;
  /** Requests in flight in one child execution (its inline Map's MaxConcurrency). */
  readonly batchConcurrency: number;
  /** Child executions at once (the Distributed Map's MaxConcurrency). */
  readonly parallelBatches: number;
  /** Bytes of items per batch, at most (ItemBatcher MaxInputBytesPerBatch). */
  readonly maxInputBytesPerBatch: number;
  /** The parent's execution timeout. */
  readonly executionTimeout: Duration;
  readonly budget: TimeBudget;
}

/**
 * Sizes the batches of the distributed layout:
 *
 *     batchConcurrency = min(maxConcurrency, 40)
 *     parallelBatches  = maxConcurrency / batchConcurrency
 *     batchSize        = min(requests,
 *                            batchConcurrency x floor(300 s / per-request worst case)   (EXPRESS children),
 *                            floor((256 KiB - 8 KiB - API table) / largest item or result record))
 *
 * so that requests in flight never exceed `maxConcurrency`, each EXPRESS
 * child's worst case fits its 5 minutes, and each child's input and
 * results fit one state. The parent's worst case is
 * `ceil(batches / parallelBatches) x ceil(batchSize / batchConcurrency) x
 * per-request worst case + 60 s`; it must fit `executionTimeout` (when
 * given) and a year.
 */
export function planDistributed(scope: Construct, input: DistributedPlanInput): DistributedPlan {
  const batchConcurrency = Math.min(input.maxConcurrency, INLINE_MAP_MAX_CONCURRENCY);
  const parallelBatches = input.maxConcurrency / batchConcurrency;
  const perRequest = inlineTimeBudget({ ...input, maxConcurrency: 1, requests: 1, executionTimeout: EXPRESS_MAX });
  const express = input.batchWorkflowType === sfn.StateMachineType.EXPRESS;

  const wavesPerBatch = express ? Math.floor(EXPRESS_MAX.toSeconds() / perRequest.perRequestSeconds) : Infinity;
  if (wavesPerBatch < 1) {
    throw new Error(`${scope.node.path}: invalid time budget: got a worst case of ${perRequest.perRequestSeconds} s for one request `
      + `${input.auto ? '(too long for one EXPRESS execution, inline or distributed) ' : ''}`
      + `(${perRequestText(perRequest)}); accepted: at most ${EXPRESS_MAX.toSeconds()} s, the longest an EXPRESS child execution of the `
      + 'distributed layout may run, so that a batch holds at least one request. Lower requestTimeout or retry.maxAttempts/maxDelay, '
      + 'give the sink less to do, or use workflowType STANDARD (STANDARD child executions, billed per state transition)');
  }

  const perItem = Math.max(input.largestItem.bytes, input.largestRecordBytes) + 1;
  const room = PAYLOAD_ALLOWED_BYTES - input.apisBytes - BATCH_ENVELOPE_BYTES;
  const byPayload = Math.floor(room / perItem);
  if (byPayload < 1) {
    throw invalidProp(scope, `requests[${input.largestItem.index}]`, `a request of about ${Math.ceil(input.largestItem.bytes / 1024)} KiB as the states read it`,
      'a request that fits, with the API table, one state\'s 256 KiB payload (less 8 KiB of margin); make its body smaller');
  }
  const batchSize = Math.min(input.requests, batchConcurrency * wavesPerBatch, byPayload);

  const batches = Math.ceil(input.requests / batchSize);
  const rounds = Math.ceil(batches / parallelBatches);
  const batchWaves = Math.ceil(batchSize / batchConcurrency);
  const batchWorstCaseSeconds = batchWaves * perRequest.perRequestSeconds;
  const worstCaseSeconds = rounds * batchWorstCaseSeconds + PARENT_OVERHEAD_SECONDS;
  const limit = input.executionTimeout ?? STANDARD_MAX;
  if (worstCaseSeconds > limit.toSeconds()) {
    throw new Error(`${scope.node.path}: invalid time budget: got a worst case of ${worstCaseSeconds} s in the distributed layout`
      + `${input.auto ? ' (layout AUTO took it: the requests do not fit one inline execution)' : ''} = `
      + `${rounds} round(s) of child executions (${batches} batch(es) of up to ${batchSize} requests, ${parallelBatches} at a time) `
      + `x ${batchWorstCaseSeconds} s per child execution (${batchWaves} wave(s) of ${batchConcurrency} x ${perRequest.perRequestSeconds} s per request: `
      + `${perRequestText(perRequest)}) + ${PARENT_OVERHEAD_SECONDS} s for the Map Run; `
      + `accepted: at most ${input.executionTimeout ? `the executionTimeout of ${limit.toSeconds()} s` : `${limit.toSeconds()} s, a year (a STANDARD execution's longest)`}. `
      + `${input.executionTimeout ? 'Leave executionTimeout out (it is then the worst case) or raise executionTimeout, ' : ''}`
      + 'raise maxConcurrency, lower requestTimeout or retry.maxAttempts/maxDelay, or split the requests over several invokers');
  }

  return {
    batchSize,
    batchConcurrency,
    parallelBatches,
    maxInputBytesPerBatch: PAYLOAD_ALLOWED_BYTES - input.apisBytes,
    executionTimeout: input.executionTimeout ?? Duration.seconds(worstCaseSeconds),
    budget: {
      ...perRequest,
      requests: input.requests,
      maxConcurrency: input.maxConcurrency,
      waves: rounds * batchWaves,
      worstCaseSeconds,
      executionTimeoutSeconds: (input.executionTimeout ?? Duration.seconds(worstCaseSeconds)).toSeconds(),
      batchSize,
      batches,
      batchConcurrency,
      parallelBatches,
      batchWorstCaseSeconds,
    },
  };
}
