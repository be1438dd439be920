/**
 * The harness's Distributed Map (support/distributed-map.ts, rules D1 to
 * D6), on hand-written JSONPath definitions: a STANDARD parent whose
 * Distributed Map reads a JSON array of requests from the S3 peer, batches
 * it, runs one EXPRESS child per batch (an inline Map per request), writes
 * the results to S3 and reads the Map Run's counts with describeMapRun.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { LocalAwsPeers } from './support/aws-peers';
import { UNBOUNDED_CHILD_CONCURRENCY } from './support/distributed-map';
import { MapRunLedger } from './support/map-runs';
import { runDefinition, RunOptions } from './support/state-machine-harness';

const REQUESTS = 'dm-requests';
const RESULTS = 'dm-results';
const peers = new LocalAwsPeers();

beforeAll(async () => {
  await peers.start();
  await peers.createBucket(REQUESTS);
  await peers.createBucket(RESULTS);
});
afterAll(() => peers.stop());

let keys = 0;
/** Puts a request list (any JSON) in the requests bucket; its key. */
async function putRequests(body: unknown): Promise<string> {
  const key = `lists/${++keys}.json`;
  await peers.s3.send(new PutObjectCommand({ Bucket: REQUESTS, Key: key, Body: typeof body === 'string' ? body : JSON.stringify(body) }));
  return key;
}
const requests = (n: number, prefix = 'r') => Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, path: `/v1/items/${i}` }));

/** The child workflow: an inline Map over the batch, two Tasks per request. */
const PER_REQUEST_CHILD = {
  StartAt: 'Each request',
  States: {
    'Each request': {
      Type: 'Map',
      ItemsPath: '$.Items',
      ItemSelector: { 'request.$': '$$.Map.Item.Value', 'tick.$': '$.BatchInput.tick' },
      ItemProcessor: {
        ProcessorConfig: { Mode: 'INLINE' },
        StartAt: 'Call',
        States: {
          Call: { Type: 'Task', Resource: 'arn:aws:states:::apigateway:invoke', Parameters: { 'Path.$': '$.request.path' }, ResultPath: '$.answer', Next: 'Record' },
          Record: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:updateItem', Parameters: { 'id.$': '$.request.id', 'tick.$': '$.tick', 'status.$': '$.answer.StatusCode' }, End: true },
        },
      },
      End: true,
    },
  },
};

/** The parent: the Distributed Map (fields may be replaced or removed with undefined), then describeMapRun. */
function parent(map: Record<string, unknown> = {}, child: any = PER_REQUEST_CHILD) {
  const state: Record<string, unknown> = {
    Type: 'Map',
    ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Parameters: { 'Bucket': REQUESTS, 'Key.$': '$.requestsKey' } },
    ItemBatcher: { MaxItemsPerBatch: 100, BatchInput: { 'tick.$': '$.tick', 'fixed': 'batch-input' } },
    ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, ...structuredClone(child) },
    MaxConcurrency: 10,
    ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { 'Bucket': RESULTS, 'Prefix.$': "States.Format('runs/{}', $.tick)" } },
    ToleratedFailurePercentage: 100,
    ResultPath: '$.map',
    Next: 'Count',
    ...map,
  };
  for (const k of Object.keys(state)) if (state[k] === undefined) delete state[k];
  return {
    StartAt: 'Fan out',
    States: {
      'Fan out': state,
      'Count': {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:sfn:describeMapRun',
        Parameters: { 'MapRunArn.$': '$.map.MapRunArn' },
        ResultSelector: { 'Items.$': '$.ItemCounts', 'Executions.$': '$.ExecutionCounts', 'Status.$': '$.Status' },
        ResultPath: '$.counts',
        End: true,
      },
    },
  };
}

/** Task handlers of the child: fast, and failing for a request whose id is in `poison`. */
function handlers(poison: string[] = []) {
  const calls: string[] = [];
  return {
    calls,
    tasks: {
      Call: async (x: any) => ({ StatusCode: 200, path: x.Path }),
      Record: async (x: any) => {
        calls.push(x.id);
        if (poison.includes(x.id)) {
          throw Object.assign(new Error(`the upstream refused ${x.id}`), { name: 'Upstream.Refused' });
        }
        return { id: x.id, tick: x.tick, status: x.status };
      },
    },
  };
}

