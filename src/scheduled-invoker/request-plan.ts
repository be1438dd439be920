import { Token } from 'aws-cdk-lib';
import { InvokerRequest } from './invoker-request';
import { HttpProxyTarget } from '../http-proxy-api/http-proxy-target';

/** A request as the state machine sees it, checked. */
export interface PlannedRequest {
  readonly id: string;
  readonly target: HttpProxyTarget;
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string[]>;
  readonly headers: Record<string, string[]>;
  readonly body?: unknown;
}

/** What is wrong with one request: the prop, the value and what is accepted. */
export interface RequestProblem {
  readonly prop: string;
  readonly value: unknown;
  readonly accepted: string;
}

const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const METHODS_WITHOUT_BODY = ['GET', 'HEAD', 'OPTIONS'];

/**
 * Request headers `apigateway:invoke` does not permit: "Anything prefixed
 * with X-Forwarded, X-Amz or X-Amzn", and these names (Step Functions
 * developer guide, "Call API Gateway with Step Functions", request format:
 * https://docs.aws.amazon.com/step-functions/latest/dg/connect-api-gateway.html).
 */
export const INVOKE_REFUSED_HEADERS: readonly string[] = [
  'Authorization', 'Connection', 'Content-MD5', 'Expect', 'Host', 'Max-Forwards', 'Proxy-Authenticate',
  'Server', 'TE', 'Transfer-Encoding', 'Trailer', 'Upgrade', 'Via', 'WWW-Authenticate',
];
/** Prefixes of the headers `apigateway:invoke` does not permit. */
export const INVOKE_REFUSED_HEADER_PREFIXES: readonly string[] = ['X-Forwarded', 'X-Amz'];

/** Whether Step Functions' apigateway:invoke refuses a request header of this name. */
export function isInvokeForbiddenHeader(name: string): boolean {
  const n = name.toLowerCase();
  return INVOKE_REFUSED_HEADERS.some((h) => h.toLowerCase() === n)
    || INVOKE_REFUSED_HEADER_PREFIXES.some((p) => n.startsWith(p.toLowerCase()));
}

/**
 * Checks one request against its target and renders it for the state
 * machine. Returns the planned request or the first problem found.
 */
export function planRequest(request: InvokerRequest, id: string): PlannedRequest | RequestProblem {
  const target = request.target;
  if (!REQUEST_ID.test(id)) {
    return { prop: 'id', value: id, accepted: 'letters, digits, ".", "_" and "-", starting with a letter or digit, at most 128 characters' };
  }
  const method = request.method ?? target.method;
  if (!target.methods.includes(method)) {
    return { prop: 'method', value: method, accepted: `a method of target '${target.targetId}': ${target.methods.join(', ')}` };
  }

  const path = renderPath(request);
  if (typeof path !== 'string') {
    return path;
  }

  const query: Record<string, string[]> = {};
  const given = request.queryParameters ?? {};
  for (const [name, value] of Object.entries(given)) {
    if (!target.queryParameters.includes(name)) {
      return {
        prop: `queryParameters.${name}`,
        value,
        accepted: target.queryParameters.length
          ? `the query parameters target '${target.targetId}' forwards: ${target.queryParameters.join(', ')}`
          : `no query parameters: target '${target.targetId}' forwards none (add them to its queryParameters)`,
      };
    }
    if (typeof value !== 'string') {
      return { prop: `queryParameters.${name}`, value, accepted: 'a string' };
    }
    query[name] = [value];
  }
  const missing = target.requiredQueryParameters.filter((q) => !(q in given));
  if (missing.length) {
    return { prop: 'queryParameters', value: given, accepted: `an object with the required query parameters of target '${target.targetId}': ${missing.join(', ')} missing` };
  }

  const headers: Record<string, string[]> = {};
  const forwarded = [...target.requestHeaders, ...(request.body ? ['Content-Type'] : [])].map((h) => h.toLowerCase());
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (name.endsWith('.$')) {
      return { prop: `headers.${name}`, value, accepted: 'a header name that does not end in ".$" (Step Functions would read it as a path)' };
    }
    if (isInvokeForbiddenHeader(name)) {
      return { prop: `headers.${name}`, value, accepted: `a header Step Functions' apigateway:invoke permits (Step Functions signs the call itself and refuses ${INVOKE_REFUSED_HEADERS.join(', ')} and any X-Amz* or X-Forwarded* header)` };
    }
    if (!forwarded.includes(name.toLowerCase())) {
      return {
        prop: `headers.${name}`,
        value,
        accepted: `a header target '${target.targetId}' forwards: ${forwarded.length ? forwarded.join(', ') : 'none (add it to its requestHeaders)'}`,
      };
    }
    if (typeof value !== 'string') {
      return { prop: `headers.${name}`, value, accepted: 'a string' };
    }
    headers[name] = [value];
  }

  let body: unknown;
  if (request.body !== undefined) {
    if (METHODS_WITHOUT_BODY.includes(method)) {
      return { prop: 'body', value: `a body on ${method}`, accepted: `no body on ${METHODS_WITHOUT_BODY.join(', ')}; use POST, PUT, PATCH or DELETE` };
    }
    const badKey = pathLikeKey(request.body.value);
    if (badKey) {
      return { prop: 'body', value: badKey, accepted: 'object keys that do not end in ".$" (Step Functions would read them as paths)' };
    }
    body = request.body.value;
  }

  return { id, target, method, path, query, headers, body };
}

