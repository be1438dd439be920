import { Duration } from 'aws-cdk-lib';

/** How a request is retried when the third party is throttling, failing or slow. */
export interface RequestRetryOptions {
  /**
   * Wait before the first retry, in whole seconds.
   *
   * @default Duration.seconds(2)
   */
  readonly interval?: Duration;

  /**
   * Each wait is this many times the one before (1 keeps it constant).
   *
   * @default 2
   */
  readonly backoffRate?: number;

  /**
   * Retries after the first attempt (0 turns retries off).
   *
   * @default 3
   */
  readonly maxAttempts?: number;

  /**
   * The longest wait between two attempts, in whole seconds.
   *
   * @default Duration.seconds(30)
   */
  readonly maxDelay?: Duration;

  /**
   * Randomise each wait between 0 and its computed length (FULL jitter),
   * so that many requests failing together do not retry together.
   *
   * @default true
   */
  readonly jitter?: boolean;
}
