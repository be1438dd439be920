/**
 * A template-driven emulation of an API Gateway REST API stage, for tests
 * on 127.0.0.1. It reads AWS::ApiGateway::Resource, Method, Stage and
 * RequestValidator from a synthesized template and serves requests the way
 * the API Gateway developer guide says a REST API does. Each rule below
 * names the guide page it follows (docs.aws.amazon.com/apigateway/latest/
 * developerguide/<page>.html):
 *
 * R1 routing: a request path is matched against the resource tree; `{name}`
 *    matches one segment, a greedy `{name+}` the rest of the path
 *    (api-gateway-method-settings-method-request, "Set up a proxy
 *    integration with a proxy resource").
 * R2 IAM authorization: a method with authorization AWS_IAM needs a
 *    Signature Version 4 signed request for service execute-api; a missing
 *    signature is refused with 403 "Missing Authentication Token", a wrong
 *    one with 403, and a principal whose identity policy does not allow
 *    execute-api:Invoke on the method ARN with 403
 *    (permissions, api-gateway-control-access-using-iam-policies-to-invoke-api).
 * R3 request validation: with validateRequestParameters, a missing required
 *    path, query or header parameter is refused with 400 before the
 *    integration is called (api-gateway-method-request-validation).
 * R4 non-proxy HTTP integration request: the upstream URI is the
 *    integration URI with `{name}` filled from `integration.request.path.name`;
 *    query string parameters and headers are exactly the mapped
 *    `integration.request.querystring.*` and `integration.request.header.*`,
 *    each from `method.request.{path|querystring|header}.name` or a quoted
 *    literal; unmapped method request parameters are not sent
 *    (request-response-data-mappings, setup-http-integrations "HTTP custom
 *    integration"). The body passes through unchanged when no mapping
 *    template is defined (WHEN_NO_TEMPLATES; integration-passthrough-behaviors).
 * R4a integration request defaults: to each request it sends an HTTP
 *    integration, API Gateway adds `Accept: application/json`,
 *    `User-Agent: AmazonAPIGateway_<api id>`, `X-Amzn-Trace-Id` and
 *    `x-amzn-apigateway-api-id: <api id>`, and, for a method with a body,
 *    the method request's `Content-Type`, each unless a mapping sets it; a
 *    body goes with its Content-Length. No guide page lists these; they are
 *    what a non-proxy HTTP integration sent an echo server when recorded
 *    against AWS in LocalStack's AWS-validated snapshot test
 *    `test_http_integration_with_lambda[HTTP]`
 *    (tests/aws/services/apigateway/test_apigateway_http.snapshot.json in
 *    localstack/localstack, recorded 2024-08-07), the client having sent
 *    its own Accept and User-Agent, which were not passed on. The LocalStack
 *    lane (test/localstack/) found the emulator without them.
 * R5 integration timeout: no upstream answer within TimeoutInMillis gives
 *    504 "Endpoint request timed out" (api-gateway-execution-service-limits-table,
 *    "Integration timeout").
 * R6 integration response: the upstream status code is matched against each
 *    integration response's selectionPattern (a regular expression matched
 *    against the whole status code for HTTP backends); the match decides the
 *    method response status, and only mapped `integration.response.header.*`
 *    values are returned (api-gateway-integration-settings-integration-response).
 *    An integration keeps its responses in a map keyed by status code
 *    (API reference: Integration.integrationResponses, and
 *    PutIntegrationResponse addressed by .../integration/responses/{status_code}),
 *    so of two entries with one StatusCode only the later is kept. No match
 *    and no default response, or an upstream that cannot be reached, gives
 *    500 "Internal server error".
 *
 * R7 access logging: after each request, the stage's AccessLogSetting.Format
 *    is written with each `$context.*` variable replaced by its value, and
 *    `-` for a variable with no value (set-up-logging, and the `$context`
 *    variable reference in api-gateway-mapping-template-reference).
 *
 * R8 Secrets Manager dynamic references in a quoted literal
 *    (`{{resolve:secretsmanager:id:SecretString:json-key:version-stage:version-id}}`)
 *    are replaced by the secret's value when the emulator is created, which
 *    stands for the deployment: CloudFormation resolves them when it creates
 *    or updates the resource, and a later change of the secret is not seen
 *    (AWSCloudFormation/latest/UserGuide/dynamic-references-secretsmanager.html,
 *    "Updating a secret in Secrets Manager doesn't automatically update the
 *    secret in CloudFormation"). A version id picks that version, else the
 *    version stage, else AWSCURRENT; an unknown secret, version or key fails,
 *    as the deployment would.
 *
 * Not emulated: throttling, caching, usage plans, resource policies and
 * mapping templates (the library defines none).
 *
 * `upstreams` maps each upstream origin in the template (`https://api.example.com`)
 * to a local one (`http://127.0.0.1:PORT`): that rewrite is the only place the
 * emulator departs from the template.
 */
