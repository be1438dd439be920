/**
 * Rule S4 of support/local-deployment.ts: EventBridge Scheduler acts as the
 * schedule's execution role only when the role's trust policy lets
 * scheduler.amazonaws.com assume it with aws:SourceArn = the schedule
 * GROUP's ARN (Scheduler user guide, "Confused deputy prevention in
 * EventBridge Scheduler"). A small hand-written template: a schedule whose
 * state machine records each start in a DynamoDB table, with a dead-letter
 * queue. Also the tick's `replay` and `commitThenTimeout`, which it hands to
 * the execution.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { LocalAwsPeers } from './support/aws-peers';
import { schedulerRoleTemplate } from './support/aws-rule-fragments';
import { LocalDeployment } from './support/local-deployment';
import { TEST_ACCOUNT, TEST_REGION } from './support/test-stack';

const RECORD = 'Record the start';
const ARN_PREFIX = ['arn:', { Ref: 'AWS::Partition' }, `:scheduler:${TEST_REGION}:${TEST_ACCOUNT}:`];
/** What AWS presents for a schedule in the default group. */
const DEFAULT_GROUP_ARN = { 'Fn::Join': ['', [...ARN_PREFIX, 'schedule-group/default']] };
/** What the library's scheduler role trusts today: the schedules' own ARNs. */
const SCHEDULE_ARN_PREFIX = { 'Fn::Join': ['', [...ARN_PREFIX, 'schedule/default/*']] };

/** The state machine: one Task adding 1 to the item of the Scheduler execution id, retried on States.Timeout. */
const DEFINITION = JSON.stringify({
  StartAt: RECORD,
  States: {
    [RECORD]: {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:updateItem',
      Parameters: {
        TableName: '@TABLE@',
        Key: { pk: { 'S.$': '$.executionId' } },
        UpdateExpression: 'ADD starts :one SET scheduleArn = :schedule',
        ExpressionAttributeValues: { ':one': { N: '1' }, ':schedule': { 'S.$': '$.scheduleArn' } },
      },
      Retry: [{ ErrorEquals: ['States.Timeout'], MaxAttempts: 2 }],
      End: true,
    },
  },
}).split('@TABLE@');

function template(trustedSourceArn: unknown, groupName?: string) {
  const arn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
  return {
    Resources: {
      Starts: { Type: 'AWS::DynamoDB::Table', Properties: { KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }] } },
      DeadLetters: { Type: 'AWS::SQS::Queue', Properties: {} },
      MachineRole: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' }] } } },
      Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: { RoleArn: arn('MachineRole'), DefinitionString: { 'Fn::Join': ['', [DEFINITION[0], { Ref: 'Starts' }, DEFINITION[1]]] } } },
      // the scheduler role of the rule fragments: account 123456789012, this aws:SourceArn
      SchedulerRole: schedulerRoleTemplate(trustedSourceArn).Resources.SchedulerRole,
      SchedulerPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          Roles: [{ Ref: 'SchedulerRole' }],
          PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: 'Machine' } }, { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arn('DeadLetters') }] },
        },
      },
      ...(groupName ? { Group: { Type: 'AWS::Scheduler::ScheduleGroup', Properties: { Name: groupName } } } : {}),
      Schedule: {
        Type: 'AWS::Scheduler::Schedule',
        Properties: {
          ...(groupName ? { GroupName: { Ref: 'Group' } } : {}),
          ScheduleExpression: 'rate(15 minutes)',
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: {
            Arn: { Ref: 'Machine' },
            RoleArn: arn('SchedulerRole'),
            Input: JSON.stringify({ executionId: '<aws.scheduler.execution-id>', scheduleArn: '<aws.scheduler.schedule-arn>' }),
            RetryPolicy: { MaximumRetryAttempts: 1 },
            DeadLetterConfig: { Arn: arn('DeadLetters') },
          },
        },
      },
    },
  };
}

const peers = new LocalAwsPeers();
const deployments: LocalDeployment[] = [];
beforeAll(() => peers.start());
afterAll(async () => {
  await Promise.all(deployments.map((d) => d.stop()));
  await peers.stop();
});

async function deploy(trustedSourceArn: unknown, groupName?: string) {
  const d = await LocalDeployment.deploy({ template: template(trustedSourceArn, groupName), region: TEST_REGION, account: TEST_ACCOUNT, upstreams: {}, peers, name: `trust${deployments.length + 1}` });
  deployments.push(d);
  const starts = async () => {
    const scanned = await peers.dynamodb.send(new ScanCommand({ TableName: d.physicalName('Starts') }));
    return (scanned.Items ?? []).map((i) => ({ executionId: i.pk.S, starts: Number(i.starts.N), scheduleArn: i.scheduleArn.S }));
  };
  return { d, starts, deadLetters: () => d.visibleMessages('DeadLetters') };
}

