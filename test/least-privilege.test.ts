/**
 * Least privilege, walked: every statement of every identity policy (and of
 * the execute-api endpoint policy) in the kitchen-sink stack and in the
 * distributed-layout invoker's (test/support/distributed-invoker.ts). No action may
 * be `*` or `service:*`; a resource with a `*` in it must be one of the
 * kinds README's security posture table explains, on the policy it names.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { distributedInvokerStack } from './support/distributed-invoker';
import { kitchenSinkStack } from './support/kitchen-sink';
import { PollerStack } from '../examples/poller/stack';
import { PrivateVpcStack } from '../examples/private-vpc/stack';

const stack = kitchenSinkStack();
const template = Template.fromStack(stack).toJSON();
/** The distributed layout, walked beside the kitchen sink (whose invoker is inline). */
const distributedTemplate = Template.fromStack(distributedInvokerStack()).toJSON();
const postureRows = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8').split('\n').filter((l) => /^\| [^|]+ \| `[^`]+` \|/.test(l));

/** One statement, flattened: where it is, its actions, and each resource as text with Refs named. */
interface Grant {
  readonly policy: string;
  readonly type: string;
  readonly actions: string[];
  readonly resource: string;
}

function text(value: any): string {
  if (typeof value === 'string') return value;
  if (value.Ref) return `<${value.Ref}>`;
  if (value['Fn::GetAtt']) return `<${value['Fn::GetAtt'].join('.')}>`;
  if (value['Fn::Join']) return value['Fn::Join'][1].map(text).join(value['Fn::Join'][0]);
  throw new Error(`unexpected ${JSON.stringify(value)}`);
}

const grantsOf = (t: any): Grant[] => Object.entries<any>(t.Resources).flatMap(([id, r]) => {
  const documents = ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].includes(r.Type) ? [r.Properties.PolicyDocument]
    : r.Type === 'AWS::IAM::Role' ? (r.Properties.Policies ?? []).map((p: any) => p.PolicyDocument)
      : r.Type === 'AWS::EC2::VPCEndpoint' && r.Properties.PolicyDocument ? [r.Properties.PolicyDocument] : [];
  return documents.flatMap((d: any) => d.Statement.filter((s: any) => s.Effect === 'Allow').flatMap((s: any) =>
    [s.Resource].flat().map((res: any) => ({ policy: id, type: r.Type, actions: [s.Action].flat(), resource: text(res) }))));
});
const grants: Grant[] = [...grantsOf(template), ...grantsOf(distributedTemplate)];

/**
 * The wildcard resources the posture table explains: its row (tool and
 * finding), the policies they may be in, and the actions they may go with.
 */
const EXPLAINED = [
  {
    row: '| cdk-nag | `AwsSolutions-IAM5[Resource::*]` | the default policy of a `ScheduledInvoker`',
    policy: /^PollerRoleDefaultPolicy/,
    resource: /^\*$/,
    actions: /^(logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)|xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets))$/,
  },
  {
    row: '| cdk-nag | `AwsSolutions-IAM5[Resource::<execute-api ARN of one route, * for each path parameter>]`',
    policy: /^(PollerRouteGrants|WorkloadDefaultPolicy)/,
    resource: /^arn:<AWS::Partition>:execute-api:us-east-1:123456789012:<(EgressApi|PrivateApi)[0-9A-F]+>\/<\w+>\/(GET|POST)\/[a-z/{}]+\/\*$/,
    actions: /^execute-api:Invoke$/,
  },
  {
    row: '| cdk-nag | `AwsSolutions-IAM5[Resource::<archive bucket ARN>/<prefix>*]`',
    policy: /^PollerSinkArchiveGrants/,
    resource: /^<ArchiveBucket[0-9A-F]+\.Arn>\/(polls|responses)\/\*$/,
    actions: /^s3:PutObject$/,
  },
  {
    row: '| cdk-nag | `AwsSolutions-IAM5[Resource::arn:<partition>:states:<region>:<account>:execution:<state machine name>:*]`',
    policy: /^PollerDistributedGrants/,
    resource: /^arn:<AWS::Partition>:states:us-east-1:123456789012:execution:<PollerStateMachine[0-9A-F]+\.Name>:\*$/,
    actions: /^states:(DescribeExecution|StopExecution)$/,
  },
  {
    row: '| cdk-nag | `AwsSolutions-IAM5[Resource::arn:<partition>:states:<region>:<account>:mapRun:<state machine name>/<label>:*]`',
    policy: /^PollerDistributedGrants/,
    resource: /^arn:<AWS::Partition>:states:us-east-1:123456789012:mapRun:<PollerStateMachine[0-9A-F]+\.Name>\/Requests:\*$/,
    actions: /^states:DescribeMapRun$/,
  },
  {
    row: '| cdk-nag | `AwsSolutions-IAM5[Resource::<results bucket ARN>/<results prefix>/*]`',
    policy: /^PollerDistributedGrants/,
    resource: /^<PollerDistributedResults[0-9A-F]+\.Arn>\/invoker-results\/DistributedInvokerPoller[0-9A-F]+\/\*$/,
    actions: /^s3:(PutObject|GetObject|ListMultipartUploadParts|AbortMultipartUpload)$/,
  },
  {
    row: '| least-privilege test | `Resource::arn:<partition>:execute-api:<region>:<account>:*/<stage>/<METHOD>/<path>`',
    policy: /^PrivateEgressExecuteApiEndpoint/,
    resource: /^arn:<AWS::Partition>:execute-api:us-east-1:123456789012:\*\/egress\/GET\/status\/\*$/,
    actions: /^execute-api:Invoke$/,
  },
];

