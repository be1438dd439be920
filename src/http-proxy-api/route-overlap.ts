/**
 * Whether the execute-api ARN pattern of one route also matches requests
 * that API Gateway sends to another route of the same API.
 *
 * In an IAM resource ARN, `*` is not limited to one path segment: "The
 * asterisk (*) character can expand to replace everything within a segment,
 * including characters like a forward slash (/) that may otherwise appear to
 * be a delimiter within a given service namespace" (IAM user guide, "IAM
 * JSON policy elements: Resource",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
 * API Gateway checks the ARN of the request's actual path
 * (`api-id/stage/METHOD/resource-path`, API Gateway developer guide,
 * "Control access for invoking an API",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html),
 * and IAM has no one-segment wildcard, so the grant of `/forecast/{id}`
 * (`…/GET/forecast/*`) also matches `/forecast/x/y`. The library cannot make
 * that ARN tighter; instead it refuses an API in which such a pattern
 * matches a path that another route serves.
 */

/** One element of a pattern: a literal character or a variable part. */
type Token =
  | { readonly kind: 'char'; readonly c: string }
  /** IAM `*`: any characters, none included. */
  | { readonly kind: 'any' }
  /** A `{param}` segment: one or more characters other than `/`. */
  | { readonly kind: 'segment' }
  /** A `{proxy+}` segment: one or more characters, `/` included. */
  | { readonly kind: 'greedy' };

/** The ARN pattern of a route path (`arnPath`): literal characters and `*`. */
function arnTokens(arnPath: string): Token[] {
  return [...arnPath].map((c) => (c === '*' ? { kind: 'any' } : { kind: 'char', c }));
}

/** The paths a route serves: its literal characters and its variable segments. */
function routeTokens(path: string): Token[] {
  const tokens: Token[] = [];
  for (const part of path.split(/(\{[^}]+\})/)) {
    if (part.startsWith('{')) {
      tokens.push(part.endsWith('+}') ? { kind: 'greedy' } : { kind: 'segment' });
    } else {
      tokens.push(...[...part].map((c): Token => ({ kind: 'char', c })));
    }
  }
  return tokens;
}

/**
 * An automaton state: position in the pattern, and whether the variable
 * part at that position has consumed at least one character yet.
 */
interface State { readonly i: number; readonly started: boolean }

/** States reachable without reading a character (an `any` may match nothing). */
function closure(tokens: Token[], states: State[]): State[] {
  const out = new Map<string, State>();
  const todo = [...states];
  while (todo.length) {
    const s = todo.pop()!;
    const key = `${s.i}:${s.started}`;
    if (out.has(key)) continue;
    out.set(key, s);
    const t = tokens[s.i];
    if (t && (t.kind === 'any' || (t.kind !== 'char' && s.started))) {
      todo.push({ i: s.i + 1, started: false });
    }
  }
  return [...out.values()];
}

/** The states after reading character `c` from state `s`. */
function step(tokens: Token[], s: State, c: string): State[] {
  const t = tokens[s.i];
  if (!t) return [];
  switch (t.kind) {
    case 'char': return t.c === c ? [{ i: s.i + 1, started: false }] : [];
    case 'any': return [s];
    case 'greedy': return [{ i: s.i, started: true }];
    case 'segment': return c === '/' ? [] : [{ i: s.i, started: true }];
  }
}

/**
 * Whether some request path is both matched by the ARN pattern `arnPath`
 * and served by the route `routePath`: a search over pairs of states of
 * the two patterns, reading one character at a time. Characters are
 * those that appear in either pattern, plus `/` and one that appears in
 * neither (what a variable part may hold).
 */
export function arnPatternCoversRoute(arnPath: string, routePath: string): boolean {
  const a = arnTokens(arnPath);
  const r = routeTokens(routePath);
  const alphabet = new Set<string>(['/', '\u0000']);
  for (const t of [...a, ...r]) {
    if (t.kind === 'char') alphabet.add(t.c);
  }
  const seen = new Set<string>();
  let frontier: Array<[State, State]> = [];
  for (const x of closure(a, [{ i: 0, started: false }])) {
    for (const y of closure(r, [{ i: 0, started: false }])) {
      frontier.push([x, y]);
    }
  }
  while (frontier.length) {
    const next: Array<[State, State]> = [];
    for (const [x, y] of frontier) {
      const key = `${x.i}:${x.started}|${y.i}:${y.started}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (x.i === a.length && y.i === r.length) {
        return true;
      }
      for (const c of alphabet) {
        const xs = closure(a, step(a, x, c));
        const ys = closure(r, step(r, y, c));
        for (const nx of xs) for (const ny of ys) next.push([nx, ny]);
      }
    }
    frontier = next;
  }
  return false;
}

/** What routeOverlaps needs of a target. */
export interface RouteOfTarget {
  readonly id: string;
  readonly path: string;
  readonly arnPath: string;
  readonly methods: string[];
}

/**
 * Each pair of targets of one API where a grant of the first (its ARN
 * pattern, for a method both share) also matches a path the second serves.
 */
export function routeOverlaps(targets: RouteOfTarget[]): Array<{ granted: RouteOfTarget; covered: RouteOfTarget; method: string }> {
  const found = [];
  for (const granted of targets) {
    for (const covered of targets) {
      if (granted === covered) continue;
      const method = granted.methods.find((m) => covered.methods.includes(m));
      if (method && arnPatternCoversRoute(granted.arnPath, covered.path)) {
        found.push({ granted, covered, method });
      }
    }
  }
  return found;
}
