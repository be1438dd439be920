/**
 * AWS's documented rules that our emulators do not enforce, checked
 * statically on every template the repository synthesizes. Each rule (in
 * test/aws-rules/) is shown to pass a compliant fragment and to fail the
 * shape our old templates had.
 */
import { callDepth, countCalls, IntrinsicSyntaxError, parseIntrinsic } from './aws-rules/intrinsic-parser';
import { NINE_NESTED_INTRINSICS } from './support/aws-rule-fragments';

describe('the intrinsic parser', () => {
  test('GIVEN the page\'s example field WHEN parsed THEN it makes nine calls nested five deep', () => {
    const node = parseIntrinsic(NINE_NESTED_INTRINSICS);
    expect([countCalls(node), callDepth(node)]).toEqual([9, 5]);
  });

  test('GIVEN escapes, bracketed paths, numbers and literals WHEN parsed THEN each argument keeps its text', () => {
    const node = parseIntrinsic("States.Format('a \\' \\{ {} , )', $.h['x, y)'], -1.5e3, true, States.UUID())");
    expect(node).toMatchObject({
      kind: 'call',
      name: 'States.Format',
      args: [
        { kind: 'string', raw: "a \\' \\{ {} , )" },
        { kind: 'path', raw: "$.h['x, y)']" },
        { kind: 'number', raw: '-1.5e3' },
        { kind: 'literal', raw: 'true' },
        { kind: 'call', name: 'States.UUID', args: [] },
      ],
    });
  });

  test('GIVEN a string literal closed early by an unescaped quote WHEN parsed THEN it is a syntax error', () => {
    expect(() => parseIntrinsic("States.Format('it's {}', $.a)")).toThrow(IntrinsicSyntaxError);
  });
});

