/**
 * Path tricks: encoded dots, slashes, query and fragment markers and CR/LF
 * in a path parameter or a {proxy+} path, sent through the API Gateway
 * emulation (support/api-gateway-emulator.ts, rules R1-R7) to the loopback
 * upstream stub. What API Gateway itself does with them is not documented
 * (see docs/end-to-end.md, "Path tricks"), so the invariant below is what
 * must hold whatever it decodes: the upstream never sees a path outside
 * the target's base path, nor a query string or fragment the route did not
 * declare. The library refuses these values in a ScheduledInvoker's
 * requests at synth (scheduled-invoker.bad-input.test.ts).
 *
 * TODO: run this same table against LocalStack (not set up in this repo yet)
 * and against a deployed stage, and record where they differ.
 */
import * as http from 'http';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpProxyApi } from '../src';
import { ApiGatewayEmulator, EmulatedPrincipal, signRequest } from './support/api-gateway-emulator';
import { TEST_ACCOUNT, TEST_REGION, testStack } from './support/test-stack';
import { UpstreamStub } from './support/upstream-stub';

const caller: EmulatedPrincipal = {
  accessKeyId: 'AKIDPATHTRICKSEXAMPLE',
  secretAccessKey: 'path-tricks-secret-key-for-tests-only',
  allowedArns: ['arn:aws:execute-api:us-east-1:123456789012:*/egress/GET/item/*', 'arn:aws:execute-api:us-east-1:123456789012:*/egress/GET/docs/*'],
};
const upstream = new UpstreamStub();
let emulator: ApiGatewayEmulator;

beforeAll(async () => {
  // GIVEN a path-parameter route and a proxy route, each under a base path
  const stack = testStack();
  const api = new HttpProxyApi(stack, 'Egress');
  api.addTarget('item', { url: 'https://api.example.com/base/{id}' });
  api.addTarget('docs', { url: 'https://docs.example.com/base/', proxy: true });
  await upstream.start();
  emulator = new ApiGatewayEmulator({
    template: Template.fromStack(stack).toJSON(),
    region: TEST_REGION,
    account: TEST_ACCOUNT,
    principals: [caller],
    upstreams: { 'https://api.example.com': upstream.origin, 'https://docs.example.com': upstream.origin },
  });
  await emulator.start();
});

afterAll(async () => {
  await emulator.stop();
  await upstream.stop();
});

beforeEach(() => upstream.reset());

/** A signed GET of a raw path, sent byte for byte (no client-side URL normalization). */
async function rawGet(sent: string): Promise<number> {
  const base = new URL(emulator.url);
  const rawPath = `${base.pathname.replace(/\/$/, '')}${sent}`;
  const headers: Record<string, string> = { 'host': base.host, 'x-amz-security-token': 'session-token' };
  const signed = await signRequest(caller, TEST_REGION, {
    method: 'GET',
    hostname: base.hostname,
    port: Number(base.port),
    // the emulator verifies against the path as the WHATWG URL parser reads it
    path: new URL(rawPath, base).pathname,
    query: {},
    headers,
  });
  return new Promise((resolve, reject) => {
    const req = http.request({ host: base.hostname, port: base.port, path: rawPath, method: 'GET', headers: signed.headers as Record<string, string> }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

// what the emulator let through: the upstream path, or null when refused.
// A path parameter is decoded once (R1) and encoded again (R4); a {proxy+}
// path is passed as sent; an encoded .. segment is resolved by the URL
// parser before routing, so no route matches (403).
const CASES: Array<[string, string, string, string | null]> = [
  // [kind, sent path (after the stage), what it tries, what the upstream saw]
  ['path parameter', '/item/plain', 'nothing (control)', '/base/plain'],
  ['path parameter', '/item/%2E%2E', 'encoded ..', null],
  ['path parameter', '/item/..%2Fsecret', '.. and an encoded /', '/base/..%2Fsecret'],
  ['path parameter', '/item/a%252Fb', 'double-encoded /', '/base/a%252Fb'],
  ['path parameter', '/item/a%3Fdebug%3D1', 'encoded ?', '/base/a%3Fdebug%3D1'],
  ['path parameter', '/item/a%23frag', 'encoded #', '/base/a%23frag'],
  ['path parameter', '/item/a%0D%0AX-Injected:%201', 'encoded CR/LF', '/base/a%0D%0AX-Injected%3A%201'],
  ['proxy path', '/docs/%2E%2E/secret', 'encoded .. segment', null],
  ['proxy path', '/docs/..%2Fsecret', '.. and an encoded /', '/base/..%2Fsecret'],
  ['proxy path', '/docs/a%252Fb', 'double-encoded /', '/base/a%252Fb'],
  ['proxy path', '/docs/a%3Fdebug%3D1', 'encoded ?', '/base/a%3Fdebug%3D1'],
  ['proxy path', '/docs/a%23frag', 'encoded #', '/base/a%23frag'],
  ['proxy path', '/docs/a%0D%0AX-Injected:%201', 'encoded CR/LF', '/base/a%0D%0AX-Injected:%201'],
];

describe('path tricks through the emulated stage', () => {
  test.each(CASES)('GIVEN a %s WHEN %s (%s) is sent THEN the upstream stays under the base path with no undeclared query or fragment', async (_kind, sent, _what, expected) => {
    const status = await rawGet(sent);
    const seen = upstream.requests.map((r) => ({ path: r.path, query: r.query }));
    for (const s of seen) {
      // THEN nothing outside /base/, and no query the route did not declare
      expect(s.path.startsWith('/base/')).toBe(true);
      // even for an upstream that resolves encoded dot segments as a browser does
      expect(new URL(s.path, 'http://upstream.invalid').pathname.startsWith('/base/')).toBe(true);
      expect(s.query).toEqual({});
    }
    // and exactly this reached the upstream (or nothing did)
    expect({ status: seen.length ? status : 'refused', path: seen[0]?.path ?? null })
      .toEqual({ status: expected === null ? 'refused' : status, path: expected });
  });
});