import { randomBytes } from 'crypto';
import * as http from 'http';
import { AddressInfo } from 'net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

export interface EmulatedPrincipal {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Method ARNs the principal's identity policy allows, with `*` wildcards. */
  readonly allowedArns: string[];
  /** The principal's ARN, as the access log shows it. */
  readonly arn?: string;
}

export interface EmulatorOptions {
  readonly template: any;
  readonly region: string;
  readonly account: string;
  readonly principals: EmulatedPrincipal[];
  readonly upstreams: Record<string, string>;
  /** API id used in method ARNs. */
  readonly apiId?: string;
  /** Receives each access log line the stage writes (R7). */
  readonly onAccessLog?: (line: string) => void;
  /**
   * Secrets Manager secrets for dynamic references (R8): secret id (as the
   * template renders it, Refs as `<Ref:LogicalId>`) to version id or stage
   * label to secret string.
   */
  readonly secrets?: Record<string, Record<string, string>>;
}

/** R8: replaces each secretsmanager dynamic reference with the value it names. */
function resolveSecretReferences(text: string, secrets: Record<string, Record<string, string>>): string {
  return text.replace(/\{\{resolve:secretsmanager:(.+?)\}\}/g, (_m, body: string) => {
    const match = body.match(/^(.*?)(?::SecretString:([^:]*):([^:]*):([^:]*))?$/);
    const [, id, jsonKey, stage, versionId] = match!;
    const versions = secrets[id];
    if (!versions) throw new Error(`dynamic reference to an unknown secret ${id}`);
    const value = versions[versionId || stage || 'AWSCURRENT'];
    if (value === undefined) throw new Error(`secret ${id} has no version ${versionId || stage || 'AWSCURRENT'}`);
    if (!jsonKey) return value;
    const field = JSON.parse(value)[jsonKey];
    if (typeof field !== 'string') throw new Error(`secret ${id} has no key ${jsonKey}`);
    return field;
  });
}

/** The `$context` variables of one request that the access log can name. */
type RequestContext = Record<string, string | number | undefined>;

interface Route {
  readonly segments: string[];
  readonly path: string;
  readonly methods: Record<string, any>;
}

export interface EmulatedResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Flattens Fn::Join of literals; Refs become `<Ref:LogicalId>`. */
function literal(value: any): any {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return value;
  }
  if (value && value['Fn::Join']) {
    const [sep, parts] = value['Fn::Join'];
    return parts.map(literal).join(sep);
  }
  if (value && value.Ref) {
    return `<Ref:${value.Ref}>`;
  }
  return value;
}

function wildcardMatch(pattern: string, text: string): boolean {
  const re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  return re.test(text);
}

export class ApiGatewayEmulator {
  public readonly stageName: string;
  private readonly routes: Route[] = [];
  private readonly validators: Record<string, any>;
  private readonly apiId: string;
  private readonly accessLogFormat?: string;
  /** R8: the secrets as they were at deployment. */
  private readonly deployedSecrets: Record<string, Record<string, string>>;
  private requestCount = 0;
  private server?: http.Server;
  private port = 0;

  constructor(private readonly options: EmulatorOptions) {
    this.deployedSecrets = JSON.parse(JSON.stringify(options.secrets ?? {}));
    const resources = options.template.Resources;
    const byType = (type: string) => Object.entries<any>(resources).filter(([, r]) => r.Type === type);
    const stages = byType('AWS::ApiGateway::Stage');
    if (stages.length !== 1) {
      throw new Error(`expected one stage, found ${stages.length}`);
    }
    this.stageName = stages[0][1].Properties.StageName;
    this.accessLogFormat = stages[0][1].Properties.AccessLogSetting?.Format;
    this.apiId = options.apiId ?? 'a1b2c3d4e5';
    this.validators = Object.fromEntries(byType('AWS::ApiGateway::RequestValidator').map(([id, r]) => [id, r.Properties]));

    const pathOf = (resourceId: any): string[] => {
      if (resourceId['Fn::GetAtt']) {
        return []; // the root resource
      }
      const res = resources[resourceId.Ref];
      return [...pathOf(res.Properties.ParentId), res.Properties.PathPart];
    };
    const routes = new Map<string, Route>();
    for (const [, method] of byType('AWS::ApiGateway::Method')) {
      const segments = pathOf(method.Properties.ResourceId);
      const path = '/' + segments.join('/');
      const route = routes.get(path) ?? { segments, path, methods: {} };
      route.methods[method.Properties.HttpMethod] = method.Properties;
      routes.set(path, route);
    }
    this.routes = [...routes.values()];
  }