describe('least privilege over the kitchen sink and the distributed layout', () => {
  test('GIVEN every option on WHEN its policies are walked THEN there are grants to walk', () => {
    const policies = new Set(grants.map((g) => g.policy.replace(/[0-9A-F]{8}$/, '')));
    for (const p of ['PollerRoleDefaultPolicy', 'PollerRouteGrants', 'PollerSinkArchiveGrants', 'PollerSchedulerRoleDefaultPolicy', 'PrivateEgressExecuteApiEndpoint', 'WorkloadDefaultPolicy', 'PollerDistributedGrants']) {
      expect(policies).toContain(p);
    }
  });

  test('GIVEN every policy WHEN its actions are read THEN none is "*" or a whole service', () => {
    const wide = grants.flatMap((g) => g.actions.filter((a) => a === '*' || /^[a-z0-9-]+:\*$/.test(a)).map((a) => `${g.policy}: ${a}`));
    expect(wide).toEqual([]);
  });

  test('GIVEN every policy WHEN its resources are read THEN each one with a * is a kind the posture table explains, in the policy it names', () => {
    const unexplained = grants
      .filter((g) => g.resource.includes('*'))
      .filter((g) => !EXPLAINED.some((e) => e.policy.test(g.policy) && e.resource.test(g.resource) && g.actions.every((a) => e.actions.test(a))))
      .map((g) => `${g.policy}: ${g.actions.join(',')} on ${g.resource}`);
    expect(unexplained).toEqual([]);
  });

  test('GIVEN the explained kinds WHEN README is read THEN each is a row of its posture table, and each is met in the walked stacks', () => {
    for (const e of EXPLAINED) {
      expect(postureRows.filter((r) => r.startsWith(e.row))).toHaveLength(1);
      expect(grants.some((g) => e.policy.test(g.policy) && e.resource.test(g.resource))).toBe(true);
    }
  });

  test('GIVEN every KMS key of the kitchen sink and the examples WHEN its policy is read THEN only AWS services may create grants on it (CT.KMS.PR.3)', () => {
    const env = { account: '123456789012', region: 'us-east-1' };
    const templates = [template, ...[new PollerStack(new App(), 'P', { env }), new PrivateVpcStack(new App(), 'V', { env })].map((st) => Template.fromStack(st).toJSON())];
    const keys = templates.flatMap((t) => Object.entries<any>(t.Resources).filter(([, r]) => r.Type === 'AWS::KMS::Key'));
    // the library's two keys among them: the stack's shared log key and the archive topic key
    expect(keys.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(expect.arrayContaining(['ArchiveTopicKey', 'InsideOutGatewayLogKey']));
    for (const [id, key] of keys) {
      const deny = key.Properties.KeyPolicy.Statement.find((st: any) => st.Effect === 'Deny' && st.Action === 'kms:CreateGrant');
      expect({ id, deny }).toEqual({
        id,
        deny: expect.objectContaining({
          Principal: { AWS: '*' },
          Resource: '*',
          Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
        }),
      });
    }
  });
});
