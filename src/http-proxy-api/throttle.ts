import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { invalidProp } from '../common/errors';

/** Request rate limits applied by the API Gateway stage. */
export interface ThrottleOptions {
  /**
   * Steady-state requests per second.
   *
   * Accepted: more than 0 and at most 10,000 (the default account quota).
   */
  readonly rateLimit: number;

  /**
   * Largest burst of concurrent requests.
   *
   * Accepted: a whole number from 1 to 5,000 (the default account quota).
   */
  readonly burstLimit: number;
}

/** Throws a clear error when a throttle setting is out of range. */
export function validateThrottle(scope: IConstruct, prop: string, throttle: ThrottleOptions): void {
  const { rateLimit, burstLimit } = throttle;
  if (Token.isUnresolved(rateLimit) || Token.isUnresolved(burstLimit)) {
    throw invalidProp(scope, prop, 'a token', 'literal numbers, because the stage settings are checked at synth time');
  }
  if (!Number.isFinite(rateLimit) || rateLimit <= 0 || rateLimit > 10_000) {
    throw invalidProp(scope, `${prop}.rateLimit`, rateLimit, 'a number of requests per second greater than 0 and at most 10000');
  }
  if (!Number.isInteger(burstLimit) || burstLimit < 1 || burstLimit > 5_000) {
    throw invalidProp(scope, `${prop}.burstLimit`, burstLimit, 'a whole number from 1 to 5000');
  }
}