  /** The base URL of the stage on 127.0.0.1. */
  public get url(): string {
    return `http://127.0.0.1:${this.port}/${this.stageName}`;
  }

  public async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const started = Date.now();
        const context: RequestContext = {
          'requestId': `req-${++this.requestCount}`,
          'apiId': this.apiId,
          'requestTime': new Date(started).toISOString(),
          'httpMethod': req.method,
          // the request path with the stage, as sent (no query string)
          'path': new URL(req.url ?? '/', 'http://127.0.0.1').pathname,
          'identity.sourceIp': req.socket.remoteAddress,
        };
        void this.handle(req, Buffer.concat(chunks).toString('utf8'), context)
          .catch((e): EmulatedResponse => ({ status: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: `emulator error: ${e.message}` }) }))
          .then((r) => {
            // a REST API buffers the whole integration response (its 10 MB
            // payload quota) and answers with its length
            const length = Buffer.byteLength(r.body ?? '', 'utf8');
            res.writeHead(r.status, { ...r.headers, 'Content-Length': String(length) });
            res.end(r.body);
            this.writeAccessLog({ ...context, status: r.status, responseLength: length, responseLatency: Date.now() - started });
          });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as AddressInfo).port;
  }

  public async stop(): Promise<void> {
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    }
  }

  /** R7: the stage's access log format, filled in. */
  private writeAccessLog(context: RequestContext): void {
    if (!this.accessLogFormat || !this.options.onAccessLog) {
      return;
    }
    this.options.onAccessLog(this.accessLogFormat.replace(/\$context\.([A-Za-z0-9.]+)/g, (_m, name: string) => {
      const value = context[name];
      return value === undefined || value === '' ? '-' : String(value).replace(/["\\]/g, '\\$&');
    }));
  }

  /** R1: find the route and its path parameters. */
  private match(segments: string[]): { route: Route; params: Record<string, string> } | undefined {
    const candidates = this.routes
      .map((route) => {
        const params: Record<string, string> = {};
        for (let i = 0; i < route.segments.length; i++) {
          const part = route.segments[i];
          if (/^\{.+\+\}$/.test(part)) {
            if (i >= segments.length) {
              return undefined;
            }
            params[part.slice(1, -2)] = segments.slice(i).join('/');
            return { route, params, score: i * 2 };
          }
          if (i >= segments.length) {
            return undefined;
          }
          if (/^\{.+\}$/.test(part)) {
            params[part.slice(1, -1)] = decodeURIComponent(segments[i]);
          } else if (part !== segments[i]) {
            return undefined;
          }
        }
        if (route.segments.length !== segments.length) {
          return undefined;
        }
        // literal segments beat variables beat greedy
        const score = route.segments.length * 2 + route.segments.filter((s) => !s.startsWith('{')).length;
        return { route, params, score };
      })
      .filter((c): c is { route: Route; params: Record<string, string>; score: number } => c !== undefined)
      .sort((a, b) => b.score - a.score);
    return candidates[0];
  }

  private json(status: number, message: string, extra: Record<string, string> = {}): EmulatedResponse {
    return { status, headers: { 'content-type': 'application/json', 'x-amzn-errortype': extra.type ?? '', ...extra }, body: JSON.stringify({ message }) };
  }

  private async handle(req: http.IncomingMessage, body: string, context: RequestContext): Promise<EmulatedResponse> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] !== this.stageName) {
      return this.json(403, 'Missing Authentication Token');
    }
    const found = this.match(parts.slice(1));
    const method = found?.route.methods[req.method ?? 'GET'];
    if (!found || !method) {
      context['error.message'] = 'Missing Authentication Token';
      return this.json(403, 'Missing Authentication Token');
    }
    context.resourcePath = found.route.path;
    const methodArn = `arn:aws:execute-api:${this.options.region}:${this.options.account}:${this.apiId}/${this.stageName}/${req.method}${url.pathname.slice(this.stageName.length + 1)}`;

    // R2
    if (method.AuthorizationType === 'AWS_IAM') {
      const denied = await this.authorize(req, url, body, methodArn, context);
      if (denied) {
        context['error.message'] = JSON.parse(denied.body).message;
        return denied;
      }
    }

    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(',') : v ?? '']));
    const source = (expr: string): string | undefined => {
      const m = expr.match(/^method\.request\.(path|querystring|header)\.(.+)$/);
      if (m) {
        if (m[1] === 'path') return found.params[m[2]];
        if (m[1] === 'querystring') return url.searchParams.get(m[2]) ?? undefined;
        return headers[m[2].toLowerCase()];
      }
      const lit = String(expr).match(/^'(.*)'$/s);
      if (lit) return resolveSecretReferences(lit[1], this.deployedSecrets);
      throw new Error(`unsupported mapping expression ${expr}`);
    };

    // R3
    const validator = method.RequestValidatorId ? this.validators[method.RequestValidatorId.Ref] : undefined;
    if (validator?.ValidateRequestParameters) {
      const missing = Object.entries<boolean>(method.RequestParameters ?? {})
        .filter(([name, required]) => required && source(name) === undefined)
        .map(([name]) => name.split('.').pop());
      if (missing.length > 0) {
        return this.json(400, `Missing required request parameters: [${missing.join(', ')}]`, { type: 'BadRequestException' });
      }
    }

    // R4
    const integration = method.Integration;
    if (integration.Type !== 'HTTP') {
      throw new Error(`integration type ${integration.Type} is not emulated`);
    }
    let uri: string = literal(integration.Uri);
    const query = new URLSearchParams();
    const outHeaders: Record<string, string> = {};
    for (const [target, expr] of Object.entries<any>(integration.RequestParameters ?? {})) {
      const value = source(literal(expr));
      if (value === undefined) continue;
      const [, kind, name] = target.match(/^integration\.request\.(path|querystring|header)\.(.+)$/)!;
      if (kind === 'path') {
        uri = uri.replace(`{${name}}`, kind === 'path' && name === 'proxy' ? value : encodeURIComponent(value));
      } else if (kind === 'querystring') {
        query.set(name, value);
      } else {
        outHeaders[name] = value;
      }
    }
    const upstreamUrl = new URL(uri);
    const local = this.options.upstreams[upstreamUrl.origin];
    if (!local) {
      throw new Error(`no local upstream for ${upstreamUrl.origin}`);
    }
    const target = new URL(local + upstreamUrl.pathname);
    target.search = query.toString();
    // R4a: the headers API Gateway adds to every HTTP integration request
    const forwardsBody = !['GET', 'HEAD', 'OPTIONS'].includes(String(req.method));
    for (const [name, value] of Object.entries(integrationRequestDefaults(this.apiId, forwardsBody ? headers['content-type'] : undefined))) {
      if (!Object.keys(outHeaders).some((h) => h.toLowerCase() === name.toLowerCase())) {
        outHeaders[name] = value;
      }
    }

    // R5 + R6
    const timeoutMs = integration.TimeoutInMillis ?? 29000;
    let upstream: { status: number; headers: Record<string, string>; body: string };
    const calledAt = Date.now();
    try {
      upstream = await send(target, integration.IntegrationHttpMethod, outHeaders, ['GET', 'HEAD'].includes(integration.IntegrationHttpMethod) ? undefined : body, timeoutMs);
    } catch (e: any) {
      context['integration.latency'] = Date.now() - calledAt;
      const message = e.code === 'TIMEOUT' ? 'Endpoint request timed out' : 'Internal server error';
      context['error.message'] = message;
      return this.json(e.code === 'TIMEOUT' ? 504 : 500, message);
    }
    context['integration.status'] = upstream.status;
    context['integration.latency'] = Date.now() - calledAt;
    const byStatus = new Map<string, any>();
    for (const r of integration.IntegrationResponses ?? []) {
      byStatus.set(String(r.StatusCode), r);
    }
    const responses = [...byStatus.values()];
    const response = responses.find((r: any) =>
      r.SelectionPattern === undefined ? false : new RegExp(`^(?:${r.SelectionPattern})$`).test(String(upstream.status)))
      ?? responses.find((r: any) => r.SelectionPattern === undefined);
    if (!response) {
      context['error.message'] = 'Internal server error';
      return this.json(500, 'Internal server error');
    }
    const responseHeaders: Record<string, string> = {};
    for (const [target2, expr] of Object.entries<string>(response.ResponseParameters ?? {})) {
      const name = target2.replace('method.response.header.', '');
      const from = expr.match(/^integration\.response\.header\.(.+)$/);
      const value = from ? upstream.headers[from[1].toLowerCase()] : expr.replace(/^'|'$/g, '');
      if (value !== undefined) responseHeaders[name] = value;
    }
    return { status: Number(response.StatusCode), headers: responseHeaders, body: upstream.body };
  }

  private async authorize(
    req: http.IncomingMessage, url: URL, body: string, methodArn: string, context: RequestContext,
  ): Promise<EmulatedResponse | undefined> {
    const auth = req.headers.authorization;
    if (!auth) {
      return this.json(403, 'Missing Authentication Token', { type: 'MissingAuthenticationTokenException' });
    }
    const m = auth.match(/^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]+)$/);
    if (!m) {
      return this.json(403, 'Authorization header requires existence of either a \'X-Amz-Date\' or a \'Date\' header.', { type: 'IncompleteSignatureException' });
    }
    const [, accessKeyId, , region, service, signedHeaders, signature] = m;
    const principal = this.options.principals.find((p) => p.accessKeyId === accessKeyId);
    if (!principal || region !== this.options.region || service !== 'execute-api') {
      return this.json(403, 'The security token included in the request is invalid.', { type: 'UnrecognizedClientException' });
    }
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
    const headers: Record<string, string> = {};
    for (const name of signedHeaders.split(';')) {
      const v = req.headers[name];
      headers[name] = Array.isArray(v) ? v.join(',') : String(v ?? '');
    }
    const expected = await signRequest(principal, region, {
      method: req.method ?? 'GET',
      hostname: url.hostname,
      port: Number(String(req.headers.host ?? '').split(':')[1] ?? 80),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body,
    }, signingDate);
    const expectedSignature = String(expected.headers.authorization).split('Signature=')[1];
    if (expectedSignature !== signature) {
      return this.json(403, 'The request signature we calculated does not match the signature you provided.', { type: 'InvalidSignatureException' });
    }
    context['identity.caller'] = accessKeyId;
    context['identity.userArn'] = principal.arn;
    if (!principal.allowedArns.some((arn) => wildcardMatch(arn, methodArn))) {
      return this.json(403, `User: ${accessKeyId} is not authorized to perform: execute-api:Invoke on resource: ${methodArn}`, { type: 'AccessDeniedException' });
    }
    return undefined;
  }
}

