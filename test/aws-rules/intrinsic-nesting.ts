/**
 * intrinsic-nesting: at most 10 intrinsic functions in one field.
 *
 * "Intrinsic functions for JSONPath states" says: "You can nest up to 10
 * intrinsic functions within a field in your workflows." Its example of a
 * field "that includes nine nested intrinsic functions" makes 9 calls in
 * total while nesting them only 5 deep, so the page counts every call in
 * the field, not the depth. The rule counts the calls (which also bounds
 * the depth) and reports both.
 */
import { callDepth, countCalls, IntrinsicSyntaxError, parseIntrinsic } from './intrinsic-parser';
import { Finding, Rule } from './rule';
import { intrinsicFieldsOf, stateLocation, stateMachinesOf, statesOf } from './state-machines';

/** The most intrinsic function calls the page allows in one field. */
export const MAX_INTRINSICS_PER_FIELD = 10;

export const intrinsicNesting: Rule = {
  id: 'intrinsic-nesting',
  description: `No field of a state makes more than ${MAX_INTRINSICS_PER_FIELD} intrinsic function calls`,
  url: 'https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html',
  check(template, stack) {
    const findings: Finding[] = [];
    for (const machine of stateMachinesOf(template)) {
      for (const visited of statesOf(machine.definition)) {
        for (const { field, expression } of intrinsicFieldsOf(visited.state)) {
          let node;
          try {
            node = parseIntrinsic(expression);
          } catch (e) {
            if (!(e instanceof IntrinsicSyntaxError)) {
              throw e;
            }
            // intrinsic-reserved-characters reports what does not parse
            continue;
          }
          const calls = countCalls(node);
          if (calls > MAX_INTRINSICS_PER_FIELD) {
            findings.push({
              rule: this.id,
              stack,
              resource: machine.logicalId,
              location: `${stateLocation(visited)} ${field}`,
              message: `${calls} intrinsic function calls, nested ${callDepth(node)} deep (at most ${MAX_INTRINSICS_PER_FIELD} in a field)`,
            });
          }
        }
      }
    }
    return findings;
  },
};
