import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { InvokerRequest } from './invoker-request';
import { isProblem, planRequest, PlannedRequest } from './request-plan';
import { RetryPlan, worstRetryDelaySeconds } from './retry-plan';
import { TimeBudget } from './time-budget';
import { invalidProp } from '../common/errors';
import { HttpProxyTarget } from '../http-proxy-api/http-proxy-target';

/*
 * The checks a ScheduledInvoker makes of its requests and their limits:
 * each request against its target, the timeouts, the worst-case run time
 * against the execution timeout, and the state payload. Each takes the
 * invoker as its scope, so errors name the invoker.
 */

/** The longest an Express execution may run. */
export const EXPRESS_MAX = Duration.minutes(5);

/** A state's input or output, at most (Step Functions quota). */
export const STATE_PAYLOAD_LIMIT_BYTES = 256 * 1024;
/** The share of the payload limit from which the request list or results draw a warning. */
const PAYLOAD_WARNING_SHARE = 0.8;

/** The requests, each checked against its target, with ids filled in and unique. */
export function planRequests(scope: Construct, requests: InvokerRequest[]): PlannedRequest[] {
  if (!Array.isArray(requests) || requests.length === 0) {
    throw invalidProp(scope, 'requests', requests, 'at least one request ({ target, pathParameters?, queryParameters?, headers?, body? })');
  }
  const counts = new Map<string, number>();
  const ids = new Set<string>();
  return requests.map((request, i) => {
    const where = `requests[${i}]`;
    if (!request || !(request.target instanceof HttpProxyTarget)) {
      throw invalidProp(scope, `${where}.target`, request?.target ?? request, 'a target returned by HttpProxyApi.addTarget()');
    }
    const target = request.target;
    if (target.endpointType !== apigw.EndpointType.REGIONAL) {
      throw invalidProp(scope, `${where}.target`, `'${target.targetId}' on a ${target.endpointType} API`,
        'a target of a REGIONAL HttpProxyApi: Step Functions can only call Regional APIs. Give scheduled calls their own REGIONAL HttpProxyApi with the same targets');
    }
    const apiStack = Stack.of(target.api.restApi);
    const here = Stack.of(scope);
    if (!Token.isUnresolved(here.region) && !Token.isUnresolved(apiStack.region) && here.region !== apiStack.region) {
      throw invalidProp(scope, `${where}.target`, `'${target.targetId}' in ${apiStack.region}`, `a target of an API in this invoker's region (${here.region})`);
    }
    const n = (counts.get(target.targetId) ?? 0) + 1;
    counts.set(target.targetId, n);
    const id = request.id ?? `${target.targetId}-${n}`;
    if (ids.has(id)) {
      throw invalidProp(scope, `${where}.id`, id, 'an id not used by another request of this invoker');
    }
    ids.add(id);
    const planned = planRequest(request, id);
    if (isProblem(planned)) {
      throw invalidProp(scope, `${where}.${planned.prop}`, planned.value, planned.accepted);
    }
    return planned;
  });
}

/** `requestTimeout` in whole seconds: by default the longest target timeout plus one second. */
export function requestTimeoutSeconds(scope: Construct, planned: PlannedRequest[], timeout: Duration | undefined): number {
  if (timeout === undefined) {
    // a loop, not Math.max(...): a spread of 100,000 arguments overflows the stack
    const longest = planned.reduce((max, r) => Math.max(max, r.target.timeout.toMilliseconds()), 0);
    return Math.ceil(longest / 1000) + 1;
  }
  if (timeout.isUnresolved() || timeout.toMilliseconds() % 1000 !== 0 || timeout.toSeconds() < 1) {
    throw invalidProp(scope, 'requestTimeout', timeout.isUnresolved() ? 'a token' : timeout.toHumanString(), 'a literal Duration of whole seconds, at least 1 second');
  }
  return timeout.toSeconds();
}

/** `executionTimeout`, within what the workflow type allows: 5 minutes for EXPRESS, a year for STANDARD. */
export function executionTimeout(scope: Construct, workflowType: sfn.StateMachineType, timeout: Duration | undefined): Duration {
  const express = workflowType === sfn.StateMachineType.EXPRESS;
  if (timeout === undefined) {
    return express ? EXPRESS_MAX : Duration.hours(1);
  }
  const max = express ? EXPRESS_MAX : Duration.days(365);
  if (timeout.isUnresolved() || timeout.toMilliseconds() % 1000 !== 0 || timeout.toSeconds() < 1 || timeout.toSeconds() > max.toSeconds()) {
    throw invalidProp(scope, 'executionTimeout', timeout.isUnresolved() ? 'a token' : timeout.toHumanString(),
      `whole seconds from 1 second to ${max.toHumanString()} for ${express ? 'an EXPRESS workflow (use STANDARD for longer runs)' : 'a STANDARD workflow'}`);
  }
  return timeout;
}

/** What a request may take, and how many of them a run makes how many at a time. */
export interface BudgetInput {
  readonly requests: number;
  readonly maxConcurrency: number;
  readonly requestTimeoutSeconds: number;
  readonly retry: RetryPlan;
  readonly sinkSeconds: number;
  readonly executionTimeout: Duration;
}