async function run(definition: any, input: any, tasks: RunOptions['tasks'], extra: Partial<RunOptions> = {}) {
  return runDefinition(definition, input, { tasks, s3: peers.s3, ...extra });
}

/** The result files of a Map Run: the manifest, and the records of each status file. */
async function results(manifestKey: string) {
  const objects = await peers.objects(RESULTS, manifestKey.replace(/manifest\.json$/, ''));
  const manifest = objects.find((o) => o.key === manifestKey)!.body;
  const records = (status: 'SUCCEEDED' | 'FAILED' | 'PENDING') =>
    manifest.ResultFiles[status].flatMap((f: any) => objects.find((o) => o.key === f.Key)!.body);
  return { objects, manifest, records };
}

describe('10,000 requests: every request once, in well under a minute (D1 to D3, D5, D6)', () => {
  test('GIVEN 10,000 requests in S3, batches of 100 WHEN the parent runs THEN each request is recorded exactly once in the SUCCEEDED files and describeMapRun counts them all', async () => {
    // GIVEN
    const list = requests(10_000);
    const requestsKey = await putRequests(list);
    const { tasks, calls } = handlers();

    // WHEN
    const started = Date.now();
    const outcome = await run(parent(), { requestsKey, tick: 't-1' }, tasks);
    const elapsedMs = Date.now() - started;
    console.log(`Distributed Map, 10,000 requests in 100 batches of 100, 10 children at once: ${elapsedMs} ms`);

    // THEN the run succeeded, quickly, with the documented result of a Map with ResultWriter
    expect(outcome.error).toBeUndefined();
    expect(elapsedMs).toBeLessThan(30_000);
    const [mapRun] = outcome.mapRuns;
    expect(outcome.output.map).toEqual({
      MapRunArn: mapRun.mapRunArn,
      ResultWriterDetails: { Bucket: RESULTS, Key: `runs/t-1/${mapRun.mapRunId}/manifest.json` },
    });
    expect(mapRun.mapRunArn).toMatch(/^arn:aws:states:us-east-1:123456789012:mapRun:test\/[0-9a-f-]{36}:[0-9a-f-]{36}$/);
    expect(mapRun.children).toHaveLength(100);

    // THEN the manifest lists one SUCCEEDED file, its size true
    const { objects, manifest, records } = await results(outcome.output.map.ResultWriterDetails.Key);
    expect(manifest).toEqual({
      DestinationBucket: RESULTS,
      MapRunArn: mapRun.mapRunArn,
      ResultFiles: { FAILED: [], PENDING: [], SUCCEEDED: [{ Key: `runs/t-1/${mapRun.mapRunId}/SUCCEEDED_0.json`, Size: expect.any(Number) }] },
    });
    const file = objects.find((o) => o.key === manifest.ResultFiles.SUCCEEDED[0].Key)!;
    expect(manifest.ResultFiles.SUCCEEDED[0].Size).toBe(Buffer.byteLength(JSON.stringify(file.body)));

    // THEN each record is a child execution, Input and Output as JSON text
    const succeeded = records('SUCCEEDED');
    expect(succeeded).toHaveLength(100);
    expect(succeeded[0]).toEqual({
      ExecutionArn: expect.stringMatching(/^arn:aws:states:us-east-1:123456789012:express:test\/[0-9a-f-]{36}:[0-9a-f-]{36}:[0-9a-f-]{36}$/),
      Input: expect.any(String),
      InputDetails: { Included: true },
      Name: expect.stringMatching(/^[0-9a-f-]{36}$/),
      Output: expect.any(String),
      OutputDetails: { Included: true },
      StartDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      StateMachineArn: mapRun.childStateMachineArn,
      Status: 'SUCCEEDED',
      StopDate: expect.any(String),
    });

    // THEN every request is in exactly one child's output, and was recorded once
    const recorded = succeeded.flatMap((r: any) => JSON.parse(r.Output).map((o: any) => o.id));
    expect(recorded).toHaveLength(10_000);
    expect(new Set(recorded)).toEqual(new Set(list.map((r) => r.id)));
    expect(calls).toHaveLength(10_000);
    expect(new Set(calls).size).toBe(10_000);

    // THEN describeMapRun answers with the counts, in PascalCase
    const counts = { Pending: 0, Running: 0, Failed: 0, TimedOut: 0, Aborted: 0, FailuresNotRedrivable: 0, PendingRedrive: 0 };
    expect(outcome.output.counts).toEqual({
      Status: 'SUCCEEDED',
      Items: { ...counts, Succeeded: 10_000, Total: 10_000, ResultsWritten: 10_000 },
      Executions: { ...counts, Succeeded: 100, Total: 100, ResultsWritten: 100 },
    });
  }, 60_000);
});

