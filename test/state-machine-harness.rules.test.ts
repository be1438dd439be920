/**
 * The Step Functions rules the harness adds to aws-local-stepfunctions
 * (support/state-machine-harness.ts, H1 and H2), each on a small
 * hand-written definition.
 */
import { NINE_NESTED_INTRINSICS, oldLatencyExpression } from './support/aws-rule-fragments';
import { MAX_STATE_NAME_LENGTH, runDefinition, validateDefinition } from './support/state-machine-harness';

const RESOURCE = 'arn:aws:states:::dynamodb:updateItem';
/** Retry and Catch on States.ALL: neither may take a States.Runtime. */
const GUARDED = {
  Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 2, IntervalSeconds: 1 }],
  Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }],
};
const CAUGHT = { Caught: { Type: 'Pass', Result: 'caught', End: true } };

function task(fields: Record<string, unknown>) {
  return { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: RESOURCE, End: true, ...GUARDED, ...fields }, ...CAUGHT } };
}

/** A handler that counts its calls. */
function counted(answer: () => Promise<any> = async () => ({ done: true })) {
  const handler = Object.assign(async (_input: any) => {
    handler.calls++;
    return answer();
  }, { calls: 0 });
  return handler;
}

const kinds = (events: any[]) => events.map((e) => e.type);

describe('H1: what CreateStateMachine rejects is rejected before a run', () => {
  const named = (name: string) => ({ StartAt: name, States: { [name]: { Type: 'Pass', End: true } } });

  test(`GIVEN a state name of ${MAX_STATE_NAME_LENGTH} characters WHEN validated THEN it is accepted`, () => {
    expect(() => validateDefinition(named('s'.repeat(MAX_STATE_NAME_LENGTH)))).not.toThrow();
  });

  test(`GIVEN a state name of ${MAX_STATE_NAME_LENGTH + 1} characters WHEN run THEN the run is refused with an error naming the state`, async () => {
    const name = `Archive: ${'x'.repeat(MAX_STATE_NAME_LENGTH + 1 - 'Archive: '.length)}`;
    await expect(runDefinition(named(name), {}, { tasks: {} })).rejects.toThrow(`state '${name}' (at the top level) is 81 characters long; Step Functions allows at most 80`);
  });

  test('GIVEN a too long name inside a Map and inside a Parallel branch WHEN validated THEN each is named with where it is', () => {
    const long = 'n'.repeat(81);
    const map = { StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, ...named(long) }, End: true } } };
    const parallel = { StartAt: 'P', States: { P: { Type: 'Parallel', Branches: [named('ok'), named(long)], End: true } } };
    expect(() => validateDefinition(map)).toThrow(`state '${long}' (in the Map state 'M')`);
    expect(() => validateDefinition(parallel)).toThrow(`state '${long}' (in branch 1 of the Parallel state 'P')`);
  });
});

describe('H2: a path that selects nothing fails the execution with States.Runtime, past Retry and Catch on States.ALL', () => {
  test('GIVEN Parameters reading a missing field WHEN run THEN the execution fails with States.Runtime, the task is never called, nothing retried or caught', async () => {
    const handler = counted();
    const run = await runDefinition(task({ Parameters: { 'key.$': '$.missing' } }), { present: 1 }, { tasks: { Work: handler } });
    expect(run.error?.cause?.name).toBe('States.Runtime');
    expect(run.output).toBeUndefined();
    expect(handler.calls).toBe(0);
    expect(kinds(run.events)).not.toEqual(expect.arrayContaining(['StateRetried']));
    expect(kinds(run.events)).not.toEqual(expect.arrayContaining(['StateCaught']));
  });

  test('GIVEN a ResultSelector reading a field the result lacks WHEN run THEN the call is made once and the execution fails with States.Runtime', async () => {
    const handler = counted();
    const run = await runDefinition(task({ ResultSelector: { 'etag.$': '$.ETag' } }), {}, { tasks: { Work: handler } });
    expect(run.error?.cause?.name).toBe('States.Runtime');
    expect(handler.calls).toBe(1);
    expect(kinds(run.events)).not.toEqual(expect.arrayContaining(['StateRetried']));
    expect(kinds(run.events)).not.toEqual(expect.arrayContaining(['StateCaught']));
  });

  test('GIVEN a Map whose ItemSelector reads a missing field WHEN run THEN the Map\'s Catch on States.ALL does not take the States.Runtime', async () => {
    const definition = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemSelector: { 'value.$': '$$.Map.Item.Value', 'missing.$': '$.nowhere' },
          ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Item', States: { Item: { Type: 'Pass', End: true } } },
          ...GUARDED,
          End: true,
        },
        ...CAUGHT,
      },
    };
    const run = await runDefinition(definition, { items: [1, 2] }, { tasks: {} });
    expect(run.error?.cause?.name).toBe('States.Runtime');
    expect(run.output).toBeUndefined();
  });

  test('GIVEN a Task handler that raises States.Runtime WHEN run THEN it is called once and the execution fails: Retry and Catch on States.ALL do not take it', async () => {
    const handler = counted(async () => {
      throw Object.assign(new Error('header X-Amz-Date may not be set'), { name: 'States.Runtime' });
    });
    const run = await runDefinition(task({}), {}, { tasks: { Work: handler }, retryIntervalMs: { Work: 0 } });
    expect(run.error?.cause?.name).toBe('States.Runtime');
    expect(run.output).toBeUndefined();
    expect(handler.calls).toBe(1);
  });

  test('GIVEN a Task handler that raises another error WHEN run THEN Retry and Catch on States.ALL still take it (the rule is States.Runtime only)', async () => {
    const handler = counted(async () => {
      throw Object.assign(new Error('boom'), { name: 'DynamoDB.InternalServerErrorException' });
    });
    const run = await runDefinition(task({}), {}, { tasks: { Work: handler }, retryIntervalMs: { Work: 0 } });
    expect(run.error).toBeUndefined();
    expect(run.output).toBe('caught');
    expect(handler.calls).toBe(3);
  });
});

describe('intrinsic calls per field: what AWS allows, the harness runs; more, it refuses', () => {
  const measuring = (expression: string) => ({ StartAt: 'Record', States: { Record: { Type: 'Pass', Parameters: { 'value.$': expression }, End: true } } });

  test('GIVEN the guide\'s own nine-call field WHEN validated THEN it is accepted', () => {
    expect(() => validateDefinition(measuring(NINE_NESTED_INTRINSICS))).not.toThrow();
  });

  test('GIVEN the old latency field (75 calls, 13 deep) WHEN run THEN the run is refused before it starts, naming the state and field', async () => {
    await expect(runDefinition(measuring(oldLatencyExpression()), {}, { tasks: {} }))
      .rejects.toThrow(/"Record" Parameters\.value\.\$ makes 75 intrinsic function calls; Step Functions allows at most 10 in a field/);
  });
});