/** The worst case of one run of the inline layout, and how it is made up. */
export function inlineTimeBudget(input: BudgetInput): TimeBudget {
  const attempts = input.retry.maxAttempts + 1;
  const retryDelaySeconds = worstRetryDelaySeconds(input.retry);
  const perRequestSeconds = attempts * input.requestTimeoutSeconds + retryDelaySeconds + Math.ceil(input.sinkSeconds);
  const waves = Math.ceil(input.requests / input.maxConcurrency);
  return {
    requests: input.requests,
    maxConcurrency: input.maxConcurrency,
    waves,
    attempts,
    requestTimeoutSeconds: input.requestTimeoutSeconds,
    retryDelaySeconds,
    sinkSeconds: Math.ceil(input.sinkSeconds),
    perRequestSeconds,
    worstCaseSeconds: waves * perRequestSeconds,
    executionTimeoutSeconds: input.executionTimeout.toSeconds(),
  };
}

/** How one request's worst case is made up, as error messages show it. */
export function perRequestText(budget: TimeBudget): string {
  return `${budget.attempts} attempt(s) x ${budget.requestTimeoutSeconds} s requestTimeout + ${budget.retryDelaySeconds} s of retry waits`
    + `${budget.sinkSeconds ? ` + ${budget.sinkSeconds} s of sink` : ''}`;
}

/** The worst case of a run, which must fit `executionTimeout`; synth fails with the numbers otherwise. */
export function checkTimeBudget(scope: Construct, workflowType: sfn.StateMachineType, input: BudgetInput): TimeBudget {
  const budget = inlineTimeBudget(input);
  if (budget.worstCaseSeconds > budget.executionTimeoutSeconds) {
    const express = workflowType === sfn.StateMachineType.EXPRESS;
    throw new Error(`${scope.node.path}: invalid time budget: got a worst case of ${budget.worstCaseSeconds} s = ${budget.waves} wave(s) `
      + `(${input.requests} requests / maxConcurrency ${input.maxConcurrency}) x ${budget.perRequestSeconds} s per request `
      + `(${perRequestText(budget)}); `
      + `accepted: at most the executionTimeout of ${budget.executionTimeoutSeconds} s${express ? ' (an EXPRESS run stops at 5 minutes)' : ''}. `
      + 'Raise maxConcurrency, lower requestTimeout or retry.maxAttempts/maxDelay, '
      + `${express ? 'use workflowType STANDARD, ' : 'raise executionTimeout, '}or split the requests over several invokers`);
  }
  return budget;
}

/** The sink's result fields: names of letters, digits and _, each a simple JSONPath. */
export function checkSinkResultFields(scope: Construct, fields: Record<string, string> | undefined): Record<string, string> | undefined {
  for (const [name, path] of Object.entries(fields ?? {})) {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name) || typeof path !== 'string' || !/^\$\.[A-Za-z0-9_.]+$/.test(path)) {
      throw invalidProp(scope, `sink.resultFields.${name}`, path, 'a field name of letters, digits and _, and a simple JSONPath such as "$.key"');
    }
  }
  return fields && Object.keys(fields).length ? fields : undefined;
}

/** Room a state keeps for the trigger input and the API endpoints. */
export const PAYLOAD_MARGIN_BYTES = 8 * 1024;

/** What the request list and the results may take of one state: 256 KiB less a margin. */
export const PAYLOAD_ALLOWED_BYTES = STATE_PAYLOAD_LIMIT_BYTES - PAYLOAD_MARGIN_BYTES;

/**
 * The request list and the results must each fit a state's 256 KiB; synth
 * warns from 80%. With `auto`, a list or results past the limit are the
 * distributed layout's, so the warning says that instead of failing.
 */
export function checkPayloadSizes(scope: Construct, requestCount: number, bytes: { plan: number; results: number }, auto: boolean): void {
  const allowed = PAYLOAD_ALLOWED_BYTES;
  for (const [what, size] of [['the request list', bytes.plan], ['the results', bytes.results]] as const) {
    if (size > allowed) {
      throw invalidProp(scope, 'requests', `${requestCount} requests (${what} is about ${Math.round(size / 1024)} KiB)`,
        'requests whose list and results each stay under the 256 KiB state payload limit (less 8 KiB of margin); split them over several invokers');
    }
    if (size > allowed * PAYLOAD_WARNING_SHARE) {
      Annotations.of(scope).addWarningV2('cdk-inside-out-gateway:ScheduledInvoker.nearPayloadLimit',
        `requests: ${requestCount} requests make ${what} about ${Math.round(size / 1024)} KiB of the ${allowed / 1024} KiB `
        + 'a state may carry (256 KiB less a margin); '
        + (auto
          ? 'a few more and the invoker takes the distributed layout (a STANDARD state machine, a Distributed Map, the request list in S3). Set layout to keep one'
          : 'a few more and synth fails. Split the requests over several invokers'));
    }
  }
}
