/**
 * intrinsic-reserved-characters: `'`, `{`, `}` and `\` appear in an
 * intrinsic's arguments only escaped with a backslash.
 *
 * "Intrinsic functions for JSONPath states", section "Reserved characters
 * in intrinsic functions": "The following characters are reserved for
 * intrinsic functions, and must be escaped with a backslash ('\') if you
 * want them to appear in the Value: ' { } and \." and "If an open escape
 * backslash \ is found in the intrinsic invocation string, the interpreter
 * will return a runtime error."
 *
 * In string literals the `{}` placeholders of States.Format's first
 * argument are what the page describes, not reserved characters.
 *
 * JSONPath arguments are checked too, and that part is our policy, not the
 * page's: the same page says a path passed to an intrinsic "must use square
 * bracket notation" when a name has characters outside
 * member-name-shorthand, and its example (`$.abc.['def ghi']`) writes the
 * quotes unescaped. Whether Step Functions reads a quoted name inside an
 * intrinsic's argument list as the page shows is what we could not confirm
 * and our emulator cannot tell, so we keep quotes and braces out of path
 * arguments altogether: read such a name with a plain path field first
 * (`"x.$": "$.headers['Content-Length']"`), then pass `$.x` to the intrinsic.
 */
import { IntrinsicNode, IntrinsicSyntaxError, nodesOf, parseIntrinsic } from './intrinsic-parser';
import { Finding, Rule } from './rule';
import { intrinsicFieldsOf, stateLocation, stateMachinesOf, statesOf } from './state-machines';

const RESERVED = new Set(["'", '{', '}', '\\']);

/** What is wrong in a string literal's text as written (between its quotes). */
export function stringLiteralProblems(raw: string, formatTemplate: boolean): string[] {
  const problems: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\') {
      const next = raw[i + 1];
      if (next !== undefined && RESERVED.has(next)) {
        i++;
      } else {
        problems.push(`open escape backslash before ${next === undefined ? 'the end' : JSON.stringify(next)} at ${i}`);
      }
    } else if (formatTemplate && c === '{' && raw[i + 1] === '}') {
      i++;
    } else if (RESERVED.has(c)) {
      problems.push(`unescaped ${c} at ${i}`);
    }
  }
  return problems;
}

/** The reserved characters of a JSONPath argument, escaped or not. */
export function pathProblems(raw: string): string[] {
  return [...raw].flatMap((c, i) => (RESERVED.has(c) ? [`${c} at ${i}`] : []));
}

function problemsOf(node: IntrinsicNode): string[] {
  return nodesOf(node).flatMap(({ node: n, parent }) => {
    if (n.kind === 'string') {
      const formatTemplate = parent?.call.name === 'States.Format' && parent.index === 0;
      return stringLiteralProblems(n.raw, formatTemplate).map((p) => `string literal '${n.raw}'${parent ? ` (argument ${parent.index + 1} of ${parent.call.name})` : ''}: ${p}`);
    }
    if (n.kind === 'path') {
      const found = pathProblems(n.raw);
      return found.length === 0 ? [] : [`JSONPath argument ${n.raw}${parent ? ` of ${parent.call.name}` : ''} holds reserved characters (${found.join(', ')}); bracket notation with quotes inside an intrinsic argument is the doubtful case this rule keeps out`];
    }
    return [];
  });
}

export const intrinsicReservedCharacters: Rule = {
  id: 'intrinsic-reserved-characters',
  description: "Intrinsic arguments hold ' { } \\ only escaped, and JSONPath arguments none of them",
  url: 'https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#intrinsic-functions-escapes',
  check(template, stack) {
    const findings: Finding[] = [];
    for (const machine of stateMachinesOf(template)) {
      for (const visited of statesOf(machine.definition)) {
        for (const { field, expression } of intrinsicFieldsOf(visited.state)) {
          let messages: string[];
          try {
            messages = problemsOf(parseIntrinsic(expression));
          } catch (e) {
            if (!(e instanceof IntrinsicSyntaxError)) {
              throw e;
            }
            messages = [`does not parse as an intrinsic call (${e.message}); an unescaped ' ends a string literal early`];
          }
          findings.push(...messages.map((message) => ({
            rule: this.id, stack, resource: machine.logicalId, location: `${stateLocation(visited)} ${field}`, message,
          })));
        }
      }
    }
    return findings;
  },
};
