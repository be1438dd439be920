/**
 * A parser for the intrinsic functions of JSONPath states
 * (`States.Format('{}', States.ArrayGetItem($.a, 0))`): calls with
 * arguments that are calls, string literals in single quotes (a backslash
 * escapes the character after it), JSONPath paths, numbers, and
 * true/false/null. It keeps each literal's and path's text as written, so
 * the rules can look at escapes and reserved characters.
 */

/** A node of a parsed intrinsic expression; `start` is its offset in the text. */
export type IntrinsicNode =
  | { readonly kind: 'call'; readonly name: string; readonly args: IntrinsicNode[]; readonly start: number }
  | { readonly kind: 'string'; readonly raw: string; readonly start: number }
  | { readonly kind: 'path'; readonly raw: string; readonly start: number }
  | { readonly kind: 'number'; readonly raw: string; readonly start: number }
  | { readonly kind: 'literal'; readonly raw: string; readonly start: number };

/** A call node. */
export type IntrinsicCall = Extract<IntrinsicNode, { kind: 'call' }>;

/** A node and the call it is an argument of (with the argument's index). */
export interface PlacedNode {
  readonly node: IntrinsicNode;
  readonly parent?: { readonly call: IntrinsicCall; readonly index: number };
}

/** The text is not an intrinsic expression; `offset` is where the parser stopped. */
export class IntrinsicSyntaxError extends Error {
  constructor(message: string, public readonly offset: number) {
    super(`${message} at offset ${offset}`);
  }
}

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  public parseAll(): IntrinsicNode {
    const node = this.expression();
    this.skipSpace();
    if (this.pos < this.text.length) {
      throw new IntrinsicSyntaxError(`unexpected ${JSON.stringify(this.text[this.pos])}`, this.pos);
    }
    return node;
  }

  private skipSpace() {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) {
      this.pos++;
    }
  }

  private expression(): IntrinsicNode {
    this.skipSpace();
    const start = this.pos;
    const rest = this.text.slice(start);
    if (rest.startsWith('States.')) {
      return this.call();
    }
    if (rest.startsWith("'")) {
      return this.string();
    }
    if (rest.startsWith('$')) {
      return this.path();
    }
    const number = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(rest);
    if (number) {
      this.pos += number[0].length;
      return { kind: 'number', raw: number[0], start };
    }
    const literal = /^(true|false|null)\b/.exec(rest);
    if (literal) {
      this.pos += literal[0].length;
      return { kind: 'literal', raw: literal[0], start };
    }
    throw new IntrinsicSyntaxError(rest ? `unexpected ${JSON.stringify(rest[0])}` : 'unexpected end', start);
  }

  private call(): IntrinsicNode {
    const start = this.pos;
    const name = /^States\.[A-Za-z0-9]+/.exec(this.text.slice(start))![0];
    this.pos += name.length;
    this.skipSpace();
    if (this.text[this.pos] !== '(') {
      throw new IntrinsicSyntaxError(`expected ( after ${name}`, this.pos);
    }
    this.pos++;
    const args: IntrinsicNode[] = [];
    this.skipSpace();
    if (this.text[this.pos] === ')') {
      this.pos++;
      return { kind: 'call', name, args, start };
    }
    for (;;) {
      args.push(this.expression());
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === ')') {
        return { kind: 'call', name, args, start };
      }
      if (c !== ',') {
        throw new IntrinsicSyntaxError(c === undefined ? `unclosed ${name}(` : `expected , or ) in ${name}( but found ${JSON.stringify(c)}`, this.pos - 1);
      }
    }
  }

  private string(): IntrinsicNode {
    const start = this.pos;
    let i = start + 1;
    while (i < this.text.length && this.text[i] !== "'") {
      // a backslash escapes whatever follows; which escapes are allowed is the rules' business
      i += this.text[i] === '\\' ? 2 : 1;
    }
    if (i >= this.text.length) {
      throw new IntrinsicSyntaxError('unterminated string literal', start);
    }
    this.pos = i + 1;
    return { kind: 'string', raw: this.text.slice(start + 1, i), start };
  }

  private path(): IntrinsicNode {
    // a path runs to the ',' or ')' that ends the argument; brackets may
    // hold quoted names with commas or parentheses in them
    const start = this.pos;
    let depth = 0;
    let quote: string | undefined;
    let i = start;
    for (; i < this.text.length; i++) {
      const c = this.text[i];
      if (quote) {
        if (c === '\\') {
          i++;
        } else if (c === quote) {
          quote = undefined;
        }
      } else if (depth > 0 && (c === "'" || c === '"')) {
        quote = c;
      } else if (c === '[') {
        depth++;
      } else if (c === ']') {
        depth--;
      } else if (depth === 0 && (c === ',' || c === ')')) {
        break;
      }
    }
    this.pos = i;
    return { kind: 'path', raw: this.text.slice(start, i).trimEnd(), start };
  }
}

/** Parses an intrinsic expression; throws IntrinsicSyntaxError. */
export function parseIntrinsic(text: string): IntrinsicNode {
  return new Parser(text).parseAll();
}

/** Whether a field value is an intrinsic call (rather than a path). */
export function isIntrinsic(value: unknown): value is string {
  return typeof value === 'string' && value.trimStart().startsWith('States.');
}

/** How many intrinsic function calls the expression makes, in total. */
export function countCalls(node: IntrinsicNode): number {
  return node.kind === 'call' ? 1 + node.args.reduce((n, a) => n + countCalls(a), 0) : 0;
}

/** How deep calls nest: 1 for `States.UUID()`, 0 for a path. */
export function callDepth(node: IntrinsicNode): number {
  return node.kind === 'call' ? 1 + Math.max(0, ...node.args.map(callDepth)) : 0;
}

/** Every node of the expression, outermost first, each with the call it is an argument of. */
export function nodesOf(node: IntrinsicNode, parent?: PlacedNode['parent']): PlacedNode[] {
  const out: PlacedNode[] = [{ node, parent }];
  if (node.kind === 'call') {
    node.args.forEach((a, index) => out.push(...nodesOf(a, { call: node, index })));
  }
  return out;
}
