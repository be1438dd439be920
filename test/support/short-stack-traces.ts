/**
 * Runs with V8's default stack depth for errors (10 frames) while any
 * harness run is in progress, and puts back what was there after the last
 * one ends.
 *
 * Why: jest sets `Error.stackTraceLimit` to 100, and jsonpath-plus (which
 * aws-local-stepfunctions evaluates every path with) throws and catches an
 * Error on each evaluation that returns a value (its `NewError`). Capturing
 * 100 frames of a deep async stack for each of them made a 10,000-request
 * run take about 2.5 times as long under jest as under plain Node. Errors
 * a run reports keep 10 frames, Node's default.
 */
const HARNESS_STACK_TRACE_LIMIT = 10;

let running = 0;
let saved = Error.stackTraceLimit;

export async function withShortStackTraces<T>(run: () => Promise<T>): Promise<T> {
  if (running++ === 0) {
    saved = Error.stackTraceLimit;
    Error.stackTraceLimit = Math.min(saved, HARNESS_STACK_TRACE_LIMIT);
  }
  try {
    return await run();
  } finally {
    if (--running === 0) {
      Error.stackTraceLimit = saved;
    }
  }
}
