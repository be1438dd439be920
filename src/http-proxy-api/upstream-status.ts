/**
 * Upstream status codes passed back to the caller unchanged. A non-proxy
 * HTTP integration needs one integration response per status it returns;
 * these are the codes a poller acts on (success, not-modified, the client
 * errors that must not be retried, 429 and the retryable 5xx).
 */
export const EXACT_STATUS_CODES = [200, 201, 202, 204, 304, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504];

/**
 * Any other upstream status is returned as the first code of its class
 * (e.g. 418 as 400, 507 as 500), so the caller still sees success, client
 * error or server error.
 */
export const STATUS_CLASSES = [2, 3, 4, 5];

/** One integration response: a selection pattern and the status it returns. */
export interface StatusMapping {
  readonly selectionPattern: string;
  readonly statusCode: string;
  /**
   * Which upstream headers this status passes back: the target's declared
   * response headers on success and 304, only Retry-After on 429 and 503,
   * none otherwise (each mapping costs template space on every method).
   */
  readonly headers: 'declared' | 'retry-after' | 'none';
}

function headersFor(code: number): StatusMapping['headers'] {
  if ((code >= 200 && code < 300) || code === 304) {
    return 'declared';
  }
  return code === 429 || code === 503 ? 'retry-after' : 'none';
}

/**
 * A regular expression matching every three-digit code of a class except
 * the given ones, written by tens so it stays short (`40[5-8]|41\d|...`).
 */
export function classPatternExcluding(statusClass: number, excluded: number[]): string {
  const parts: string[] = [];
  for (let tens = 0; tens < 10; tens++) {
    const ones = [...Array(10).keys()].filter((d) => !excluded.includes(statusClass * 100 + tens * 10 + d));
    if (ones.length === 10) {
      parts.push(`${statusClass}${tens}\\d`);
    } else if (ones.length === 1) {
      parts.push(`${statusClass}${tens}${ones[0]}`);
    } else if (ones.length > 1) {
      parts.push(`${statusClass}${tens}[${ones.join('')}]`);
    }
  }
  return parts.join('|');
}

/**
 * The integration responses of every target method, one per method status.
 * API Gateway keys an integration's responses by status code
 * (`.../integration/responses/{status_code}`), so a class fallback that
 * returns a code already listed (418 as 400) joins that code's pattern
 * rather than becoming a second entry, which would replace the first.
 */
export function statusMappings(): StatusMapping[] {
  const mappings = new Map<string, StatusMapping>();
  for (const code of EXACT_STATUS_CODES) {
    mappings.set(String(code), { selectionPattern: String(code), statusCode: String(code), headers: headersFor(code) });
  }
  for (const c of STATUS_CLASSES) {
    const statusCode = String(c * 100);
    const pattern = classPatternExcluding(c, EXACT_STATUS_CODES);
    const exact = mappings.get(statusCode);
    mappings.set(statusCode, exact
      ? { ...exact, selectionPattern: `${exact.selectionPattern}|${pattern}` }
      : { selectionPattern: pattern, statusCode, headers: headersFor(c * 100) });
  }
  return [...mappings.values()];
}

/** The upstream headers a status passes back, given a target's declared ones. */
export function headersForStatus(mapping: StatusMapping, declared: string[]): string[] {
  if (mapping.headers === 'declared') {
    return declared;
  }
  return mapping.headers === 'retry-after' ? ['Retry-After'] : [];
}
