/**
 * restrictToGrantedPrincipals: a REGIONAL API's resource policy admits only
 * the principals granted a route, checked with the IAM simulator the
 * private-variant tests use.
 */
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { HttpProxyApi, InvokerSchedule, PrivateVpcEgressPolicy, ScheduledInvoker } from '../src';
import { simulate } from './support/iam-simulation';
import { resolveValue } from './support/state-machine-harness';
import { TEST_ACCOUNT, testStack, validationErrors } from './support/test-stack';

const API_ID = 'a1b2c3d4e5';
const ROUTE = (path: string) => `arn:aws:execute-api:us-east-1:${TEST_ACCOUNT}:${API_ID}/egress/GET${path}`;
const roleArn = (name: string) => `arn:aws:iam::${TEST_ACCOUNT}:role/${name}`;

function restrictedApi(restrictToGrantedPrincipals = true) {
  const stack = testStack();
  const api = new HttpProxyApi(stack, 'Egress', { restrictToGrantedPrincipals });
  const status = api.addTarget('status', { url: 'https://status.example.com/api/{item}' });
  const other = api.addTarget('other', { url: 'https://other.example.com/api' });
  const role = (name: string) => new iam.Role(stack, name, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), roleName: name });
  return { stack, api, status, other, role };
}

/** Every resource's references (Ref, Fn::GetAtt, DependsOn); throws on a cycle, as CloudFormation would. */
function assertNoCycle(template: any): void {
  const refs = (v: any): string[] => (Array.isArray(v) ? v.flatMap(refs)
    : v && typeof v === 'object' ? Object.entries(v).flatMap(([k, x]) => (k === 'Ref' ? [x as string] : k === 'Fn::GetAtt' ? [(x as any)[0]] : refs(x))) : []);
  const edges = Object.fromEntries(Object.entries<any>(template.Resources)
    .map(([id, r]) => [id, [...refs(r.Properties ?? {}), ...[r.DependsOn ?? []].flat()]]));
  const state: Record<string, number> = {};
  const visit = (id: string, path: string[]) => {
    if (state[id] === 2 || !(id in edges)) return;
    if (state[id] === 1) throw new Error(`cycle: ${[...path, id].join(' -> ')}`);
    state[id] = 1;
    edges[id].forEach((n) => visit(n, [...path, id]));
    state[id] = 2;
  };
  Object.keys(edges).forEach((id) => visit(id, []));
}

describe('GIVEN a REGIONAL API with restrictToGrantedPrincipals and one role granted one route', () => {
  let template: any;
  let refs: Record<string, string>;

  beforeAll(() => {
    const { stack, api, status, role } = restrictedApi();
    status.grantInvoke(role('Granted'));
    // an administrator of the account: its identity policy allows every API
    role('Admin').addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['execute-api:*'], resources: ['*'] }));
    template = Template.fromStack(stack).toJSON();
    refs = {
      'AWS::Partition': 'aws',
      'AWS::Region': 'us-east-1',
      'AWS::URLSuffix': 'amazonaws.com',
      [stack.getLogicalId(api.restApi.node.defaultChild as any)]: API_ID,
      [stack.getLogicalId(api.stage.node.defaultChild as any)]: 'egress',
    };
    for (const [id, r] of Object.entries<any>(template.Resources)) {
      if (r.Type === 'AWS::IAM::Role') refs[`${id}.Arn`] = roleArn(r.Properties.RoleName);
    }
  });

  function resourcePolicy() {
    const restApi = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::ApiGateway::RestApi');
    const text = JSON.stringify(resolveValue(restApi.Properties.Policy, refs))
      .replace(/"execute-api:\/([^"]*)"/g, (_m, rest) => JSON.stringify(`arn:aws:execute-api:us-east-1:${TEST_ACCOUNT}:${API_ID}/${rest}`));
    return JSON.parse(text);
  }

  function identityPoliciesOf(roleName: string) {
    const roleId = Object.entries<any>(template.Resources).find(([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties.RoleName === roleName)![0];
    return Object.entries<any>(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => x.Ref === roleId))
      .map(([name, r]) => ({ name, policy: resolveValue(r.Properties.PolicyDocument, refs) }));
  }

  async function invoke(roleName: string, resource: string) {
    return simulate({
      request: {
        principal: roleArn(roleName),
        action: 'execute-api:Invoke',
        resource: { resource, accountId: TEST_ACCOUNT },
        contextVariables: { 'aws:PrincipalAccount': TEST_ACCOUNT, 'aws:PrincipalArn': roleArn(roleName) },
      },
      identityPolicies: identityPoliciesOf(roleName),
      resourcePolicy: resourcePolicy(),
    });
  }

  test('THEN the resource policy allows the granted role its route and denies every other principal', () => {
    expect(resourcePolicy().Statement).toEqual([
      { Effect: 'Allow', Principal: { AWS: roleArn('Granted') }, Action: 'execute-api:Invoke', Resource: `arn:aws:execute-api:us-east-1:${TEST_ACCOUNT}:${API_ID}/egress/GET/status/*` },
      {
        Sid: 'DenyPrincipalsNotGranted',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'execute-api:Invoke',
        Resource: `arn:aws:execute-api:us-east-1:${TEST_ACCOUNT}:${API_ID}/*`,
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': [roleArn('Granted')] } },
      },
    ]);
  });

  test('THEN the granted role may call its route', async () => {
    expect(await invoke('Granted', ROUTE('/status/item-1'))).toBe('Allowed');
  });

  test('THEN the granted role may not call another route', async () => {
    expect(await invoke('Granted', ROUTE('/other'))).not.toBe('Allowed');
  });

  test('THEN an administrator of the account is denied explicitly, whatever its identity policy allows', async () => {
    expect(await invoke('Admin', ROUTE('/status/item-1'))).toBe('ExplicitlyDenied');
  });

  test('THEN the template has no circular reference (the API names the role, the role\'s policy names the API)', () => {
    expect(() => assertNoCycle(template)).not.toThrow();
  });
});