const AT = new Date(Date.UTC(2026, 10, 24, 9, 0));

describe('S4: Scheduler assumes the execution role only as its trust allows, with the schedule group as aws:SourceArn', () => {
  test('GIVEN a trust on the default group\'s ARN WHEN the schedule fires THEN the state machine is started once, and nothing is dead-lettered', async () => {
    const { d, starts, deadLetters } = await deploy(DEFAULT_GROUP_ARN);
    const tick = await d.tick(AT);
    expect(tick).toMatchObject({ status: 'SUCCEEDED', startAttempts: 1, deadLettered: false });
    expect(tick.failure).toBeUndefined();
    expect(await starts()).toEqual([{ executionId: tick.executionName, starts: 1, scheduleArn: expect.stringMatching(/^arn:aws:scheduler:us-east-1:123456789012:schedule\/default\//) }]);
    expect(await deadLetters()).toBe(0);
  });

  test('GIVEN a trust on the schedules\' own ARNs (schedule/default/*) WHEN the schedule fires THEN the role cannot be assumed: nothing is started and nothing dead-lettered', async () => {
    const { d, starts, deadLetters } = await deploy(SCHEDULE_ARN_PREFIX);
    const tick = await d.tick(AT);
    expect(tick).toMatchObject({ deadLettered: false, startAttempts: 2 });
    expect(tick.executionName).toBeUndefined();
    expect(tick.status).toBeUndefined();
    expect(tick.failure).toEqual({ code: 'AccessDeniedException', message: expect.stringContaining(`aws:SourceArn arn:aws:scheduler:us-east-1:${TEST_ACCOUNT}:schedule-group/default`) });
    expect(await starts()).toEqual([]);
    expect(await deadLetters()).toBe(0);
  });

  test('GIVEN a trusted role WHEN every start fails THEN the start is dead-lettered (so the denial above is the trust\'s doing)', async () => {
    const { d, starts, deadLetters } = await deploy(DEFAULT_GROUP_ARN);
    d.failStarts.push({ code: 'ThrottlingException', message: 'Rate exceeded' }, { code: 'ThrottlingException', message: 'Rate exceeded' });
    const tick = await d.tick(AT);
    expect(tick).toMatchObject({ deadLettered: true, startAttempts: 2, failure: { code: 'ThrottlingException' } });
    expect(await starts()).toEqual([]);
    expect(await deadLetters()).toBe(1);
  });

  test('GIVEN a schedule in a named group WHEN the trust names the default group THEN it is denied; WHEN it names the schedule\'s group THEN it starts', async () => {
    const other = await deploy(DEFAULT_GROUP_ARN, 'pollers');
    expect(await other.d.tick(AT)).toMatchObject({ deadLettered: false, failure: { code: 'AccessDeniedException' } });
    expect(await other.starts()).toEqual([]);

    const own = await deploy({ 'Fn::Join': ['', [...ARN_PREFIX, 'schedule-group/pollers']] }, 'pollers');
    const tick = await own.d.tick(AT);
    expect(tick.status).toBe('SUCCEEDED');
    expect(await own.starts()).toEqual([expect.objectContaining({ starts: 1, scheduleArn: expect.stringMatching(/:schedule\/pollers\//) })]);
  });
});

describe('the tick hands replay and commitThenTimeout to the execution', () => {
  test('GIVEN replay WHEN the schedule fires THEN the same execution runs twice and the item counts two starts', async () => {
    const { d, starts } = await deploy(DEFAULT_GROUP_ARN);
    const tick = await d.tick(AT, { replay: true });
    expect(tick.status).toBe('SUCCEEDED');
    expect(tick.replay?.status).toBe('SUCCEEDED');
    expect(await starts()).toEqual([expect.objectContaining({ executionId: tick.executionName, starts: 2 })]);
  });

  test('GIVEN a commit-then-timeout on the first attempt WHEN the schedule fires THEN the write committed, was retried, and counts two', async () => {
    const { d, starts } = await deploy(DEFAULT_GROUP_ARN);
    const tick = await d.tick(AT, { commitThenTimeout: { state: RECORD, attempts: [1] } });
    expect(tick.status).toBe('SUCCEEDED');
    expect(tick.faults).toEqual([expect.objectContaining({ state: RECORD, attempt: 1 })]);
    expect(tick.events?.filter((e) => e.type === 'StateRetried')).toHaveLength(1);
    expect(await starts()).toEqual([expect.objectContaining({ starts: 2 })]);
  });
});
