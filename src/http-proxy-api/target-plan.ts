import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { HttpTargetOptions } from './target-options';
import { parseTargetUrl } from './target-url';
import { ThrottleOptions, validateThrottle } from './throttle';
import { invalidProp } from '../common/errors';

/** Methods a target route may declare. */
export const TARGET_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** Methods whose request carries a body, so Content-Type is forwarded. */
export const BODY_METHODS = ['POST', 'PUT', 'PATCH'];

/** A header name as RFC 9110 defines a token. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A query parameter name usable in an API Gateway mapping expression. */
const QUERY_NAME = /^[A-Za-z0-9_.~-]+$/;

/** A route path: slash-separated segments of URL-safe characters. */
const ROUTE_PATH = /^(\/[A-Za-z0-9._~-]+)+$/;

/** A target id, which is also the default route path segment. */
const TARGET_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Caller headers that carry credentials or routing and are never forwarded. */
export function isCredentialOrRoutingHeader(name: string): boolean {
  const n = name.toLowerCase();
  return ['authorization', 'proxy-authorization', 'cookie', 'host'].includes(n)
    || n.startsWith('x-amz-') || n.startsWith('x-amzn-') || n.startsWith('x-forwarded-');
}

/**
 * Query parameter names that usually carry a credential, compared without
 * case and without `-`, `_` and `.`: `api_key`, `API-Key` and `apikey` are
 * one name.
 */
const CREDENTIAL_QUERY_NAMES = new Set([
  'apikey', 'key', 'token', 'accesstoken', 'authtoken', 'auth', 'authorization', 'appid', 'appkey',
  'clientsecret', 'secret', 'password', 'passwd', 'pwd', 'signature', 'sig', 'privatekey',
  'secretkey', 'apisecret', 'apptoken', 'bearer', 'sessiontoken', 'refreshtoken', 'idtoken',
  'subscriptionkey',
]);

/** Whether a fixed query parameter name looks like it carries a credential. */
export function isCredentialQueryName(name: string): boolean {
  return CREDENTIAL_QUERY_NAMES.has(name.toLowerCase().replace(/[-_.]/g, ''));
}

/**
 * Caller headers by which many servers and frameworks let a request name
 * another method or another path than the one API Gateway sends
 * (`X-HTTP-Method-Override: DELETE` on a GET, `X-Original-URL: /admin`):
 * forwarded, they would let a caller granted one route reach other
 * operations of the upstream. `Forwarded` (RFC 7239) carries the same
 * client and host information as the refused `X-Forwarded-*`.
 */
const OVERRIDE_HEADERS = ['X-HTTP-Method-Override', 'X-HTTP-Method', 'X-Method-Override', 'X-Original-URL', 'X-Rewrite-URL', 'Forwarded'];

/** Whether a caller header would override the method or path upstream, or spoof the client. */
export function isOverrideHeader(name: string): boolean {
  return OVERRIDE_HEADERS.some((h) => h.toLowerCase() === name.toLowerCase());
}

/**
 * Upstream headers never passed back to the caller: `Set-Cookie` would let
 * a third party set cookies for the API's own domain.
 */
const REFUSED_RESPONSE_HEADERS = ['Set-Cookie', 'Set-Cookie2'];

/** Outbound headers API Gateway sets itself, which a target may not set. */
function isReservedOutboundHeader(name: string): boolean {
  const n = name.toLowerCase();
  return ['host', 'content-length', 'transfer-encoding', 'connection'].includes(n)
    || n.startsWith('x-amz-') || n.startsWith('x-amzn-');
}

/** Everything the API needs to build one target, checked. */
export interface TargetPlan {
  readonly id: string;
  /** Route path as API Gateway shows it, e.g. `/weather/{city}`. */
  readonly path: string;
  /** Route path in an execute-api ARN, variable segments as `*`. */
  readonly arnPath: string;
  readonly methods: string[];
  readonly integrationUri: string;
  readonly pathParameters: string[];
  readonly queryParameters: Record<string, boolean>;
  readonly requestHeaders: string[];
  readonly staticHeaders: Record<string, string>;
  readonly staticQueryParameters: Record<string, string>;
  readonly responseHeaders: string[];
  readonly timeout: Duration;
  readonly isTokenUrl: boolean;
  readonly proxy: boolean;
  /** The route's own rate limits, if it overrides the API's. */
  readonly throttle?: ThrottleOptions;
  /** Seconds to cache GET answers, if the route is cached. */
  readonly cacheTtlSeconds?: number;
}

export const DEFAULT_RESPONSE_HEADERS = ['Content-Type', 'ETag', 'Last-Modified', 'Retry-After'];

function checkNames(scope: IConstruct, prop: string, names: string[], pattern: RegExp, accepted: string): void {
  for (const name of names) {
    if (Token.isUnresolved(name) || !pattern.test(name)) {
      throw invalidProp(scope, prop, name, accepted);
    }
  }
  const seen = new Set<string>();
  for (const name of names) {
    const key = name.toLowerCase();
    if (seen.has(key)) {
      throw invalidProp(scope, prop, name, 'each name once (names are compared without case)');
    }
    seen.add(key);
  }
}

