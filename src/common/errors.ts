import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Renders a user-supplied value for an error message: strings are quoted,
 * unresolved tokens are named as such, everything else is JSON.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return Token.isUnresolved(value) ? 'an unresolved token' : JSON.stringify(value);
  }
  if (typeof value === 'number' && Token.isUnresolved(value)) {
    return 'an unresolved token';
  }
  if (value === undefined) {
    return 'undefined';
  }
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/**
 * The one shape of error this library throws for bad input: it names the
 * construct, the prop, the bad value and what would be accepted.
 */
export function invalidProp(scope: IConstruct | undefined, prop: string, value: unknown, accepted: string): Error {
  const where = scope ? `${scope.node.path}: ` : '';
  return new Error(`${where}invalid ${prop}: got ${describeValue(value)}; accepted: ${accepted}`);
}

/** Whole-construct problems found by `node.addValidation`: prop name plus what to do. */
export function problem(prop: string, message: string): string {
  return `${prop}: ${message}`;
}
