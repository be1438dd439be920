/**
 * Error handling of Step Functions that a local run does not produce by
 * itself, applied to the Task handlers of one run
 * (support/state-machine-harness.ts wires it in):
 *
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

type Handler = (input: any) => Promise<any>;

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