/**
 * Checks a target's options and works out its route, integration URI and
 * the parameters it forwards. Throws an error naming the prop on bad input.
 */
export function planTarget(scope: IConstruct, id: string, options: HttpTargetOptions): TargetPlan {
  if (Token.isUnresolved(id) || !TARGET_ID.test(id)) {
    throw invalidProp(scope, 'addTarget id', id, 'lower-case letters, digits and hyphens, starting with a letter or digit, at most 63 characters');
  }
  const p = (name: string) => `addTarget('${id}').${name}`;

  const methods = options.methods ?? ['GET'];
  if (methods.length === 0) {
    throw invalidProp(scope, p('methods'), methods, `at least one of ${TARGET_METHODS.join(', ')}`);
  }
  for (const m of methods) {
    if (!TARGET_METHODS.includes(m)) {
      throw invalidProp(scope, p('methods'), m, TARGET_METHODS.join(', ') + ' (upper case)');
    }
  }
  if (new Set(methods).size !== methods.length) {
    throw invalidProp(scope, p('methods'), methods, 'each method once');
  }

  const basePath = options.path ?? `/${id}`;
  if (Token.isUnresolved(basePath) || !ROUTE_PATH.test(basePath)) {
    throw invalidProp(scope, p('path'), basePath, 'a path such as /weather or /partners/status: slash-separated segments of letters, digits, ., _, ~ and -, without a trailing slash or {placeholders}');
  }

  if (typeof options.url !== 'string' || options.url.length === 0) {
    throw invalidProp(scope, p('url'), options.url, 'an absolute https:// URL such as https://api.example.com/v1/items');
  }
  let parsed;
  try {
    parsed = parseTargetUrl(options.url, options.allowInsecureHttp ?? false);
  } catch (e) {
    throw invalidProp(scope, p('url'), options.url, `a public https:// URL (${(e as Error).message})`);
  }

  const proxy = options.proxy ?? false;
  let path: string;
  let integrationUri: string;
  let pathParameters: string[];
  if (proxy) {
    if (parsed.pathParameters.length > 0) {
      throw invalidProp(scope, p('url'), options.url, 'a URL without {placeholders} when proxy is true: the captured path is appended to it');
    }
    path = `${basePath}/{proxy+}`;
    integrationUri = `${parsed.isToken ? parsed.uri : parsed.uri.replace(/\/+$/, '')}/{proxy}`;
    pathParameters = ['proxy'];
  } else {
    path = basePath + parsed.pathParameters.map((name) => `/{${name}}`).join('');
    integrationUri = parsed.uri;
    pathParameters = parsed.pathParameters;
  }
  const arnPath = path.replace(/\{[^}]+\}/g, '*');

  const optional = options.queryParameters ?? [];
  const required = options.requiredQueryParameters ?? [];
  checkNames(scope, p('queryParameters'), optional, QUERY_NAME, 'names of letters, digits, _, ., ~ and -');
  checkNames(scope, p('requiredQueryParameters'), required, QUERY_NAME, 'names of letters, digits, _, ., ~ and -');
  const queryParameters: Record<string, boolean> = {};
  optional.forEach((q) => queryParameters[q] = false);
  required.forEach((q) => queryParameters[q] = true);

  const staticQueryParameters = { ...(options.staticQueryParameters ?? {}) };
  const secretQueryNames = Object.keys(options.secretQueryParameters ?? {});
  checkNames(scope, p('staticQueryParameters and secretQueryParameters'), [...Object.keys(staticQueryParameters), ...secretQueryNames], QUERY_NAME, 'names of letters, digits, _, ., ~ and -, each set once');
  for (const name of [...Object.keys(staticQueryParameters), ...secretQueryNames]) {
    if (name in queryParameters) {
      throw invalidProp(scope, p('staticQueryParameters or secretQueryParameters'), name, 'a name not also forwarded from the caller in queryParameters or requiredQueryParameters');
    }
  }
  for (const [name, value] of Object.entries(staticQueryParameters)) {
    checkLiteralValue(scope, p(`staticQueryParameters.${name}`), value);
    if (isCredentialQueryName(name) && !Token.isUnresolved(value)) {
      throw invalidProp(scope, p(`staticQueryParameters.${name}`), '(a credential, not shown)', 'no credential in plain text: use secretQueryParameters with HeaderSecret.fromSecretsManager(...)');
    }
  }

  const requestHeaders = [...(options.requestHeaders ?? [])];
  checkNames(scope, p('requestHeaders'), requestHeaders, HEADER_NAME, 'HTTP header names (RFC 9110 tokens)');
  for (const h of requestHeaders) {
    if (isCredentialOrRoutingHeader(h)) {
      throw invalidProp(scope, p('requestHeaders'), h, 'headers other than Authorization, Proxy-Authorization, Cookie, Host, X-Amz-*, X-Amzn-* and X-Forwarded-*, which would pass the caller\'s credentials or routing to a third party');
    }
  }
  for (const h of requestHeaders) {
    if (isOverrideHeader(h)) {
      throw invalidProp(scope, p('requestHeaders'), h, `headers other than ${OVERRIDE_HEADERS.join(', ')}, which let a caller change the method or path the upstream acts on, or spoof the client, beyond the route it was granted`);
    }
  }
  if (methods.some((m) => BODY_METHODS.includes(m)) && !requestHeaders.some((h) => h.toLowerCase() === 'content-type')) {
    requestHeaders.push('Content-Type');
  }

  const staticHeaders = { ...(options.staticHeaders ?? {}) };
  const secretHeaderNames = Object.keys(options.secretHeaders ?? {});
  const outbound = [...Object.keys(staticHeaders), ...secretHeaderNames];
  checkNames(scope, p('staticHeaders and secretHeaders'), outbound, HEADER_NAME, 'HTTP header names (RFC 9110 tokens), each set once');
  for (const h of outbound) {
    if (isReservedOutboundHeader(h)) {
      throw invalidProp(scope, p('staticHeaders or secretHeaders'), h, 'headers other than Host, Content-Length, Transfer-Encoding, Connection, X-Amz-* and X-Amzn-*, which API Gateway sets itself');
    }
    if (requestHeaders.some((r) => r.toLowerCase() === h.toLowerCase())) {
      throw invalidProp(scope, p('staticHeaders or secretHeaders'), h, 'a header not also forwarded from the caller in requestHeaders');
    }
  }
  for (const [name, value] of Object.entries(staticHeaders)) {
    checkLiteralValue(scope, p(`staticHeaders.${name}`), value);
    if (/^(authorization|x-api-key|api-key|apikey)$/i.test(name) && !Token.isUnresolved(value)) {
      throw invalidProp(scope, p(`staticHeaders.${name}`), '(a credential, not shown)', 'no credential in plain text: use secretHeaders with HeaderSecret.fromSecretsManager(...)');
    }
  }

  const responseHeaders = options.responseHeaders ?? DEFAULT_RESPONSE_HEADERS;
  checkNames(scope, p('responseHeaders'), responseHeaders, HEADER_NAME, 'HTTP header names (RFC 9110 tokens)');
  for (const h of responseHeaders) {
    if (REFUSED_RESPONSE_HEADERS.some((r) => r.toLowerCase() === h.toLowerCase())) {
      throw invalidProp(scope, p('responseHeaders'), h, `headers other than ${REFUSED_RESPONSE_HEADERS.join(' and ')}, which would let the upstream set cookies for the API's domain`);
    }
  }

  const timeout = options.timeout ?? Duration.seconds(29);
  if (timeout.isUnresolved()) {
    throw invalidProp(scope, p('timeout'), 'a token', 'a literal Duration from 50 milliseconds to 300 seconds');
  }
  const ms = timeout.toMilliseconds();
  if (ms < 50 || ms > 300_000) {
    throw invalidProp(scope, p('timeout'), timeout.toHumanString(), 'from 50 milliseconds to 29 seconds, or up to 300 seconds after a quota increase');
  }

  if (options.throttle) {
    validateThrottle(scope, p('throttle'), options.throttle);
  }
  if (options.cacheTtl) {
    if (options.cacheTtl.isUnresolved()) {
      throw invalidProp(scope, p('cacheTtl'), 'a token', 'a literal Duration from 0 to 3600 seconds');
    }
    const ttl = options.cacheTtl.toSeconds({ integral: false });
    if (ttl < 0 || ttl > 3600 || !Number.isInteger(ttl)) {
      throw invalidProp(scope, p('cacheTtl'), options.cacheTtl.toHumanString(), 'a whole number of seconds from 0 to 3600');
    }
  }

  return {
    id,
    path,
    arnPath,
    methods,
    integrationUri,
    pathParameters,
    queryParameters,
    requestHeaders,
    staticHeaders,
    staticQueryParameters,
    responseHeaders,
    timeout,
    isTokenUrl: parsed.isToken,
    proxy,
    throttle: options.throttle,
    cacheTtlSeconds: options.cacheTtl?.toSeconds(),
  };
}

/** A fixed header or query value that fits API Gateway's quoted literal syntax. */
function checkLiteralValue(scope: IConstruct, prop: string, value: string): void {
  if (typeof value !== 'string') {
    throw invalidProp(scope, prop, value, 'a string');
  }
  if (Token.isUnresolved(value)) {
    return;
  }
  if (value.includes("'") || /[\r\n]/.test(value)) {
    throw invalidProp(scope, prop, value, 'a value without single quotes or line breaks (API Gateway literals are single-quoted)');
  }
}
