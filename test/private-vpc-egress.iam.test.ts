/**
 * The synthesized identity policies, the PRIVATE API's resource policy and
 * the execute-api endpoint policy, evaluated by @cloud-copilot/iam-simulate
 * (an IAM policy evaluator: explicit deny, then resource and identity
 * allows, with VPC endpoint policies as a separate gate).
 *
 * Refs are given the values AWS would: the API id, the endpoint id, the
 * stage name. The resource policy's `execute-api:/*` is written as API
 * Gateway expands it, to the API's own ARN (API Gateway developer guide,
 * "API Gateway resource policy examples"). A call through the endpoint
 * carries `aws:SourceVpce`.
 *
 * The endpoint policy is not part of these simulations: it names routes
 * with `*` for the API id, and iam-simulate refuses any wildcard before the
 * first `/` of an ARN's resource part (its reading of IAM's rule against
 * wildcards in a resource *type*, which for execute-api is the API id). Its
 * content is asserted in private-vpc-egress.test.ts.
 */
import { Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { HttpProxyApi, PrivateVpcEgressPolicy } from '../src';
import { simulate } from './support/iam-simulation';
import { resolveValue } from './support/state-machine-harness';
import { TEST_ACCOUNT, testStack } from './support/test-stack';

const API_ID = 'a1b2c3d4e5';
const VPCE_ID = 'vpce-0a1b2c3d4e5f60718';
const ROUTE = (path: string) => `arn:aws:execute-api:us-east-1:${TEST_ACCOUNT}:${API_ID}/egress/GET${path}`;

let template: any;
let refs: Record<string, string>;
const roleArn = (name: string) => `arn:aws:iam::${TEST_ACCOUNT}:role/${name}`;

beforeAll(() => {
  // GIVEN the private variant: two routes, a workload allowed one of them, and another role allowed nothing
  const stack = testStack();
  const egress = new PrivateVpcEgressPolicy(stack, 'PrivateEgress');
  const api = new HttpProxyApi(stack, 'PrivateApi', { endpointType: apigw.EndpointType.PRIVATE, privateAccess: egress });
  const status = api.addTarget('status', { url: 'https://status.partner.example/api/{item}' });
  api.addTarget('other', { url: 'https://other.partner.example/api' });
  const workload = new iam.Role(stack, 'Workload', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), roleName: 'Workload' });
  new iam.Role(stack, 'Bystander', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), roleName: 'Bystander' });
  egress.allow(workload, status);
  template = Template.fromStack(stack).toJSON();
  const id = (c: any) => stack.getLogicalId(c.node.defaultChild);
  refs = { 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::URLSuffix': 'amazonaws.com', [id(api.restApi)]: API_ID, [id(api.stage)]: 'egress', [id(egress.endpoint)]: VPCE_ID };
});

/** The identity policies attached to a role, resolved. */
function identityPoliciesOf(roleName: string) {
  const roleId = Object.entries<any>(template.Resources).find(([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties.RoleName === roleName)![0];
  return Object.entries<any>(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => x.Ref === roleId))
    .map(([name, r]) => ({ name, policy: resolveValue(r.Properties.PolicyDocument, refs) }));
}

function resourcePolicy() {
  const api = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::ApiGateway::RestApi');
  const text = JSON.stringify(resolveValue(api.Properties.Policy, refs)).replace(/"execute-api:\/\*"/g, JSON.stringify(`arn:aws:execute-api:us-east-1:${TEST_ACCOUNT}:${API_ID}/*`));
  return JSON.parse(text);
}

async function invoke(roleName: string, resource: string, throughEndpoint: boolean) {
  return simulate({
    request: {
      principal: roleArn(roleName),
      action: 'execute-api:Invoke',
      resource: { resource, accountId: TEST_ACCOUNT },
      contextVariables: {
        'aws:PrincipalAccount': TEST_ACCOUNT,
        ...(throughEndpoint ? { 'aws:SourceVpce': VPCE_ID } : {}),
      },
    },
    identityPolicies: identityPoliciesOf(roleName),
    resourcePolicy: resourcePolicy(),
  });
}

test('GIVEN the granted role WHEN it calls its route through the endpoint THEN it is allowed', async () => {
  expect(await invoke('Workload', ROUTE('/status/item-1'), true)).toBe('Allowed');
});

test('GIVEN the granted role WHEN it calls its route from anywhere but the endpoint THEN the resource policy denies it explicitly', async () => {
  expect(await invoke('Workload', ROUTE('/status/item-1'), false)).toBe('ExplicitlyDenied');
});

test('GIVEN another role of the account WHEN it calls the route through the endpoint THEN it is denied (no identity grant)', async () => {
  expect(await invoke('Bystander', ROUTE('/status/item-1'), true)).not.toBe('Allowed');
});

test('GIVEN the granted role WHEN it calls another route through the endpoint THEN it is denied', async () => {
  expect(await invoke('Workload', ROUTE('/other'), true)).not.toBe('Allowed');
});