test('GIVEN restrictToGrantedPrincipals and a ScheduledInvoker WHEN synthesized THEN its state machine role is admitted to its route', () => {
  const { stack, status } = restrictedApi();
  const invoker = new ScheduledInvoker(stack, 'Poller', { schedule: InvokerSchedule.rate(Duration.minutes(15)), requests: [{ target: status, pathParameters: { item: 'a' } }] });
  const template = Template.fromStack(stack).toJSON();
  const restApi = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::ApiGateway::RestApi');
  const roleArnRef = { 'Fn::GetAtt': [stack.getLogicalId(invoker.role.node.defaultChild as any), 'Arn'] };
  expect(restApi.Properties.Policy.Statement[0]).toEqual({ Effect: 'Allow', Principal: { AWS: roleArnRef }, Action: 'execute-api:Invoke', Resource: 'execute-api:/egress/GET/status/*' });
  expect(restApi.Properties.Policy.Statement[1].Condition).toEqual({ ArnNotEquals: { 'aws:PrincipalArn': [roleArnRef] } });
  expect(() => assertNoCycle(template)).not.toThrow();
});

test('GIVEN the default WHEN synthesized THEN a REGIONAL API has no resource policy', () => {
  const { stack, status, role } = restrictedApi(false);
  status.grantInvoke(role('Granted'));
  const restApi = Object.values<any>(Template.fromStack(stack).toJSON().Resources).find((r) => r.Type === 'AWS::ApiGateway::RestApi');
  expect(restApi.Properties.Policy).toBeUndefined();
});

// CDK hashes the whole RestApi resource, Policy included, into the
// deployment's logical id; this pins that a new grant reaches the stage
test('GIVEN restrictToGrantedPrincipals WHEN a grant is added THEN the deployment changes, so the new policy is deployed', () => {
  const deploymentId = (grant: boolean) => {
    const { stack, status, role } = restrictedApi();
    status.grantInvoke(role('A'));
    if (grant) status.grantInvoke(role('B'));
    return Object.entries<any>(Template.fromStack(stack).toJSON().Resources).find(([, r]) => r.Type === 'AWS::ApiGateway::Deployment')![0];
  };
  expect(deploymentId(true)).not.toEqual(deploymentId(false));
});

describe('restrictToGrantedPrincipals bad input', () => {
  test('GIVEN a PRIVATE API WHEN created THEN the error names the prop and what is accepted', () => {
    const stack = testStack();
    const egress = new PrivateVpcEgressPolicy(stack, 'PrivateEgress');
    expect(() => new HttpProxyApi(stack, 'Api', { endpointType: apigw.EndpointType.PRIVATE, privateAccess: egress, restrictToGrantedPrincipals: true }))
      .toThrow(/invalid restrictToGrantedPrincipals: got true; accepted: false or unset on a PRIVATE API/);
  });

  test('GIVEN no grant WHEN validated THEN synth fails saying every caller would be denied', () => {
    const { stack } = restrictedApi();
    expect(validationErrors(stack).join('\n')).toMatch(/restrictToGrantedPrincipals: no principal was granted a route of TestStack\/Egress/);
  });

  test('GIVEN a grant to a service principal WHEN validated THEN synth fails naming it', () => {
    const { stack, status, role } = restrictedApi();
    status.grantInvoke(role('Granted'));
    status.grantInvoke(new iam.ServicePrincipal('states.amazonaws.com'));
    expect(validationErrors(stack).join('\n')).toMatch(/restrictToGrantedPrincipals: the grantee ServicePrincipal\(states\.amazonaws\.com\) has no ARN/);
  });
});
