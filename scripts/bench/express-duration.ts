/**
 * The estimate of what one EXPRESS execution is billed for: its duration
 * and its memory. A local run takes no network time and skips retry
 * waits, so its wall time says nothing about AWS's; the duration is
 * modelled from the units the run counted (DURATION_MODEL), the memory
 * with the formula of the Step Functions pricing page.
 *
 * Step Functions pricing (https://aws.amazon.com/step-functions/pricing/),
 * Express Workflows: duration "is calculated from the time your workflow
 * begins executing until it completes or otherwise terminates, rounded up
 * to the nearest 100ms, and the amount of memory used in the execution of
 * your workflow, billed in 64-MB chunks"; its pricing examples estimate
 * "Workflow memory utilized = 50 MB + state machine definition size +
 * execution data size x Number of Parallel or Map Steps".
 */
import { LocalEvent } from './transitions';

/** Assumptions of the EXPRESS duration estimate, in milliseconds. */
export const DURATION_MODEL = {
  /** A third-party API's answer time, as seen by API Gateway's integration (assumed, not measured). */
  upstreamMs: 200,
  /** API Gateway's own time on top of the integration, and Step Functions' call to it. */
  apiGatewayOverheadMs: 30,
  /** One S3, DynamoDB or SNS call from a Task state. */
  sdkCallMs: 30,
  /** Step Functions' own time per state transition on the critical path. */
  transitionMs: 10,
} as const;

/** Express duration is rounded up to this. */
export const BILLING_STEP_MS = 100;
/** Express memory is billed in chunks of this many MB. */
export const MEMORY_CHUNK_MB = 64;
/** The pricing page's base of an Express workflow's memory. */
export const MEMORY_BASE_MB = 50;

/** What one request costs on the critical path of its execution, on average over a run. */
export interface PerRequest {
  /** State transitions inside the request's Map iteration. */
  readonly transitions: number;
  /** API Gateway calls (attempts). */
  readonly apiCalls: number;
  /** S3, DynamoDB and SNS calls of the sink. */
  readonly sdkCalls: number;
  /** Expected wait before its retries. */
  readonly retryWaitMs: number;
}

/** Milliseconds of one request on the critical path. */
export function requestMs(r: PerRequest): number {
  const m = DURATION_MODEL;
  return r.transitions * m.transitionMs + r.apiCalls * (m.upstreamMs + m.apiGatewayOverheadMs) + r.sdkCalls * m.sdkCallMs + r.retryWaitMs;
}

/**
 * Milliseconds of one execution: its own transitions outside the Map
 * iterations, then its requests in waves of `concurrency`.
 */
export function executionMs(outer: number, requests: number, concurrency: number, perRequest: PerRequest): number {
  return outer * DURATION_MODEL.transitionMs + Math.ceil(requests / concurrency) * requestMs(perRequest);
}

/** Billed milliseconds: rounded up to 100 ms. */
export function billedMs(ms: number): number {
  return Math.ceil(ms / BILLING_STEP_MS) * BILLING_STEP_MS;
}

/** Transitions of an execution outside its Map iterations (events with no iteration index). */
export function outerTransitions(events: LocalEvent[]): number {
  return events.filter((e) => (e.type === 'StateEntered' || e.type === 'StateRetried') && e.index === undefined).length;
}

export interface MemoryEstimate {
  /** The pricing page's formula, in MB. */
  readonly estimatedMb: number;
  /** Rounded up to 64 MB chunks. */
  readonly billedMb: number;
}

/**
 * Memory of one Express execution by the pricing page's formula: 50 MB +
 * definition + execution data x Map steps, where the execution data is
 * taken as the largest state input the run saw and the Map steps as its
 * Map iterations (an upper bound: most iterations carry one request).
 */
export function expressMemory(definitionBytes: number, events: LocalEvent[]): MemoryEstimate {
  let largestInput = 0;
  for (const e of events as any[]) {
    if (e.type === 'StateEntered' && e.state?.input !== undefined) {
      largestInput = Math.max(largestInput, Buffer.byteLength(JSON.stringify(e.state.input)));
    }
  }
  const mapSteps = Math.max(1, events.filter((e) => e.type === 'MapIterationStarted').length);
  const estimatedMb = MEMORY_BASE_MB + (definitionBytes + largestInput * mapSteps) / (1024 * 1024);
  return { estimatedMb, billedMb: Math.ceil(estimatedMb / MEMORY_CHUNK_MB) * MEMORY_CHUNK_MB };
}

/** Expected wait before retry k (1-based) with full jitter: half the capped backoff interval. */
export function expectedRetryWaitMs(retrier: any, retries: number): number {
  if (!retrier || retries === 0) return 0;
  const interval = retrier.IntervalSeconds ?? 1;
  const rate = retrier.BackoffRate ?? 2;
  const cap = retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY;
  const jitter = retrier.JitterStrategy === 'FULL' ? 0.5 : 1;
  let ms = 0;
  for (let k = 1; k <= retries; k++) ms += jitter * Math.min(interval * rate ** (k - 1), cap) * 1000;
  return ms;
}

/** The retrier of the `apigateway:invoke` Task that handles 503, anywhere in the definition. */
export function invokeRetrier(definition: any): any {
  let found: any;
  const walk = (states: Record<string, any>) => {
    for (const state of Object.values<any>(states)) {
      if (state.Resource === 'arn:aws:states:::apigateway:invoke') {
        found ??= (state.Retry ?? []).find((r: any) => (r.ErrorEquals ?? []).includes('ApiGateway.503') && (r.MaxAttempts ?? 3) > 0);
      }
      if (state.ItemProcessor) walk(state.ItemProcessor.States);
      if (state.Iterator) walk(state.Iterator.States);
    }
  };
  walk(definition.States);
  return found;
}