describe('D2 ItemBatcher', () => {
  test('GIVEN BatchInput with a path WHEN the children run THEN each child gets {BatchInput, Items}, BatchInput evaluated against the state input', async () => {
    // GIVEN
    const requestsKey = await putRequests(requests(250));
    const { tasks } = handlers();

    // WHEN
    const outcome = await run(parent(), { requestsKey, tick: 't-batch' }, tasks);

    // THEN
    const children = outcome.mapRuns[0].children;
    expect(children.map((c) => Object.keys(c.input))).toEqual([['BatchInput', 'Items'], ['BatchInput', 'Items'], ['BatchInput', 'Items']]);
    expect(new Set(children.map((c) => JSON.stringify(c.input.BatchInput)))).toEqual(new Set([JSON.stringify({ tick: 't-batch', fixed: 'batch-input' })]));
    // the child's own states read it
    expect(children.flatMap((c) => c.output.map((o: any) => o.tick))).toEqual(Array(250).fill('t-batch'));
  });

  test.each([
    ['MaxItemsPerBatch', { MaxItemsPerBatch: 137 }, {}],
    ['MaxItemsPerBatchPath', { MaxItemsPerBatchPath: '$.perBatch' }, { perBatch: 137 }],
  ])('GIVEN 1,000 requests and %s 137 WHEN run THEN 8 children take 137 requests each in order, the last 41', async (_, batcher, input) => {
    // GIVEN
    const list = requests(1000);
    const requestsKey = await putRequests(list);

    // WHEN
    const outcome = await run(parent({ ItemBatcher: batcher }), { requestsKey, tick: 't', ...input }, handlers().tasks);

    // THEN
    const children = outcome.mapRuns[0].children;
    expect(children.map((c) => c.input.Items.length)).toEqual([137, 137, 137, 137, 137, 137, 137, 41]);
    expect(children.flatMap((c) => c.input.Items)).toEqual(list);
    expect(children.every((c) => !('BatchInput' in c.input))).toBe(true);
  });

  test('GIVEN MaxInputBytesPerBatch 2,048 WHEN run THEN no child input is over 2,048 bytes and no two neighbouring batches would have fitted in one', async () => {
    // GIVEN
    const list = requests(300);
    const requestsKey = await putRequests(list);

    // WHEN
    const outcome = await run(parent({ ItemBatcher: { MaxInputBytesPerBatch: 2048, BatchInput: { fixed: 'x' } } }), { requestsKey, tick: 't' }, handlers().tasks);

    // THEN
    const sizes = outcome.mapRuns[0].children.map((c) => Buffer.byteLength(JSON.stringify(c.input)));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2048);
    const itemBytes = Buffer.byteLength(JSON.stringify(list[299])) + 1;
    expect(sizes.slice(0, -1).every((s) => s + itemBytes > 2048)).toBe(true);
    expect(outcome.mapRuns[0].children.flatMap((c) => c.input.Items)).toEqual(list);
  });
});

describe('D3 MaxConcurrency', () => {
  /** A child of one slow Task; measures how many children run at once. */
  function slowChild() {
    let inFlight = 0;
    const seen = { max: 0 };
    const child = { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: 'arn:aws:states:::harness:work', End: true } } };
    const tasks = {
      Work: async (x: any) => {
        inFlight++;
        seen.max = Math.max(seen.max, inFlight);
        await new Promise((r) => setTimeout(r, 20));
        inFlight--;
        return x.Items.length;
      },
    };
    return { child, tasks, seen };
  }

  test.each([[3, 3], [0, 12]])('GIVEN 12 batches and MaxConcurrency %i WHEN run THEN at most %i children run at once, and that many did', async (maxConcurrency, expected) => {
    // GIVEN
    const requestsKey = await putRequests(requests(120));
    const { child, tasks, seen } = slowChild();

    // WHEN
    const outcome = await run(parent({ MaxConcurrency: maxConcurrency, ItemBatcher: { MaxItemsPerBatch: 10 } }, child), { requestsKey, tick: 't' }, tasks);

    // THEN
    expect(outcome.error).toBeUndefined();
    expect(seen.max).toBe(expected);
    expect(outcome.mapRuns[0].maxChildrenInFlight).toBe(expected);
    expect(expected).toBeLessThanOrEqual(UNBOUNDED_CHILD_CONCURRENCY);
  });
});

