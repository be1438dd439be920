/**
 * What the stub upstream answers in the lane's scenarios, the same for both
 * runtimes: `scenarioAnswers()` returns a fresh rule (its "first request
 * fails" counters at zero), to be installed on the stub before each run.
 *
 * - `/v1/items/created`: 201.
 * - `/v1/items/missing`: 404.
 * - `/v1/items/flaky`: 503 the first time, then 200.
 * - `/v1/items/busy`: 429 with `Retry-After: 1` the first time, then 200.
 * - `/v1/slow`: the first answer 3 s late (its route's timeout is 1 s), then at once.
 * - `/v1/items/large`: 200 with a JSON body over 256 KiB.
 * - `/v1/orders`: 200, echoing the body and content type it received.
 * - anything else: 200 with a small JSON body naming the path and query.
 */
import { RecordedRequest, StubAnswer } from '../../support/upstream-stub';

/** Bytes of the large answer: over Step Functions' 256 KiB payload quota. */
export const LARGE_BODY_BYTES = 300 * 1024;
/** How late the first answer of `/v1/slow` is. */
export const SLOW_ANSWER_MS = 3_000;

const json = (body: unknown, status = 200, headers: Record<string, string> = {}): StubAnswer =>
  ({ status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

export function scenarioAnswers(): (r: RecordedRequest) => StubAnswer {
  const seen: Record<string, number> = {};
  const first = (path: string) => (seen[path] = (seen[path] ?? 0) + 1) === 1;
  return (r) => {
    switch (r.path) {
      case '/v1/items/created':
        return json({ name: 'created' }, 201);
      case '/v1/items/missing':
        return json({ error: 'no such item' }, 404);
      case '/v1/items/flaky':
        return first(r.path) ? json({ error: 'unavailable' }, 503) : json({ name: 'flaky', ok: true });
      case '/v1/items/busy':
        return first(r.path) ? json({ error: 'slow down' }, 429, { 'Retry-After': '1' }) : json({ name: 'busy', ok: true });
      case '/v1/slow':
        return first(r.path) ? { ...json({ slow: true }), delayMs: SLOW_ANSWER_MS } : json({ slow: false });
      case '/v1/items/large':
        return json({ name: 'large', padding: 'x'.repeat(LARGE_BODY_BYTES) });
      case '/v1/orders':
        return json({ received: r.body, contentType: r.headers['content-type'] ?? null });
      default:
        return json({ path: r.path, query: r.query });
    }
  };
}
