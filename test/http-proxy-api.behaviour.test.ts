/**
 * Requests sent through the synthesized integration settings, to a stub
 * upstream on 127.0.0.1, via the template-driven API Gateway emulation in
 * support/api-gateway-emulator.ts (its rules and their doc pages are listed
 * there).
 */
import * as http from 'http';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpProxyApi } from '../src';
import { ApiGatewayEmulator, EmulatedPrincipal, signRequest } from './support/api-gateway-emulator';
import { TEST_ACCOUNT, TEST_REGION, testStack } from './support/test-stack';
import { UpstreamStub } from './support/upstream-stub';

const granted: EmulatedPrincipal = {
  accessKeyId: 'AKIDGRANTEDEXAMPLE',
  secretAccessKey: 'granted-secret-key-for-tests-only',
  allowedArns: ['arn:aws:execute-api:us-east-1:123456789012:*/egress/GET/weather/*', 'arn:aws:execute-api:us-east-1:123456789012:*/egress/*/status/*', 'arn:aws:execute-api:us-east-1:123456789012:*/egress/POST/orders'],
};
const otherRoute: EmulatedPrincipal = {
  accessKeyId: 'AKIDOTHERROUTEEXAMPLE',
  secretAccessKey: 'other-secret-key-for-tests-only',
  allowedArns: ['arn:aws:execute-api:us-east-1:123456789012:*/egress/GET/orders'],
};

const upstream = new UpstreamStub();
const slowUpstream = new UpstreamStub();
let emulator: ApiGatewayEmulator;
const accessLog: any[] = [];

beforeAll(async () => {
  // GIVEN the synthesized template of an egress API with three targets
  const stack = testStack();
  const api = new HttpProxyApi(stack, 'Egress');
  api.addTarget('weather', {
    url: 'https://api.example.com/v1/forecast/{city}',
    queryParameters: ['days'],
    requiredQueryParameters: ['lat'],
    requestHeaders: ['Accept-Language'],
    staticHeaders: { 'User-Agent': 'inside-out-poller' },
    staticQueryParameters: { units: 'metric' },
  });
  api.addTarget('status', { url: 'https://status.example.com/api/', proxy: true, methods: ['GET', 'HEAD'] });
  api.addTarget('orders', { url: 'https://slow.example.com/orders', methods: ['POST'], timeout: Duration.millis(300) });
  const template = Template.fromStack(stack).toJSON();

  await upstream.start();
  await slowUpstream.start();
  emulator = new ApiGatewayEmulator({
    template,
    region: TEST_REGION,
    account: TEST_ACCOUNT,
    principals: [granted, otherRoute],
    upstreams: { 'https://api.example.com': upstream.origin, 'https://status.example.com': upstream.origin, 'https://slow.example.com': slowUpstream.origin },
    onAccessLog: (line) => accessLog.push(JSON.parse(line)),
  });
  await emulator.start();
});

afterAll(async () => {
  await emulator.stop();
  await upstream.stop();
  await slowUpstream.stop();
});

beforeEach(() => {
  upstream.reset();
  slowUpstream.reset();
});

interface CallOptions {
  readonly method?: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly principal?: EmulatedPrincipal;
  readonly unsigned?: boolean;
  readonly tamper?: boolean;
}

/** A caller as Step Functions or an SDK would be: SigV4-signed, with session credentials. */
async function call(path: string, options: CallOptions = {}) {
  const url = new URL(`${emulator.url}${path}`);
  const headers: Record<string, string> = {
    'host': url.host,
    'x-amz-security-token': 'session-token-of-the-caller',
    ...options.headers,
  };
  let signedHeaders = headers;
  if (!options.unsigned) {
    const signed = await signRequest(options.principal ?? granted, TEST_REGION, {
      method: options.method ?? 'GET',
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: options.query ?? {},
      headers,
      body: options.body,
    });
    signedHeaders = signed.headers as Record<string, string>;
    if (options.tamper) {
      signedHeaders.authorization = signedHeaders.authorization.replace(/Signature=.{4}/, 'Signature=0000');
    }
  }
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: signedHeaders }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (options.body) req.write(options.body);
    req.end();
  });
}

