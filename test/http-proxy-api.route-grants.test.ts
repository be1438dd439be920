/**
 * Route grants and the routes they cover. In an IAM resource, `*` also
 * matches `/`, so the grant of `/forecast/{id}` (`.../GET/forecast/*`)
 * matches every deeper path: an API where such a grant reaches another
 * route fails synth. The IAM simulator shows what a grant allows.
 */
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { HttpProxyApi, HttpTargetOptions } from '../src';
import { simulate } from './support/iam-simulation';
import { resolveValue } from './support/state-machine-harness';
import { TEST_ACCOUNT, testStack, validationErrors } from './support/test-stack';
import { arnPatternCoversRoute } from '../src/http-proxy-api/route-overlap';

function apiWith(targets: Record<string, HttpTargetOptions>) {
  const stack = testStack();
  const api = new HttpProxyApi(stack, 'Api');
  const added = api.addTargets(targets);
  return { stack, api, added };
}

const overlappingPair = {
  a: { url: 'https://a.example.com/x/{id}', path: '/forecast' },
  b: { url: 'https://b.example.com/y/{id}/{part}', path: '/forecast' },
};

describe('GIVEN two targets WHEN the grant of one matches a path the other serves', () => {
  test('THEN synth fails, naming both targets and what to do', () => {
    const { stack } = apiWith(overlappingPair);
    const errors = validationErrors(stack).join('\n');
    expect(errors).toMatch(/path: a grant of target 'a' \(GET \/forecast\/\{id\}, execute-api resource \.\.\.\/GET\/forecast\/\*\) would also allow calling target 'b' \(GET \/forecast\/\{id\}\/\{part\}\)/);
    expect(errors).toMatch(/Give one of them a different path/);
  });

  test.each<[string, Record<string, HttpTargetOptions>, RegExp]>([
    ['a proxy route over a literal route', { files: { url: 'https://f.example.com', proxy: true }, special: { url: 'https://s.example.com/z', path: '/files/special' } }, /target 'files' .* target 'special'/],
    ['a proxy route over a route with a parameter', { docs: { url: 'https://d.example.com', proxy: true }, special: { url: 'https://s.example.com/z/{id}', path: '/docs/special' } }, /target 'docs' .* target 'special'/],
  ])('THEN synth fails for %s', (_name, targets, expected) => {
    const { stack } = apiWith(targets);
    expect(validationErrors(stack).join('\n')).toMatch(expected);
  });
});

describe('GIVEN targets whose grants match only their own routes', () => {
  test.each<[string, Record<string, HttpTargetOptions>]>([
    ['distinct paths', { a: { url: 'https://a.example.com/x/{id}', path: '/forecast' }, b: { url: 'https://b.example.com/y/{id}/{part}', path: '/history' } }],
    ['a literal route beside a route with a parameter under it', { a: { url: 'https://a.example.com/x', path: '/status' }, b: { url: 'https://b.example.com/y/{id}', path: '/status' } }],
    ['routes with parameters under sibling literal paths', { a: { url: 'https://a.example.com/{x}', path: '/r/info' }, b: { url: 'https://b.example.com/{x}/{y}', path: '/r/stats' } }],
    ['different methods', { a: { url: 'https://a.example.com/x/{id}', path: '/forecast' }, b: { url: 'https://b.example.com/y/{id}/{part}', path: '/forecast', methods: ['POST'] } }],
    ['a proxy route beside a sibling path', { files: { url: 'https://f.example.com', proxy: true }, other: { url: 'https://o.example.com/z', path: '/filesx' } }],
  ])('WHEN the API has %s THEN it synthesizes', (_name, targets) => {
    const { stack } = apiWith(targets);
    expect(validationErrors(stack)).toEqual([]);
    Template.fromStack(stack);
  });
});

describe('arnPatternCoversRoute', () => {
  test.each<[string, string, boolean]>([
    ['/forecast/*', '/forecast/{id}/{part}', true],
    ['/forecast/*', '/forecast/{id}', true],
    ['/forecast', '/forecast/{id}', false],
    ['/forecast/*', '/forecast', false],
    ['/a/*/b', '/a/{x}/b/{y}', true],
    ['/a/*/b', '/a/{x}/c', false],
    ['/files/*', '/files/{proxy+}', true],
    ['/files/*', '/filesx/{id}', false],
  ])('GIVEN the pattern %s WHEN checked against the route %s THEN it covers it: %s', (pattern, route, covers) => {
    expect(arnPatternCoversRoute(pattern, route)).toBe(covers);
  });
});

describe('GIVEN a role granted one route WHEN IAM evaluates calls to routes', () => {
  const API_ID = 'a1b2c3d4e5';
  const ROUTE = (path: string) => `arn:aws:execute-api:us-east-1:${TEST_ACCOUNT}:${API_ID}/egress/GET${path}`;
  let policies: Array<{ name: string; policy: any }>;

  beforeAll(() => {
    // two routes that may coexist: /forecast/{id} and /history/{id}/{part}
    const { stack, api, added } = apiWith({
      a: { url: 'https://a.example.com/x/{id}', path: '/forecast' },
      b: { url: 'https://b.example.com/y/{id}/{part}', path: '/history' },
    });
    const role = new iam.Role(stack, 'Grantee', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), roleName: 'Grantee' });
    added.a.grantInvoke(role);
    const template = Template.fromStack(stack).toJSON();
    const refs = { 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::URLSuffix': 'amazonaws.com', [stack.getLogicalId(api.restApi.node.defaultChild as any)]: API_ID, [stack.getLogicalId(api.stage.node.defaultChild as any)]: 'egress' };
    policies = Object.entries<any>(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy')
      .map(([name, r]) => ({ name, policy: resolveValue(r.Properties.PolicyDocument, refs) }));
  });

  async function invoke(resource: string) {
    return simulate({
      request: {
        principal: `arn:aws:iam::${TEST_ACCOUNT}:role/Grantee`,
        action: 'execute-api:Invoke',
        resource: { resource, accountId: TEST_ACCOUNT },
        contextVariables: { 'aws:PrincipalAccount': TEST_ACCOUNT },
      },
      identityPolicies: policies,
    });
  }

  test('THEN its own route is allowed', async () => {
    expect(await invoke(ROUTE('/forecast/oslo'))).toBe('Allowed');
  });

  test('THEN the other target\'s route is not', async () => {
    expect(await invoke(ROUTE('/history/oslo/2025'))).not.toBe('Allowed');
  });

  test('THEN the grant is the prefix IAM allows, which is why overlapping routes are refused', async () => {
    // what b's route would be had it been accepted under /forecast
    expect(await invoke(ROUTE('/forecast/oslo/2025'))).toBe('Allowed');
  });
});
