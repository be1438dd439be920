/**
 * What the lane compares between the two runtimes, and everything it
 * normalises first, each by name. Nothing else is normalised: any other
 * difference fails the comparison.
 *
 * Outcome records: TIMESTAMP_FIELDS are left out (they are checked on
 * their own: present, parseable, in order), and the archive key a record
 * names has its execution-specific parts replaced (ARCHIVE_KEY_PARTS).
 *
 * Upstream requests, as the stub received them: sorted (the Map state runs
 * requests concurrently, so arrival order is not part of the contract);
 * RUNTIME_REQUEST_HEADER_VALUES keep their presence but not their value;
 * a JSON body is compared parsed, without its Content-Length (JSON_BODIES_PARSED).
 *
 * Archived objects: the execution-specific parts of keys (ARCHIVE_KEY_PARTS)
 * and records (ARCHIVE_RECORD_FIELDS); and of the response headers a record
 * keeps, those the runtime adds itself (RUNTIME_RESPONSE_HEADERS); the
 * headers the API's integration responses map are compared.
 */
import { RecordedRequest } from '../../support/upstream-stub';

/** Fields of an outcome record that hold the runtime's clock. */
export const TIMESTAMP_FIELDS = ['startedAt', 'finishedAt'] as const;

/**
 * Request headers whose value is the runtime's own: each runtime's API has
 * its own id, and each request its own trace id.
 */
export const RUNTIME_REQUEST_HEADER_VALUES: Record<string, (v: string) => string> = {
  'x-amzn-apigateway-api-id': () => '<api id>',
  'user-agent': (v) => v.replace(/^AmazonAPIGateway_[a-z0-9]+$/, 'AmazonAPIGateway_<api id>'),
  'x-amzn-trace-id': (v) => (/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}(;|$)/.test(v) ? '<trace id>' : `<not a trace id: ${v}>`),
};

/**
 * JSON bodies are compared as values: LocalStack's Step Functions (Python)
 * serializes a RequestBody object with spaces after `:` and `,`, the
 * harness without; how Step Functions does it is not documented, and the
 * upstream reads the same JSON either way.
 */
export const JSON_BODIES_PARSED = true;

/** Execution-specific parts of an archive key, replaced by a placeholder. */
export const ARCHIVE_KEY_PARTS: Array<[RegExp, string]> = [
  // the execution's start date
  [/\/date=\d{4}-\d{2}-\d{2}\//, '/date=<start date>/'],
  // <execution name>-<MD5 of the execution ARN>
  [/\/[A-Za-z0-9_.-]+-[0-9a-f]{32}\//, '/<execution>/'],
];

/** Execution-specific fields of an archived record. */
export const ARCHIVE_RECORD_FIELDS = ['requestedAt', 'archivedAt', 'execution', 'executionArn', 'trigger.executionId', 'trigger.scheduleArn'] as const;

/**
 * Response headers the runtime adds itself, which an archived record keeps
 * beside the ones the API maps: the harness's Node server (Content-Length,
 * Date, Connection, Keep-Alive) and LocalStack's invoke task, which adds
 * the headers of the example response on the Step Functions page
 * (x-amzn-RequestId, x-amz-apigw-id, X-Amzn-Trace-Id, X-Amz-Cf-Id,
 * X-Amz-Cf-Pop, X-Cache, Via) and x-localstack.
 */
export const RUNTIME_RESPONSE_HEADERS = ['content-length', 'date', 'connection', 'keep-alive', 'x-amzn-requestid', 'x-amz-apigw-id', 'x-amzn-trace-id', 'x-amz-cf-id', 'x-amz-cf-pop', 'x-cache', 'via', 'x-localstack'];

/** An outcome record without its timestamps, the archive key it names (`sink.key`) with ARCHIVE_KEY_PARTS replaced. */
export function recordWithoutTimes(record: any): any {
  const out = { ...record };
  for (const f of TIMESTAMP_FIELDS) delete out[f];
  if (typeof out.sink?.key === 'string') out.sink = { ...out.sink, key: comparedKey(out.sink.key) };
  return out;
}

/** What the comparison keeps of one upstream request. */
export interface ComparedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

/** The upstream requests, normalised as the top of this file says, sorted. */
export function comparedRequests(requests: RecordedRequest[], dropHeaders: readonly string[] = []): ComparedRequest[] {
  return requests.map((r) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(r.headers)) {
      if (dropHeaders.includes(name)) continue;
      headers[name] = RUNTIME_REQUEST_HEADER_VALUES[name]?.(value) ?? value;
    }
    let body: unknown = r.body;
    if (JSON_BODIES_PARSED && r.body && (r.headers['content-type'] ?? '').includes('json')) {
      try {
        body = JSON.parse(r.body);
        // the length follows the serialization
        delete headers['content-length'];
      } catch {
        body = r.body;
      }
    }
    return { method: r.method, path: r.path, query: r.query, headers, body };
  }).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** An archive key with its execution-specific parts replaced. */
export function comparedKey(key: string): string {
  return ARCHIVE_KEY_PARTS.reduce((k, [re, to]) => k.replace(re, to), key);
}

/**
 * An archived record with its execution-specific fields replaced, and of
 * its response headers only those the API maps (`mapped`, lower case);
 * any header that is neither mapped nor a runtime's own is kept, so that
 * it fails the comparison.
 */
export function comparedRecord(record: any, mapped: readonly string[]): any {
  if (typeof record !== 'object' || record === null) return record;
  const out = JSON.parse(JSON.stringify(record));
  for (const field of ARCHIVE_RECORD_FIELDS) {
    const [a, b] = field.split('.');
    if (b === undefined) {
      if (a in out) out[a] = `<${a}>`;
    } else if (out[a] && b in out[a]) {
      out[a][b] = `<${b}>`;
    }
  }
  if (out.headers) {
    out.headers = Object.fromEntries(Object.entries<any>(out.headers)
      .filter(([name]) => mapped.includes(name.toLowerCase()) || !RUNTIME_RESPONSE_HEADERS.includes(name.toLowerCase()))
      .map(([name, value]) => [name.toLowerCase(), value])
      .sort(([x], [y]) => x.localeCompare(y)));
  }
  return out;
}

/** Response headers an API maps in its integration responses, lower case. */
export function mappedResponseHeaders(template: any): string[] {
  const names = new Set<string>();
  for (const r of Object.values<any>(template.Resources)) {
    for (const ir of r.Properties?.Integration?.IntegrationResponses ?? []) {
      for (const target of Object.keys(ir.ResponseParameters ?? {})) {
        names.add(target.replace(/^method\.response\.header\./, '').toLowerCase());
      }
    }
  }
  return [...names].sort();
}