describe('D4 tolerated failures and D5 results of failed children', () => {
  test('GIVEN a batch whose child fails and ToleratedFailurePercentage 100 WHEN run THEN the Map succeeds, the FAILED file holds that child with its error, the SUCCEEDED file the others', async () => {
    // GIVEN batch 2 of 5 holds a request the upstream refuses
    const list = requests(500);
    const requestsKey = await putRequests(list);
    const { tasks } = handlers(['r-250']);

    // WHEN
    const outcome = await run(parent(), { requestsKey, tick: 't-tolerated' }, tasks);

    // THEN
    expect(outcome.error).toBeUndefined();
    const { manifest, records } = await results(outcome.output.map.ResultWriterDetails.Key);
    expect(manifest.ResultFiles.FAILED).toHaveLength(1);
    const failed = records('FAILED');
    expect(failed).toEqual([expect.objectContaining({ Status: 'FAILED', Error: 'Upstream.Refused', Cause: 'the upstream refused r-250', Name: expect.any(String), StopDate: expect.any(String) })]);
    expect(failed[0]).not.toHaveProperty('Output');
    expect(JSON.parse(failed[0].Input).Items.map((r: any) => r.id)).toContain('r-250');
    expect(records('SUCCEEDED')).toHaveLength(4);
    expect(outcome.output.counts).toMatchObject({ Status: 'SUCCEEDED', Items: { Succeeded: 400, Failed: 100, Total: 500, ResultsWritten: 500 }, Executions: { Succeeded: 4, Failed: 1 } });
  });

  test.each([
    ['ToleratedFailurePercentage 0', { ToleratedFailurePercentage: 0 }],
    ['no threshold (the default is 0)', { ToleratedFailurePercentage: undefined }],
  ])('GIVEN %s, one child at a time, batch 3 of 5 failing WHEN run THEN the Map fails with States.ExceedToleratedFailureThreshold, the results are still written, the last two batches PENDING', async (_, threshold) => {
    // GIVEN
    const requestsKey = await putRequests(requests(500));
    const { tasks, calls } = handlers(['r-250']);
    const mapRuns = new MapRunLedger();

    // WHEN
    const outcome = await run(parent({ ...threshold, MaxConcurrency: 1 }), { requestsKey, tick: 't-zero' }, tasks, { mapRuns });

    // THEN the execution failed with the documented error, which a Catch could take
    expect(outcome.error?.cause?.name).toBe('States.ExceedToleratedFailureThreshold');
    // the first two batches ran whole; the failing child stopped at its failure; the last two never started
    const index = (id: string) => Number(id.slice(2));
    expect(calls.filter((id) => index(id) < 200)).toHaveLength(200);
    expect(calls).toContain('r-250');
    expect(calls.filter((id) => index(id) >= 300)).toEqual([]);
    const [mapRun] = outcome.mapRuns;
    expect(mapRun.status).toBe('FAILED');
    expect(mapRun.children.map((c) => c.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'FAILED', 'PENDING', 'PENDING']);

    // THEN the results are written all the same
    const { manifest, records } = await results(mapRun.resultWriter!.manifestKey);
    const fileCounts = Object.fromEntries(Object.entries<any[]>(manifest.ResultFiles).map(([k, v]) => [k, v.length]));
    expect(fileCounts).toEqual({ FAILED: 1, PENDING: 1, SUCCEEDED: 1 });
    expect(records('SUCCEEDED')).toHaveLength(2);
    expect(records('FAILED')).toEqual([expect.objectContaining({ Error: 'Upstream.Refused' })]);
    expect(records('PENDING')).toEqual([
      { Input: expect.any(String), InputDetails: { Included: true }, Status: 'PENDING' },
      { Input: expect.any(String), InputDetails: { Included: true }, Status: 'PENDING' },
    ]);
    expect(mapRuns.describe(mapRun.mapRunArn)).toMatchObject({ Status: 'FAILED', ItemCounts: { Succeeded: 200, Failed: 100, Pending: 200, Total: 500, ResultsWritten: 300 } });
  });

  test.each([[99, 'States.ExceedToleratedFailureThreshold'], [100, undefined]])(
    'GIVEN a failing batch of 100 items and ToleratedFailureCount %i WHEN run THEN the error is %s (the count must be exceeded)', async (count, error) => {
      const requestsKey = await putRequests(requests(500));
      const outcome = await run(parent({ ToleratedFailurePercentage: undefined, ToleratedFailureCount: count }), { requestsKey, tick: 't' }, handlers(['r-0']).tasks);
      expect(outcome.error?.cause?.name).toBe(error);
    });

  test('GIVEN ToleratedFailurePercentagePath WHEN the path selects 20 and 1 of 5 batches fails THEN the Map succeeds (20% is not over 20%)', async () => {
    const requestsKey = await putRequests(requests(500));
    const outcome = await run(parent({ ToleratedFailurePercentage: undefined, ToleratedFailurePercentagePath: '$.tolerated' }), { requestsKey, tick: 't', tolerated: 20 }, handlers(['r-0']).tasks);
    expect(outcome.error).toBeUndefined();
    expect(outcome.mapRuns[0].toleratedFailurePercentage).toBe(20);
  });
});

