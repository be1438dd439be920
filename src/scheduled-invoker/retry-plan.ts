import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { IConstruct } from 'constructs';
import { RequestRetryOptions } from './request-retry';
import { invalidProp } from '../common/errors';

/** Retry settings, checked, in seconds. */
export interface RetryPlan {
  readonly intervalSeconds: number;
  readonly backoffRate: number;
  readonly maxAttempts: number;
  readonly maxDelaySeconds: number;
  readonly jitter: boolean;
}

/**
 * Answers that are final: redirects and client errors other than 429. A
 * request that gets one is recorded as failed at once. This retrier must
 * come first, because `States.TaskFailed` in the next one matches every
 * task error.
 */
export const FINAL_ERRORS = [
  ...range(300, 308),
  ...range(400, 431).filter((c) => c !== 429),
  451,
].map((c) => `ApiGateway.${c}`);

/**
 * Raised when a task's result, or a state's input or output, is larger than
 * the 256 KiB payload quota. `States.ALL` does not catch it, so every state
 * that can meet it names it in a catcher of its own.
 */
export const DATA_LIMIT_EXCEEDED = 'States.DataLimitExceeded';

/** Answers and failures worth another attempt. */
export const RETRYABLE_ERRORS = [
  'ApiGateway.429',
  ...[500, 502, 503, 504].map((c) => `ApiGateway.${c}`),
  sfn.Errors.TIMEOUT,
  sfn.Errors.TASKS_FAILED,
];

export function planRetry(scope: IConstruct, options: RequestRetryOptions = {}): RetryPlan {
  const seconds = (prop: string, d: Duration | undefined, fallback: number, min: number): number => {
    if (d === undefined) {
      return fallback;
    }
    if (d.isUnresolved()) {
      throw invalidProp(scope, prop, 'a token', 'a literal Duration of whole seconds');
    }
    const ms = d.toMilliseconds();
    if (ms % 1000 !== 0 || ms / 1000 < min || ms / 1000 > 99_999_999) {
      throw invalidProp(scope, prop, d.toHumanString(), `a whole number of seconds, at least ${min}`);
    }
    return ms / 1000;
  };
  const intervalSeconds = seconds('retry.interval', options.interval, 2, 1);
  const maxDelaySeconds = seconds('retry.maxDelay', options.maxDelay, Math.max(30, intervalSeconds), 1);
  if (maxDelaySeconds < intervalSeconds) {
    throw invalidProp(scope, 'retry.maxDelay', `${maxDelaySeconds} seconds`, `at least retry.interval (${intervalSeconds} seconds)`);
  }
  const backoffRate = options.backoffRate ?? 2;
  if (!Number.isFinite(backoffRate) || backoffRate < 1 || backoffRate > 10) {
    throw invalidProp(scope, 'retry.backoffRate', backoffRate, 'a number from 1 to 10');
  }
  const maxAttempts = options.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 0 || maxAttempts > 10) {
    throw invalidProp(scope, 'retry.maxAttempts', maxAttempts, 'a whole number from 0 (no retries) to 10');
  }
  return { intervalSeconds, backoffRate, maxAttempts, maxDelaySeconds, jitter: options.jitter ?? true };
}

/** The two retriers of an invoke task, final answers first. */
export function retriers(plan: RetryPlan): sfn.RetryProps[] {
  return [
    // the same call would only bring the same answer
    { errors: [...FINAL_ERRORS, DATA_LIMIT_EXCEEDED], maxAttempts: 0 },
    {
      errors: RETRYABLE_ERRORS,
      interval: Duration.seconds(plan.intervalSeconds),
      backoffRate: plan.backoffRate,
      maxAttempts: plan.maxAttempts,
      maxDelay: Duration.seconds(plan.maxDelaySeconds),
      jitterStrategy: plan.jitter ? sfn.JitterType.FULL : sfn.JitterType.NONE,
    },
  ];
}

/** The longest total wait between attempts (jitter only shortens waits). */
export function worstRetryDelaySeconds(plan: RetryPlan): number {
  let total = 0;
  for (let k = 0; k < plan.maxAttempts; k++) {
    total += Math.min(plan.intervalSeconds * Math.pow(plan.backoffRate, k), plan.maxDelaySeconds);
  }
  return Math.ceil(total);
}

function range(from: number, to: number): number[] {
  return [...Array(to - from + 1).keys()].map((i) => from + i);
}
