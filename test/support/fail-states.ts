/**
 * H4 for the harness: a Fail state's ErrorPath and CausePath may be
 * intrinsic functions. "You can also specify CausePath using an intrinsic
 * function that returns a string. These intrinsics are: States.Format,
 * States.JsonToString, States.ArrayGetItem, States.Base64Encode,
 * States.Base64Decode, States.Hash, and States.UUID", and the same for
 * ErrorPath (Step Functions developer guide, "Fail workflow state",
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html).
 *
 * aws-local-stepfunctions 3.0.0 reads both as reference paths only, so an
 * intrinsic there fails the run with States.Runtime ("does not point to a
 * value"). Before a run, each such Fail state (at any depth: Map item
 * processors, Parallel branches) becomes a Pass state of the same name
 * whose Parameters evaluate `Error` and `Cause` with the interpreter's own
 * intrinsics, followed by a Fail state named `<name> (H4)` that reads them
 * with plain reference paths. The execution, or a Catch around it, then
 * gets the same Error and Cause as from the Fail state; the event log
 * shows the extra state.
 */

const INTRINSIC = /^States\.[A-Za-z0-9]+\(/;
const SUFFIX = ' (H4)';
/** The longest state name CreateStateMachine takes (H1). */
const MAX_NAME = 80;

const isIntrinsic = (path: unknown) => typeof path === 'string' && INTRINSIC.test(path);

/** Rewrites, in place, the Fail states of one States object and of every state machine below it. */
function rewrite(states: Record<string, any>): void {
  for (const [name, state] of Object.entries(states ?? {})) {
    const inner = state.ItemProcessor ?? state.Iterator;
    if (inner) rewrite(inner.States);
    (state.Branches ?? []).forEach((b: any) => rewrite(b.States));
    if (state.Type !== 'Fail' || !(isIntrinsic(state.ErrorPath) || isIntrinsic(state.CausePath))) {
      continue;
    }
    let failName = `${name.slice(0, MAX_NAME - SUFFIX.length)}${SUFFIX}`;
    for (let n = 2; failName in states; n++) {
      failName = `${name.slice(0, MAX_NAME - SUFFIX.length - String(n).length)}${n}${SUFFIX}`;
    }
    const parameters: Record<string, unknown> = {};
    const fail: Record<string, unknown> = { Type: 'Fail' };
    for (const [field, pathField] of [['Error', 'ErrorPath'], ['Cause', 'CausePath']] as const) {
      if (state[pathField] !== undefined) {
        parameters[`${field}.$`] = state[pathField];
        fail[pathField] = `$.${field}`;
      } else if (state[field] !== undefined) {
        fail[field] = state[field];
      }
    }
    states[name] = { Type: 'Pass', ...(state.Comment ? { Comment: state.Comment } : {}), Parameters: parameters, Next: failName };
    states[failName] = fail;
  }
}

/**
 * A copy of a JSON value made in this realm. (Not structuredClone: under
 * jest its objects have another realm's Object.prototype, and
 * aws-local-stepfunctions then does not take them for plain objects, so
 * it leaves the `.$` fields nested in Parameters unevaluated.)
 */
export function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

/** A copy of the definition with H4 applied; the definition given is left as it is. */
export function withIntrinsicFailPaths(definition: any): any {
  const copy = jsonCopy(definition);
  rewrite(copy.States);
  return copy;
}