export function isProblem(x: PlannedRequest | RequestProblem): x is RequestProblem {
  return 'prop' in x;
}

function renderPath(request: InvokerRequest): string | RequestProblem {
  const target = request.target;
  const given = request.pathParameters ?? {};
  // a proxy route's {proxy+} is given as proxyPath, not as a path parameter
  const declared = target.proxy ? target.pathParameters.filter((p) => p !== 'proxy') : target.pathParameters;
  const unknown = Object.keys(given).filter((p) => !declared.includes(p));
  const missing = declared.filter((p) => !(p in given));
  if (unknown.length || missing.length) {
    return {
      prop: 'pathParameters',
      value: given,
      accepted: declared.length
        ? `exactly the path parameters of target '${target.targetId}' (${target.path}): ${declared.join(', ')}`
        : `no path parameters: target '${target.targetId}' (${target.path}) has none`,
    };
  }
  let path = target.path;
  for (const name of declared) {
    const value = given[name];
    if (typeof value !== 'string' || value === '' || Token.isUnresolved(value)) {
      return { prop: `pathParameters.${name}`, value, accepted: 'a non-empty literal string (it is URL-encoded into the path at synth time)' };
    }
    const trick = pathTrick(value);
    if (trick) {
      return { prop: `pathParameters.${name}`, value, accepted: `a value without ${trick}: ${PATH_TRICK_REASON}` };
    }
    path = path.replace(`{${name}}`, encodeURIComponent(value));
  }
  if (target.proxy) {
    const proxyPath = request.proxyPath;
    if (proxyPath === undefined || proxyPath === '' || Token.isUnresolved(proxyPath)) {
      return { prop: 'proxyPath', value: proxyPath, accepted: `a literal path below ${target.path.replace('/{proxy+}', '')}, e.g. "v1/status": target '${target.targetId}' is a proxy route` };
    }
    const segments = proxyPath.replace(/^\/+/, '').split('/');
    if (segments.some((s) => s === '' || s === '.' || s === '..')) {
      return { prop: 'proxyPath', value: proxyPath, accepted: 'a path of non-empty segments with no "." or ".." segment' };
    }
    const trick = pathTrick(proxyPath);
    if (trick) {
      return { prop: 'proxyPath', value: proxyPath, accepted: `a path without ${trick}: ${PATH_TRICK_REASON}` };
    }
    path = path.replace('{proxy+}', segments.map(encodeURIComponent).join('/'));
  } else if (request.proxyPath !== undefined) {
    return { prop: 'proxyPath', value: request.proxyPath, accepted: `no proxyPath: target '${target.targetId}' is not a proxy route` };
  }
  return path;
}

/**
 * Why path values may not hold these: API Gateway's documentation does not
 * say whether it decodes a path parameter or a {proxy+} path before it puts
 * it into the integration URI, so such a value could reach the upstream as
 * another path, a query string or a header (test/path-tricks.test.ts shows
 * what the emulation does; README, "Path tricks").
 */
const PATH_TRICK_REASON = 'API Gateway does not document whether it decodes path values before substituting them into the integration URI, so the upstream could see another path, a query string or a fragment';

/** The first trick a path value holds: %, a .. segment, ?, #, CR or LF, or another control character. */
function pathTrick(value: string): string | undefined {
  if (value.includes('%')) return '"%" (no percent-encoding; give the value as it should read, the invoker encodes it)';
  if (value.split('/').includes('..') || value === '..') return 'a ".." segment';
  if (value.includes('?')) return '"?"';
  if (value.includes('#')) return '"#"';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'control characters (CR, LF and others)';
  return undefined;
}

/** The first object key, at any depth, that Step Functions would read as a path. */
function pathLikeKey(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    for (const v of value) {
      const k = pathLikeKey(v);
      if (k) {
        return k;
      }
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.endsWith('.$')) {
        return k;
      }
      const inner = pathLikeKey(v);
      if (inner) {
        return inner;
      }
    }
  }
  return undefined;
}
