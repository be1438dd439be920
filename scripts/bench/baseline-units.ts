/**
 * Billable units of the BASELINE (baseline-stack.ts) per request: its
 * one-request state machine, synthesized and executed with
 * aws-local-stepfunctions (the tests' harness). The baseline's routes are
 * HTTP_PROXY integrations, which the API Gateway emulator does not serve,
 * so its `apigateway:invoke` Task is answered by a stub that counts the
 * calls; every other request of the baseline is a copy of this one (its
 * own state machine, schedule and route), so N requests cost N times this.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { buildBaselineStack } from './baseline-stack';
import { billedMs, executionMs, expressMemory } from './express-duration';
import { benchApp, BENCH_REGION } from './library-stack';
import { countTransitions, LocalEvent } from './transitions';
import { taskStates } from '../../test/support/aws-peers';
import { definitionOf, runDefinition } from '../../test/support/state-machine-harness';

export interface BaselineUnits {
  readonly schedulerInvocations: number;
  readonly expressRequests: number;
  readonly transitions: number;
  readonly apiGatewayRequests: number;
  readonly expressBilledMs: number;
  readonly expressBilledMemoryMb: number;
}

export async function measureBaselineRequest(): Promise<BaselineUnits> {
  const template = Template.fromStack(buildBaselineStack(benchApp(), 'BaselineUnits', { requests: 1, targets: 1 })).toJSON();
  const definition = definitionOf(template, BENCH_REGION);
  let calls = 0;
  const tasks = Object.fromEntries(taskStates(definition).map((t) => [t.name, async () => {
    calls++;
    return { StatusCode: 200, StatusText: 'OK', Headers: {}, ResponseBody: {} };
  }]));
  const run = await runDefinition(definition, { request: 'r0' }, { tasks });
  if (run.error) {
    throw new Error(`baseline run failed: ${run.error}`);
  }
  const events = run.events as LocalEvent[];
  const transitions = countTransitions(events);
  // the one Task is the whole execution: its transition and its API call are the critical path
  const ms = executionMs(0, 1, 1, { transitions: transitions.transitions, apiCalls: calls, sdkCalls: 0, retryWaitMs: 0 });
  return {
    schedulerInvocations: 1,
    expressRequests: 1,
    transitions: transitions.transitions,
    apiGatewayRequests: calls,
    expressBilledMs: billedMs(ms),
    expressBilledMemoryMb: expressMemory(JSON.stringify(definition).length, events).billedMb,
  };
}