describe('HttpProxyApi behaviour: what reaches the upstream', () => {
  test('only the declared path, query and headers are forwarded; caller credentials never are', async () => {
    // WHEN a signed caller sends declared and undeclared parameters and its own credentials
    const res = await call('/weather/paris', {
      query: { days: '3', lat: '48.85', debug: 'true', redirect: 'http://169.254.169.254/' },
      headers: { 'accept-language': 'fr', 'x-internal-secret': 'do-not-forward', 'cookie': 'session=abc' },
    });
    // THEN the upstream saw the declared route, parameters and static values, and nothing else
    expect(res.status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
    const seen = upstream.requests[0];
    expect(seen.method).toBe('GET');
    expect(seen.path).toBe('/v1/forecast/paris');
    expect(seen.query).toEqual({ days: '3', lat: '48.85', units: 'metric' });
    expect(seen.headers['accept-language']).toBe('fr');
    expect(seen.headers['user-agent']).toBe('inside-out-poller');
    for (const header of ['authorization', 'x-amz-security-token', 'x-amz-date', 'x-amz-content-sha256', 'cookie', 'x-internal-secret']) {
      expect(seen.headers[header]).toBeUndefined();
    }
  });

  test('R4a: API Gateway adds its own Accept, User-Agent, trace and API id headers, whatever the caller sent', async () => {
    // WHEN a caller sends its own Accept and User-Agent to a route that maps neither
    const res = await call('/status/v2', { headers: { 'accept': 'application/xml', 'user-agent': 'test/integration' } });

    // THEN the upstream saw API Gateway's, as recorded against AWS (emulator rule R4a)
    expect(res.status).toBe(200);
    const seen = upstream.requests[0].headers;
    expect(seen).toMatchObject({ 'accept': 'application/json', 'user-agent': 'AmazonAPIGateway_a1b2c3d4e5', 'x-amzn-apigateway-api-id': 'a1b2c3d4e5' });
    expect(seen['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(seen['content-type']).toBeUndefined();
  });

  test('R4a: a method with a body passes on the caller\'s Content-Type, and the body with its length', async () => {
    // WHEN
    const res = await call('/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"since":"yesterday"}' });

    // THEN
    expect(res.status).toBe(200);
    const seen = slowUpstream.requests[0];
    expect(seen.body).toBe('{"since":"yesterday"}');
    expect(seen.headers).toMatchObject({ 'content-type': 'application/json', 'content-length': '21' });
    expect(seen.headers['transfer-encoding']).toBeUndefined();
  });

  test('a proxy target forwards the whole captured path, not just its base (aws-cdk issue 28545)', async () => {
    const res = await call('/status/v2/components/db', { query: { lat: 'ignored' } });
    expect(res.status).toBe(200);
    expect(upstream.requests.map((r) => r.path)).toEqual(['/api/v2/components/db']);
    expect(upstream.requests[0].query).toEqual({});
  });

  test('the access log records the actual path of a proxy call beside its route template', async () => {
    // WHEN a granted caller calls a deep path through the {proxy+} route
    accessLog.length = 0;
    await call('/status/components/db/health');
    // THEN the line names both the route and the path asked for
    expect(accessLog.map((l) => [l.resourcePath, l.path])).toEqual([['/status/{proxy+}', '/egress/status/components/db/health']]);
  });

  test('the request body passes through on POST, with its Content-Type', async () => {
    await call('/orders', { method: 'POST', body: '{"sku":"A1"}', headers: { 'content-type': 'application/json' } });
    expect(slowUpstream.requests[0]).toMatchObject({ method: 'POST', path: '/orders', body: '{"sku":"A1"}', headers: expect.objectContaining({ 'content-type': 'application/json' }) });
    expect(slowUpstream.requests[0].headers['x-amz-security-token']).toBeUndefined();
  });
});

describe('HttpProxyApi behaviour: who may call', () => {
  test('an unsigned call is refused with 403 and never reaches the upstream', async () => {
    const res = await call('/weather/paris', { query: { lat: '1' }, unsigned: true });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).message).toBe('Missing Authentication Token');
    expect(upstream.requests).toHaveLength(0);
  });

  test('a wrongly signed call is refused with 403', async () => {
    const res = await call('/weather/paris', { query: { lat: '1' }, tamper: true });
    expect(res.status).toBe(403);
    expect(res.body).toMatch(/signature we calculated does not match/);
    expect(upstream.requests).toHaveLength(0);
  });

  test('a principal granted another route is refused on this one', async () => {
    const res = await call('/weather/paris', { query: { lat: '1' }, principal: otherRoute });
    expect(res.status).toBe(403);
    expect(res.body).toMatch(/not authorized to perform: execute-api:Invoke/);
    expect(upstream.requests).toHaveLength(0);
  });

  test('a request missing a required query parameter is refused with 400 before the upstream', async () => {
    const res = await call('/weather/paris', { query: { days: '2' } });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/Missing required request parameters: \[lat\]/);
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('HttpProxyApi behaviour: what comes back', () => {
  test('429 comes back as 429 with Retry-After, 503 as 503, 404 as 404', async () => {
    upstream.answer(
      { status: 429, headers: { 'retry-after': '7', 'x-ratelimit-remaining': '0' }, body: 'slow down' },
      { status: 503, headers: { 'retry-after': '1' } },
      { status: 404, body: 'no such city' },
    );
    const r429 = await call('/weather/atlantis', { query: { lat: '0' } });
    const r503 = await call('/weather/atlantis', { query: { lat: '0' } });
    const r404 = await call('/weather/atlantis', { query: { lat: '0' } });
    expect([r429.status, r503.status, r404.status]).toEqual([429, 503, 404]);
    expect(r429.headers['retry-after']).toBe('7');
    expect(r429.headers['x-ratelimit-remaining']).toBeUndefined();
    expect(r429.body).toBe('slow down');
    expect(r404.body).toBe('no such city');
  });

  test('an uncommon status comes back as its class: 418 as 400, 507 as 500, 206 as 200', async () => {
    upstream.answer({ status: 418 }, { status: 507 }, { status: 206, body: 'partial', headers: { etag: '"v1"' } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await call('/weather/x', { query: { lat: '0' } }));
    expect(statuses.map((s) => s.status)).toEqual([400, 500, 200]);
    expect(statuses[2].headers.etag).toBe('"v1"');
  });

  test('an upstream slower than the target timeout gives 504', async () => {
    slowUpstream.answer({ status: 200, delayMs: 2000 });
    const res = await call('/orders', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(504);
    expect(JSON.parse(res.body).message).toBe('Endpoint request timed out');
  });
});