/**
 * R4a: the headers API Gateway adds to an HTTP integration request, the
 * method request's Content-Type included when the method carries a body.
 */
export function integrationRequestDefaults(apiId: string, contentType?: string): Record<string, string> {
  // an X-Ray trace header: version 1, the epoch seconds in 8 hex digits, 96 random bits
  const root = `1-${Math.floor(Date.now() / 1000).toString(16).padStart(8, '0')}-${randomBytes(12).toString('hex')}`;
  return {
    'Accept': 'application/json',
    'User-Agent': `AmazonAPIGateway_${apiId}`,
    'X-Amzn-Trace-Id': `Root=${root}`,
    'x-amzn-apigateway-api-id': apiId,
    ...(contentType ? { 'Content-Type': contentType } : {}),
  };
}

export interface RequestToSign {
  readonly method: string;
  readonly hostname: string;
  readonly port: number;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/** Signs a request with Signature Version 4 for execute-api, as the AWS SDK does. */
export async function signRequest(
  principal: { accessKeyId: string; secretAccessKey: string },
  region: string,
  request: RequestToSign,
  signingDate?: Date,
) {
  const signer = new SignatureV4({
    credentials: { accessKeyId: principal.accessKeyId, secretAccessKey: principal.secretAccessKey },
    region,
    service: 'execute-api',
    sha256: Sha256,
  });
  return signer.sign({ protocol: 'http:', ...request }, signingDate ? { signingDate } : undefined);
}

/** One HTTP request on 127.0.0.1; a request that outlives timeoutMs fails with code TIMEOUT. */
export function send(url: URL, method: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number) {
  return new Promise<{ status: number; headers: Record<string, string>; rawHeaders: string[]; body: string }>((resolve, reject) => {
    // a body goes with its length, as API Gateway and the SDKs send it
    const sent = body ? { ...headers, 'Content-Length': String(Buffer.byteLength(body, 'utf8')) } : headers;
    const req = http.request(url, { method, headers: sent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({
        status: res.statusCode ?? 0,
        headers: Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v ?? ''])),
        // names as the server spelled them
        rawHeaders: res.rawHeaders,
        body: Buffer.concat(chunks).toString('utf8'),
      }));
    });
    req.setTimeout(timeoutMs, () => {
      req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}
