/**
 * Faults and error handling of Step Functions that a local run does not
 * produce by itself, applied to the Task handlers of one run
 * (support/state-machine-harness.ts wires them in):
 *
 * - commit-then-timeout: the task's call is really made (the DynamoDB
 *   UpdateItem, the SNS Publish, ... reaches the local peer and commits),
 *   and then the attempt fails with `States.Timeout`, as when the answer
 *   does not come back within the task's TimeoutSeconds. The state's Retry
 *   then runs the call again. (Step Functions developer guide, "Handling
 *   errors in Step Functions workflows": States.Timeout is reported when a
 *   Task state runs longer than TimeoutSeconds;
 *   https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html)
 * - States.Runtime raised by a handler fails the execution: no Retry and no
 *   Catch takes it, States.ALL included (Step Functions developer guide,
 *   "Handling errors in Step Functions workflows": "States.ALL ... can't
 *   catch ... runtime error types", and a States.Runtime error is not
 *   retriable;
 *   https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
 *   aws-local-stepfunctions gives its own States.Runtime errors that
 *   property, but a handler's error is retried and caught like any other
 *   unless it is marked.
 */

// the package is ESM with a CommonJS build; the tests are CommonJS
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { StateMachine } = require('aws-local-stepfunctions') as typeof import('aws-local-stepfunctions', { with: { 'resolution-mode': 'import' } });

type Handler = (input: any) => Promise<any>;

/** Fail the named Task state's attempts (1-based, counted per run) with States.Timeout after their call committed. */
export interface CommitThenTimeout {
  /** The Task state's name, e.g. 'Archive: compare and set hash'. */
  readonly state: string;
  /** Which attempts of the state, counted in one run from 1 (iterations of a Map count together). Default: [1]. */
  readonly attempts?: readonly number[];
  /** Which runs of the execution, 1 the first and 2 its replay (see RunOptions.replay). Default: every run. */
  readonly runs?: readonly number[];
}

/** One attempt the fault failed after its call committed. */
export interface InjectedFault {
  readonly state: string;
  readonly attempt: number;
  readonly run: number;
  /** What the committed call returned, before the attempt was failed. */
  readonly committedResult: any;
}

let timeoutErrorClass: Promise<new () => Error> | undefined;

/**
 * aws-local-stepfunctions' own States.Timeout error class, so that the
 * injected timeout is handled exactly as one of its real task timeouts.
 * That matters: its retriers and catchers tell a timeout by class, not by
 * name (a `States.TaskFailed` matcher takes every error of a Task state but
 * an instance of this class). The class is not exported; it is taken once
 * from a 1 ms task timeout in a throwaway machine.
 */
function statesTimeoutErrorClass(): Promise<new () => Error> {
  timeoutErrorClass ??= (async () => {
    const probe = new StateMachine(
      { StartAt: 'Probe', States: { Probe: { Type: 'Task', Resource: 'arn:aws:states:::probe', TimeoutSeconds: 0.001, End: true } } } as any,
      { validationOptions: { noValidate: true } },
    );
    const execution = probe.run({}, { overrides: { taskResourceLocalHandlers: { Probe: () => new Promise(() => undefined) } } });
    const error = await execution.result.then(() => undefined, (e: any) => e.cause ?? e);
    if (error?.name !== 'States.Timeout') {
      throw new Error(`expected a States.Timeout from the probe, got ${error?.name}`);
    }
    return error.constructor;
  })();
  return timeoutErrorClass;
}

/** Wraps a state's handler so that the chosen attempts commit their call and then fail with States.Timeout. */
export function commitThenTimeout(
  state: string, handler: Handler, faults: readonly CommitThenTimeout[], run: number, injected: InjectedFault[],
): Handler {
  const mine = faults.filter((f) => f.state === state && (f.runs === undefined || f.runs.includes(run)));
  if (mine.length === 0) {
    return handler;
  }
  let attempt = 0;
  return async (input) => {
    const n = ++attempt;
    // the real call: when it fails, nothing committed and its own error stands
    const committedResult = await handler(input);
    if (mine.some((f) => (f.attempts ?? [1]).includes(n))) {
      injected.push({ state, attempt: n, run, committedResult });
      const TimeoutError = await statesTimeoutErrorClass();
      throw Object.assign(new TimeoutError(), { message: `States.Timeout injected after the call of '${state}' (attempt ${n}) committed` });
    }
    return committedResult;
  };
}

/** Marks a handler's States.Runtime error as Step Functions treats it: no Retry, no Catch. */
export function statesRuntimeIsTerminal(handler: Handler): Handler {
  return async (input) => {
    try {
      return await handler(input);
    } catch (e: any) {
      if (e?.name === 'States.Runtime') {
        // the properties aws-local-stepfunctions reads on an error to let a retrier or catcher take it
        Object.defineProperty(e, 'isRetryable', { value: false });
        Object.defineProperty(e, 'isCatchable', { value: false });
      }
      throw e;
    }
  };
}

/** Fails when a fault names a state the definition has no Task of, so a misspelt name does not pass silently. */
export function checkFaultStates(faults: readonly CommitThenTimeout[], taskNames: readonly string[]): void {
  for (const f of faults) {
    if (!taskNames.includes(f.state)) {
      throw new Error(`commitThenTimeout names '${f.state}', which is not a Task state with a handler (${taskNames.join(', ')})`);
    }
    if ((f.attempts ?? [1]).some((a) => !Number.isInteger(a) || a < 1)) {
      throw new Error(`commitThenTimeout attempts of '${f.state}' must be whole numbers from 1`);
    }
  }
}
