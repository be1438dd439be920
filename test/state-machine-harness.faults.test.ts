/**
 * The harness's at-least-once capabilities, on a tiny hand-written
 * definition whose Task writes a DynamoDB item in the local peer
 * (dynalite): `commitThenTimeout` (the call commits, the attempt fails with
 * States.Timeout, the Retry runs it again) and `replay` (the same
 * execution run twice). Each committed call adds 1 to the item's `writes`.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { LocalAwsPeers } from './support/aws-peers';
import { runDefinition, RunOptions } from './support/state-machine-harness';

const TABLE = 'harness-faults';
const WRITE = 'Write: count the call';
const peers = new LocalAwsPeers();

beforeAll(async () => {
  await peers.start();
  await peers.createTable(TABLE);
});
afterAll(() => peers.stop());

/** Adds 1 to the item of the execution; retried on the given errors. */
function definition(retryOn: string[] = ['States.Timeout'], maxAttempts = 2) {
  return {
    StartAt: WRITE,
    States: {
      [WRITE]: {
        Type: 'Task',
        Resource: 'arn:aws:states:::dynamodb:updateItem',
        Parameters: {
          TableName: TABLE,
          Key: { pk: { 'S.$': '$$.Execution.Id' } },
          UpdateExpression: 'ADD writes :one SET lastInput = :input',
          ExpressionAttributeValues: { ':one': { N: '1' }, ':input': { 'S.$': '$.value' } },
        },
        ResultPath: null,
        Retry: [{ ErrorEquals: retryOn, MaxAttempts: maxAttempts, IntervalSeconds: 1 }],
        Next: 'Who ran',
      },
      'Who ran': { Type: 'Pass', Parameters: { 'name.$': '$$.Execution.Name', 'id.$': '$$.Execution.Id', 'value.$': '$.value' }, End: true },
    },
  };
}

let executions = 0;
/** Runs the definition against the peer; returns the run and the item's write count after it. */
async function run(def: any, extra: Partial<RunOptions> = {}) {
  const executionName = `faults-${++executions}`;
  const result = await runDefinition(def, { value: `input-of-${executionName}` }, {
    tasks: { [WRITE]: peers.handlers()['arn:aws:states:::dynamodb:updateItem'] },
    retryIntervalMs: { [WRITE]: 0 },
    executionName,
    ...extra,
  });
  const id = `arn:aws:states:us-east-1:123456789012:execution:test:${executionName}`;
  const item = await peers.dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: id } } }));
  return { result, executionName, writes: Number(item.Item?.writes?.N ?? 0) };
}

const retried = (events: any[]) => events.filter((e) => e.type === 'StateRetried' && e.state.name === WRITE).length;

describe('commitThenTimeout', () => {
  test('GIVEN no fault WHEN run THEN the item is written once (the baseline)', async () => {
    const { result, writes } = await run(definition());
    expect(result.error).toBeUndefined();
    expect(writes).toBe(1);
    expect(retried(result.events)).toBe(0);
  });

  test('GIVEN a commit-then-timeout on the first attempt WHEN run THEN the write committed, the Retry on States.Timeout ran it again, and the item was written twice', async () => {
    const { result, writes } = await run(definition(), { commitThenTimeout: { state: WRITE, attempts: [1] } });
    expect(result.error).toBeUndefined();
    expect(writes).toBe(2);
    expect(retried(result.events)).toBe(1);
    expect(result.faults).toEqual([{ state: WRITE, attempt: 1, run: 1, committedResult: {} }]);
    expect(result.events.find((e) => e.type === 'StateFailed')).toMatchObject({ state: { name: WRITE }, Error: 'States.Timeout' });
  });

  test('GIVEN a commit-then-timeout on every attempt WHEN the retries run out THEN the execution fails with States.Timeout and each of the 3 attempts committed', async () => {
    const { result, writes } = await run(definition(), { commitThenTimeout: { state: WRITE, attempts: [1, 2, 3] } });
    expect(result.error?.cause?.name).toBe('States.Timeout');
    expect(writes).toBe(3);
    expect(retried(result.events)).toBe(2);
  });

  test('GIVEN a Retry on States.TaskFailed only WHEN the injected States.Timeout comes THEN it is not retried: it is the local runner\'s own timeout, which its States.TaskFailed does not match', async () => {
    const { result, writes } = await run(definition(['States.TaskFailed']), { commitThenTimeout: { state: WRITE } });
    expect(result.error?.cause?.name).toBe('States.Timeout');
    expect(writes).toBe(1);
  });

  test('GIVEN a fault naming a state the definition lacks WHEN run THEN the run is refused, so a misspelt name does not pass silently', async () => {
    await expect(run(definition(), { commitThenTimeout: { state: 'Write: count the cal' } })).rejects.toThrow("commitThenTimeout names 'Write: count the cal'");
  });
});

describe('replay', () => {
  test('GIVEN replay WHEN run THEN the same execution runs twice, one after the other: same name, same $$.Execution.Id, same input, two writes to one item', async () => {
    const { result, executionName, writes } = await run(definition(), { replay: true });
    expect(result.error).toBeUndefined();
    expect(result.replay?.error).toBeUndefined();
    expect(result.output).toEqual({ name: executionName, id: expect.stringContaining(executionName), value: `input-of-${executionName}` });
    expect(result.replay?.output).toEqual(result.output);
    expect(result.replay?.events[0]).toMatchObject({ type: 'ExecutionStarted', input: result.events[0].input });
    expect(writes).toBe(2);
  });

  test('GIVEN a concurrent replay WHEN run THEN both runs of the execution write, each once', async () => {
    const { result, writes } = await run(definition(), { replay: 'concurrent' });
    expect([result.error, result.replay?.error]).toEqual([undefined, undefined]);
    expect(writes).toBe(2);
  });

  test('GIVEN a replay and a commit-then-timeout on the first run only WHEN run THEN the first run writes twice and the replay once', async () => {
    const { result, writes } = await run(definition(), { replay: true, commitThenTimeout: { state: WRITE, attempts: [1], runs: [1] } });
    expect(result.faults).toHaveLength(1);
    expect(result.replay?.faults).toEqual([]);
    expect(retried(result.events)).toBe(1);
    expect(retried(result.replay!.events)).toBe(0);
    expect(writes).toBe(3);
  });
});
