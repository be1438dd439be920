/**
 * The shape of a rule of test/aws-rules: a rule AWS documents and our
 * emulators do not enforce, checked statically on a synthesized template.
 */

/** One place in a template that breaks a rule. */
export interface Finding {
  /** the rule's id */
  readonly rule: string;
  /** the stack the template belongs to */
  readonly stack: string;
  /** the logical id of the resource */
  readonly resource: string;
  /** where in the resource: a state (`"Map" > "Inner"`), a field, a statement */
  readonly location: string;
  /** what is wrong */
  readonly message: string;
}

/** A rule: what it checks, the AWS page it relies on, and the check. */
export interface Rule {
  readonly id: string;
  /** one line */
  readonly description: string;
  /** the AWS documentation page the rule cites */
  readonly url: string;
  readonly check: (template: any, stackName: string) => Finding[];
}

/** A finding as one line: `rule stack resource location: message`. */
export function formatFinding(f: Finding): string {
  return `${f.rule} ${f.stack} ${f.resource}${f.location ? ` ${f.location}` : ''}: ${f.message}`;
}
