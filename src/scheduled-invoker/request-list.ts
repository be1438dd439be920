import { Stack } from 'aws-cdk-lib';
import { PlannedRequest } from './request-plan';
import { IHttpProxyTargetHost } from '../http-proxy-api/http-proxy-target';

/** One API the requests go through, as the invoke task reads it. */
export interface ApiEntry {
  /** `<rest api id>.execute-api.<region>.<url suffix>`, a token until deploy. */
  readonly endpoint: string;
  readonly stage: string;
}

/**
 * One request as the states read it: the same object in the inline
 * layout's Plan state and in the distributed layout's request list.
 */
export interface RequestItem {
  readonly id: string;
  readonly target: string;
  /** Index of the request's API in the API table. */
  readonly api: number;
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string[]>;
  readonly headers: Record<string, string[]>;
  readonly body?: unknown;
}

/** The API table and the requests, in the order given. */
export interface RequestList {
  readonly apis: ApiEntry[];
  readonly items: RequestItem[];
}

/** Outcomes a request can end with, as written in its result. */
export const OUTCOMES = {
  succeeded: 'SUCCEEDED',
  failed: 'FAILED',
  sinkFailed: 'SINK_FAILED',
  tooLarge: 'RESPONSE_TOO_LARGE',
} as const;

/** Room allowed for one field of a sink's result in each request's result. */
export const SINK_FIELD_BYTES = 96;

/**
 * The longest timestamp a runtime renders for `$$.State.EnteredTime`: AWS
 * documents `2026-12-01T10:05:07.123Z`, LocalStack renders
 * `2026-12-01T10:05:07.123456+00:00`.
 */
export const TIMESTAMP_BYTES = 32;

/** The characters an API endpoint resolves to, about. */
const ENDPOINT_CHARS = 60;

/** The API table and the request items, in one pass over the requests. */
export function requestList(requests: PlannedRequest[]): RequestList {
  const index = new Map<IHttpProxyTargetHost, number>();
  const hosts: IHttpProxyTargetHost[] = [];
  const items = requests.map((r): RequestItem => {
    let api = index.get(r.target.api);
    if (api === undefined) {
      api = hosts.length;
      index.set(r.target.api, api);
      hosts.push(r.target.api);
    }
    return {
      id: r.id,
      target: r.target.targetId,
      api,
      method: r.method,
      path: r.path,
      query: r.query,
      headers: r.headers,
      ...(r.body !== undefined ? { body: r.body } : {}),
    };
  });
  const apis = hosts.map((host) => {
    const stack = Stack.of(host.restApi);
    return { endpoint: `${host.restApi.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}`, stage: host.stage.stageName };
  });
  return { apis, items };
}

/** The API table with each endpoint as long as it resolves to, about: what a state carries of it. */
export function apisAsCarried(apis: ApiEntry[]): ApiEntry[] {
  return apis.map((a) => ({ ...a, endpoint: 'x'.repeat(ENDPOINT_CHARS) }));
}

/** Characters of the request list and API table as the inline Map state reads them. */
export function planBytes(list: RequestList): number {
  return JSON.stringify({ apis: apisAsCarried(list.apis), requests: list.items }).length;
}

/**
 * The largest one request's result can be: its record, with room for an
 * error name and the sink's result fields.
 */
export function resultRecordBytes(r: PlannedRequest, sinkResultFields: number): number {
  return JSON.stringify({
    id: r.id,
    target: r.target.targetId,
    statusCode: 504,
    outcome: OUTCOMES.tooLarge,
    startedAt: 'x'.repeat(TIMESTAMP_BYTES),
    finishedAt: 'x'.repeat(TIMESTAMP_BYTES),
    // room for the longer error names of the SDK integrations
    error: 'DynamoDB.ProvisionedThroughputExceededException',
  }).length + (sinkResultFields ? 10 + SINK_FIELD_BYTES * sinkResultFields : 0);
}

/** The largest the results of these requests can be, together. */
export function resultBytes(requests: PlannedRequest[], sinkResultFields: number): number {
  return requests.reduce((sum, r) => sum + resultRecordBytes(r, sinkResultFields), 0);
}