describe('D1 ItemReader', () => {
  const CAUGHT = { Catch: [{ ErrorEquals: ['States.ItemReaderFailed'], ResultPath: '$.caught', Next: 'Caught' }] };
  const catching = () => {
    const d: any = parent(CAUGHT);
    d.States.Caught = { Type: 'Pass', End: true };
    return d;
  };

  test.each([
    ['a JSON object', { requests: [] }],
    ['text that is not JSON', 'id,path\nr-1,/x'],
  ])('GIVEN an ItemReader object holding %s WHEN run THEN the Map fails with States.ItemReaderFailed, which a Catch takes', async (_, body) => {
    const requestsKey = await putRequests(body);
    const outcome = await run(catching(), { requestsKey, tick: 't' }, handlers().tasks);
    expect(outcome.error).toBeUndefined();
    expect(outcome.output.caught).toEqual({ Error: 'States.ItemReaderFailed', Cause: expect.stringContaining(`s3://${REQUESTS}/${requestsKey}`) });
    expect(outcome.mapRuns[0]).toMatchObject({ status: 'FAILED', error: 'States.ItemReaderFailed', children: [] });
  });

  test('GIVEN a key that is not in the bucket WHEN run THEN States.ItemReaderFailed names the S3 error', async () => {
    const outcome = await run(parent(), { requestsKey: 'lists/none.json', tick: 't' }, handlers().tasks);
    expect(outcome.error?.cause).toMatchObject({ name: 'States.ItemReaderFailed', message: expect.stringContaining('NoSuchKey') });
  });

  test('GIVEN ReaderConfig.MaxItems 30 WHEN 100 requests are read THEN only the first 30 run', async () => {
    const list = requests(100);
    const requestsKey = await putRequests(list);
    const reader = { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON', MaxItems: 30 }, Parameters: { 'Bucket': REQUESTS, 'Key.$': '$.requestsKey' } };
    const outcome = await run(parent({ ItemReader: reader }), { requestsKey, tick: 't' }, handlers().tasks);
    expect(outcome.mapRuns[0].children.flatMap((c) => c.input.Items)).toEqual(list.slice(0, 30));
  });

  test('GIVEN ItemSelector WHEN run THEN each item is selected with $ the state input and $$.Map.Item.Index/Value before batching', async () => {
    const requestsKey = await putRequests(requests(5));
    const selector = { 'index.$': '$$.Map.Item.Index', 'id.$': '$$.Map.Item.Value.id', 'tick.$': '$.tick' };
    const outcome = await run(parent({ ItemSelector: selector, ItemBatcher: { MaxItemsPerBatch: 2 } }, { StartAt: 'Keep', States: { Keep: { Type: 'Pass', End: true } } }), { requestsKey, tick: 't-sel' }, {});
    expect(outcome.mapRuns[0].children.map((c) => c.input.Items)).toEqual([
      [{ index: 0, id: 'r-0', tick: 't-sel' }, { index: 1, id: 'r-1', tick: 't-sel' }],
      [{ index: 2, id: 'r-2', tick: 't-sel' }, { index: 3, id: 'r-3', tick: 't-sel' }],
      [{ index: 4, id: 'r-4', tick: 't-sel' }],
    ]);
  });
});

describe('D3 child context, D5 without ResultWriter, D6 errors', () => {
  test('GIVEN a child that reads $$.Execution WHEN run THEN it sees its own name and ARN, and without ResultWriter the result is the outputs in item order', async () => {
    const requestsKey = await putRequests(requests(3));
    const child = { StartAt: 'Who', States: { Who: { Type: 'Pass', Parameters: { 'name.$': '$$.Execution.Name', 'id.$': '$$.Execution.Id', 'first.$': '$.Items[0].id' }, End: true } } };
    // without ResultWriter the result holds no MapRunArn for describeMapRun: the Map ends the run
    const definition: any = parent({ ResultWriter: undefined, ItemBatcher: { MaxItemsPerBatch: 1 }, Next: undefined, End: true }, child);
    delete definition.States.Count;
    const outcome = await run(definition, { requestsKey, tick: 't' }, {});
    expect(outcome.error).toBeUndefined();
    const children = outcome.mapRuns[0].children;
    expect(outcome.output.map).toEqual(children.map((c) => ({ name: c.name, id: c.executionArn, first: c.input.Items[0].id })));
    expect(outcome.output.map.map((o: any) => o.first)).toEqual(['r-0', 'r-1', 'r-2']);
    // no ResultWriter: nothing was written
    expect(outcome.mapRuns[0].resultWriter).toBeUndefined();
  });

  test('GIVEN describeMapRun on an ARN the ledger does not know WHEN called THEN it fails with Sfn.ResourceNotFoundException', async () => {
    await expect(new MapRunLedger().describeMapRun({ MapRunArn: 'arn:aws:states:us-east-1:123456789012:mapRun:x/y:z' })).rejects.toMatchObject({ name: 'Sfn.ResourceNotFoundException' });
  });
});

describe('a definition is run as written, every time', () => {
  test('GIVEN one definition object WHEN it is run twice THEN both runs play the Map Run and the definition is as it was', async () => {
    // GIVEN a definition with an explicit QueryLanguage: JSONPath (the default) on the Map, as CDK writes when a state sets it
    const requestsKey = await putRequests(requests(30));
    const definition = parent();
    const explicit = parent({ QueryLanguage: 'JSONPath' });
    const before = structuredClone(definition);

    // WHEN
    const first = await run(definition, { requestsKey, tick: 't-twice-1' }, handlers().tasks);
    const second = await run(definition, { requestsKey, tick: 't-twice-2' }, handlers().tasks);
    const third = await run(explicit, { requestsKey, tick: 't-twice-3' }, handlers().tasks);

    // THEN (aws-local-stepfunctions' validator adds QueryLanguage to every
    // state of a definition it is given; the run must not hand it ours)
    expect([first.error, second.error, third.error]).toEqual([undefined, undefined, undefined]);
    expect([first, second, third].map((o) => o.output.counts.Items.Succeeded)).toEqual([30, 30, 30]);
    expect(definition).toEqual(before);
  });
});

describe('what the emulation does not cover is refused before the run', () => {
  test.each([
    ['a CSV ItemReader', (d: any) => { d.States['Fan out'].ItemReader.ReaderConfig = { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' }; }, /ItemReader InputType CSV is not emulated/],
    ['JSONL results', (d: any) => { d.States['Fan out'].ResultWriter.WriterConfig = { OutputType: 'JSONL' }; }, /ResultWriter OutputType JSONL is not emulated/],
    ['a Distributed Map inside a child', (d: any) => { d.States['Fan out'].ItemProcessor.States['Each request'].ItemProcessor.ProcessorConfig = { Mode: 'DISTRIBUTED' }; }, /'Each request': a Distributed Map inside the Map state 'Fan out'/],
  ])('GIVEN %s WHEN run THEN the run is refused, naming it', async (_, change, message) => {
    const d = parent();
    change(d);
    await expect(run(d, {}, handlers().tasks)).rejects.toThrow(message);
  });

  test('GIVEN a handler for the Distributed Map state WHEN run THEN the run is refused (the harness plays that state)', async () => {
    await expect(run(parent(), {}, { ...handlers().tasks, 'Fan out': async () => ({}) })).rejects.toThrow(/'Fan out' is a Distributed Map state/);
  });

  test('GIVEN no S3 peer WHEN a Distributed Map reads S3 THEN the run is refused', async () => {
    await expect(runDefinition(parent(), {}, { tasks: handlers().tasks })).rejects.toThrow(/pass RunOptions.s3/);
  });
});
