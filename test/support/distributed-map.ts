/**
 * Distributed Map for the harness. aws-local-stepfunctions 3.0.0 validates
 * a Map with `ItemProcessor.ProcessorConfig.Mode: DISTRIBUTED` but runs it
 * as an inline Map, without ItemReader, ItemBatcher or ResultWriter. So
 * before a run `planDistributedMaps` replaces each such state by a Task of
 * the same name, with the same InputPath, ResultSelector, ResultPath,
 * OutputPath, Retry, Catch and transition, whose handler plays the Map Run
 * by the rules below. The Task's Parameters gather, evaluated by the
 * interpreter against the state input and the context, what the rules
 * need (ItemReader Parameters, BatchInput, the `...Path` fields, ResultWriter
 * Parameters), so a path that selects nothing fails with States.Runtime as
 * in any Parameters (harness H2).
 *
 * D1 ItemReader (developer guide, "ItemReader (Map)",
 *    https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html):
 *    `Resource: arn:aws:states:::s3:getObject` with `ReaderConfig.InputType:
 *    JSON` reads the object `Parameters.{Bucket, Key, VersionId}` from the S3
 *    peer; its JSON array is the items. `ReaderConfig.MaxItems`
 *    (or MaxItemsPath) keeps the first N. An object that cannot be read,
 *    is not JSON or is not an array fails the state with
 *    `States.ItemReaderFailed` ("A Map state failed to read all items as
 *    specified by the ItemReader field", Amazon States Language, appendix A,
 *    https://states-language.net/spec.html#appendix-a; developer guide,
 *    concepts-error-handling). Without ItemReader, the items are ItemsPath
 *    of the state input. CSV, JSONL, manifests and listObjectsV2 are not
 *    emulated and are refused before the run.
 *    ItemSelector (or the older Parameters) is applied to each item with
 *    `$` the state input and `$$.Map.Item.{Index, Value}` the item (run by
 *    aws-local-stepfunctions' own inline Map; as in its inline Maps,
 *    `$$.Execution.Input` there reads the Map state's input).
 * D2 ItemBatcher (developer guide, "ItemBatcher (Map)",
 *    https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html):
 *    items are grouped in order, at most MaxItemsPerBatch(Path) items and
 *    MaxInputBytesPerBatch(Path) bytes per batch (at most 256 KiB; the
 *    harness counts the whole child input, `BatchInput` included), and each
 *    child gets `{ "BatchInput": <BatchInput evaluated against the state
 *    input>, "Items": [...] }` ("Step Functions adds the items to an Items
 *    array"). An item bigger than MaxInputBytesPerBatch alone goes in a
 *    batch of its own (what AWS does then was not found). Without
 *    ItemBatcher each item is a child's input.
 * D3 child workflow executions (developer guide, "Using Map state in
 *    Distributed mode", https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html):
 *    each batch runs `ItemProcessor` (StartAt, States) as an execution of
 *    its own, with the run's Task handlers by state name, retry waits and
 *    faults (commitThenTimeout attempts count across parent and children),
 *    the payload quota on its input and output (service-quotas), at most
 *    MaxConcurrency(Path) at once; 0 means no limit (AWS runs up to 10,000
 *    children at once; the harness runs up to UNBOUNDED_CHILD_CONCURRENCY).
 *    A failed child keeps its own Error and Cause. The children's context:
 *    `$$.Execution.Name` a UUID, `$$.Execution.Id` the child's ARN. ARNs
 *    (Map Run ARN as in the ResultWriter page's example
 *    `arn:aws:states:us-east-2:123456789012:mapRun:csvProcess/Map:ad9b5f27-...`;
 *    the children's state machine `<parent>/<Label or UUID>` as in
 *    "Examining Map Run", https://docs.aws.amazon.com/step-functions/latest/dg/concepts-examine-map-run.html):
 *      Map Run   arn:aws:states:<region>:<account>:mapRun:<machine>/<label>:<map run id>
 *      children  arn:aws:states:<region>:<account>:stateMachine:<machine>/<label>
 *      EXPRESS   arn:aws:states:<region>:<account>:express:<machine>/<label>:<name>:<map run id>
 *      STANDARD  arn:aws:states:<region>:<account>:execution:<machine>/<label>:<name>
 *    <label> is the state's Label, else a UUID made from the state name.
 *    The child execution ARN forms are the harness's (no AWS page found
 *    gives them); the Express 5-minute limit is not enforced.
 * D4 tolerated failures (developer guide, "Tolerated failure threshold for
 *    Distributed Map state", https://docs.aws.amazon.com/step-functions/latest/dg/maprun-fail-threshold.html):
 *    failed items / total items, as a percentage, over
 *    ToleratedFailurePercentage(Path), or failed items over
 *    ToleratedFailureCount(Path), fails the Map Run with
 *    `States.ExceedToleratedFailureThreshold`; with both, either; with
 *    neither, one failed item does ("The default percentage value is
 *    zero"). Children already running finish ("Step Functions may
 *    continue to run child workflows ... after the tolerated failure
 *    threshold is exceeded"); children not started stay PENDING.
 * D5 ResultWriter (support/map-runs.ts): the results are written, also
 *    when the Map Run fails, and the state's result is `{MapRunArn,
 *    ResultWriterDetails: {Bucket, Key: <Prefix>/<map run id>/manifest.json}}`
 *    (ResultWriter page). A write that fails gives `States.ResultWriterFailed`.
 *    Without ResultWriter (or with WriterConfig only) the result is the
 *    children's outputs in item order (COMPACT by default), and the
 *    payload quota applies to it.
 * D6 `arn:aws:states:::aws-sdk:sfn:describeMapRun` (support/map-runs.ts).
 *
 * In the event log the Map state shows as a Task. Only top-level
 * Distributed Map states are emulated: one inside a Map, a Parallel
 * branch or a child workflow is refused, as are JSONata fields. A Retry or
 * Catch on States.TaskFailed is dropped from the Task, since a Map state's
 * errors are no Task failures.
 */
import { createHash, randomUUID } from 'crypto';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ChildExecutionRecord, MapRunLedger, MapRunRecord, resultFiles, transformed, WriterConfig } from './map-runs';

// the package is ESM with a CommonJS build; the tests are CommonJS
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { StateMachine } = require('aws-local-stepfunctions') as typeof import('aws-local-stepfunctions', { with: { 'resolution-mode': 'import' } });
type Machine = InstanceType<typeof StateMachine>;

/** The resource of the Task that stands for a Distributed Map state. */
export const DISTRIBUTED_MAP_RESOURCE = 'arn:aws:states:::harness:distributedMap';
export const DESCRIBE_MAP_RUN_RESOURCE = 'arn:aws:states:::aws-sdk:sfn:describeMapRun';
/** How many children run at once when MaxConcurrency is 0 (AWS: up to 10,000). */
export const UNBOUNDED_CHILD_CONCURRENCY = 1000;
/** The longest TimeoutSeconds a local Task can wait: setTimeout's limit, 2^31-1 ms. */
const LONGEST_TIMEOUT_SECONDS = 2_147_483;
const BATCH_BYTES_LIMIT = 256 * 1024;

/** The fields of a JSONPath Distributed Map the emulation reads; any other is refused. */
const MAP_FIELDS = new Set(['Type', 'Comment', 'QueryLanguage', 'InputPath', 'OutputPath', 'ResultPath', 'ResultSelector', 'Next', 'End', 'Retry', 'Catch',
  'ItemProcessor', 'ItemReader', 'ItemBatcher', 'ItemSelector', 'Parameters', 'ItemsPath', 'MaxConcurrency', 'MaxConcurrencyPath',
  'ToleratedFailurePercentage', 'ToleratedFailurePercentagePath', 'ToleratedFailureCount', 'ToleratedFailureCountPath', 'ResultWriter', 'Label']);
/** Fields copied to the Task unchanged. */
const KEPT_FIELDS = ['Comment', 'InputPath', 'OutputPath', 'ResultPath', 'ResultSelector', 'Next', 'End'];

/** One Distributed Map state and its children's state machine. */
export interface DistributedMapPlan {
  readonly stateName: string;
  readonly state: any;
  readonly child: Machine;
}

export function isDistributedMap(state: any): boolean {
  return state?.Type === 'Map' && state.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED';
}

const unsupported = (name: string, what: string) => new Error(`Distributed Map '${name}': ${what} is not emulated by the harness (support/distributed-map.ts)`);

/** Refuses a Distributed Map anywhere below the top level. */
function refuseNested(states: Record<string, any>, where: string): void {
  for (const [name, state] of Object.entries(states ?? {})) {
    if (where && isDistributedMap(state)) {
      throw unsupported(name, `a Distributed Map ${where}`);
    }
    const inner = state.ItemProcessor ?? state.Iterator;
    if (inner) refuseNested(inner.States, `inside the Map state '${name}'`);
    (state.Branches ?? []).forEach((b: any, i: number) => refuseNested(b.States, `in branch ${i} of the Parallel state '${name}'`));
  }
}

/** The Task's Parameters: what the handler needs, evaluated by the interpreter. */
function gathered(name: string, state: any): Record<string, unknown> {
  const p: Record<string, unknown> = { 'StateInput.$': '$', 'Context.$': '$$' };
  const { ItemReader: reader, ItemBatcher: batcher, ResultWriter: writer } = state;
  if (reader) {
    if (reader.Resource !== 'arn:aws:states:::s3:getObject') throw unsupported(name, `ItemReader Resource ${reader.Resource}`);
    if (reader.ReaderConfig?.InputType !== 'JSON') throw unsupported(name, `ItemReader InputType ${reader.ReaderConfig?.InputType}`);
    if (state.ItemsPath !== undefined) throw unsupported(name, 'ItemsPath with an ItemReader');
    p.ReaderParameters = reader.Parameters ?? {};
    if (reader.ReaderConfig.MaxItemsPath) p['MaxItems.$'] = reader.ReaderConfig.MaxItemsPath;
  } else {
    p['Items.$'] = state.ItemsPath ?? '$';
  }
  if (batcher) {
    if (batcher.BatchInput !== undefined) p.BatchInput = batcher.BatchInput;
    if (batcher.MaxItemsPerBatchPath) p['MaxItemsPerBatch.$'] = batcher.MaxItemsPerBatchPath;
    if (batcher.MaxInputBytesPerBatchPath) p['MaxInputBytesPerBatch.$'] = batcher.MaxInputBytesPerBatchPath;
  }
  for (const f of ['MaxConcurrency', 'ToleratedFailurePercentage', 'ToleratedFailureCount']) {
    if (state[`${f}Path`]) p[`${f}.$`] = state[`${f}Path`];
  }
  if (writer?.Resource !== undefined) {
    if (writer.Resource !== 'arn:aws:states:::s3:putObject') throw unsupported(name, `ResultWriter Resource ${writer.Resource}`);
    p.WriterParameters = writer.Parameters ?? {};
  }
  if ((writer?.WriterConfig?.OutputType ?? 'JSON') !== 'JSON') throw unsupported(name, `ResultWriter OutputType ${writer.WriterConfig.OutputType}`);
  return p;
}

/** A Retry or Catch list without States.TaskFailed, which matches no error of a Map state. */
function withoutTaskFailed(list: any[] | undefined): any[] | undefined {
  const kept = list?.map((r) => ({ ...r, ErrorEquals: r.ErrorEquals.filter((e: string) => e !== 'States.TaskFailed') })).filter((r) => r.ErrorEquals.length > 0);
  return kept?.length ? kept : undefined;
}

/** Replaces each top-level Distributed Map by a Task; throws on what is not emulated. */
export function planDistributedMaps(definition: any, validationOptions: Record<string, unknown>): { definition: any; maps: DistributedMapPlan[] } {
  refuseNested(definition.States, '');
  const maps: DistributedMapPlan[] = [];
  const states: Record<string, any> = {};
  for (const [name, state] of Object.entries<any>(definition.States)) {
    if (!isDistributedMap(state)) {
      states[name] = state;
      continue;
    }
    const extra = Object.keys(state).filter((k) => !MAP_FIELDS.has(k));
    if (extra.length || state.QueryLanguage === 'JSONata' || definition.QueryLanguage === 'JSONata') {
      throw unsupported(name, `the field(s) ${extra.join(', ') || 'QueryLanguage: JSONata'}`);
    }
    const { StartAt, States, QueryLanguage } = state.ItemProcessor;
    const child = new StateMachine({ StartAt, States, ...(QueryLanguage ? { QueryLanguage } : {}) } as any, { validationOptions } as any);
    maps.push({ stateName: name, state, child });
    const task: Record<string, unknown> = { Type: 'Task', Resource: DISTRIBUTED_MAP_RESOURCE, TimeoutSeconds: LONGEST_TIMEOUT_SECONDS, Parameters: gathered(name, state) };
    for (const f of KEPT_FIELDS) if (f in state) task[f] = state[f];
    const retry = withoutTaskFailed(state.Retry);
    const caught = withoutTaskFailed(state.Catch);
    if (retry) task.Retry = retry;
    if (caught) task.Catch = caught;
    states[name] = task;
  }
  return { definition: { ...definition, States: states }, maps };
}

/** How one child execution ended. */
export interface ChildRun {
  readonly output?: any;
  /** The ExecutionError; `cause` is the state's error. */
  readonly error?: any;
  readonly events: any[];
}

/** What a Map Run needs from the run it is part of. */
export interface MapRunEnvironment {
  /** The S3 peer (ItemReader, ResultWriter). */
  readonly s3?: S3Client;
  readonly ledger: MapRunLedger;
  /** The Map Runs of this run, in start order. */
  readonly started: MapRunRecord[];
  /** The parent state machine's ARN. */
  readonly stateMachineArn: string;
  readonly quotaBytes: number;
  /** Runs a child machine with the run's handlers, as the named execution. */
  readonly runChild: (machine: Machine, input: any, execution: { name: string; id: string }) => Promise<ChildRun>;
  readonly childEvents?: boolean;
}

const statesError = (name: string, message: string) => Object.assign(new Error(message), { name });
const now = () => new Date().toISOString();
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');

/** A UUID-shaped name made from text, so a state without Label keeps the same ARN segment. */
function uuidOf(text: string): string {
  const h = createHash('sha1').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** A whole number of at least `min`, or States.Runtime naming the field. */
function whole(value: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw statesError('States.Runtime', `${field} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function percentage(value: unknown, field: string): number {
  if (typeof value !== 'number' || value < 0 || value > 100) {
    throw statesError('States.Runtime', `${field} must be from 0 to 100, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** D1: the items of the ItemReader's object. */
async function readItems(reader: any, p: any, s3: S3Client | undefined): Promise<any[]> {
  const { Bucket, Key, VersionId } = p.ReaderParameters;
  const where = `s3://${Bucket}/${Key}`;
  let text: string;
  try {
    const got = await s3!.send(new GetObjectCommand({ Bucket, Key, ...(VersionId ? { VersionId } : {}) }));
    text = await got.Body!.transformToString();
  } catch (e: any) {
    throw statesError('States.ItemReaderFailed', `Reading ${where} failed: ${e.name}: ${e.message}`);
  }
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch {
    throw statesError('States.ItemReaderFailed', `${where} is not JSON`);
  }
  if (!Array.isArray(items)) {
    throw statesError('States.ItemReaderFailed', `${where} holds ${items === null ? 'null' : typeof items}, not a JSON array`);
  }
  const max = reader.ReaderConfig.MaxItems ?? p.MaxItems;
  return max === undefined ? items : items.slice(0, whole(max, 'ReaderConfig.MaxItems', 1));
}

/** ItemSelector on every item, through aws-local-stepfunctions' inline Map ($$.Map.Item as it sets it). */
async function selectItems(selector: any, items: any[], stateInput: any, context: any): Promise<any[]> {
  const machine = new StateMachine({
    StartAt: 'Select',
    States: {
      Select: {
        Type: 'Map',
        ItemsPath: '$$.HarnessItems',
        ItemSelector: selector,
        End: true,
        ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Item', States: { Item: { Type: 'Pass', End: true } } },
      },
    },
  } as any, { validationOptions: { noValidate: true } } as any);
  try {
    return await machine.run(stateInput, { context: { ...context, HarnessItems: items } } as any).result as any[];
  } catch (e: any) {
    throw e.cause ?? e;
  }
}

/** D2: the children's inputs, items grouped in order. */
function batches(items: any[], batcher: any, p: any): Array<{ input: any; itemCount: number }> {
  if (!batcher) {
    return items.map((item) => ({ input: item, itemCount: 1 }));
  }
  const maxItems = batcher.MaxItemsPerBatch ?? p.MaxItemsPerBatch;
  const maxBytes = batcher.MaxInputBytesPerBatch ?? p.MaxInputBytesPerBatch;
  const itemLimit = maxItems === undefined ? Infinity : whole(maxItems, 'ItemBatcher.MaxItemsPerBatch', 1);
  const byteLimit = maxBytes === undefined ? BATCH_BYTES_LIMIT : whole(maxBytes, 'ItemBatcher.MaxInputBytesPerBatch', 1, BATCH_BYTES_LIMIT);
  const head = p.BatchInput === undefined ? {} : { BatchInput: p.BatchInput };
  const empty = bytes({ ...head, Items: [] });
  const out: Array<{ input: any; itemCount: number }> = [];
  let current: any[] = [];
  let size = empty;
  const close = () => {
    if (current.length) out.push({ input: { ...head, Items: current }, itemCount: current.length });
    current = [];
    size = empty;
  };
  for (const item of items) {
    const itemBytes = bytes(item);
    // + 1: the comma before an item that is not the first
    if (current.length && (current.length >= itemLimit || size + 1 + itemBytes > byteLimit)) close();
    size += (current.length ? 1 : 0) + itemBytes;
    current.push(item);
  }
  close();
  return out;
}

/** The Task handler that plays one Distributed Map state's Map Run (D1 to D5). */
export function mapRunHandler(plan: DistributedMapPlan, env: MapRunEnvironment): (p: any) => Promise<any> {
  const { state, stateName } = plan;
  const [, , , region, account, , machineName] = env.stateMachineArn.split(':');
  const label = state.Label ?? uuidOf(`${machineName}/${stateName}`);
  const executionType = state.ItemProcessor.ProcessorConfig.ExecutionType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD';
  const childMachineArn = `arn:aws:states:${region}:${account}:stateMachine:${machineName}/${label}`;

  return async (p) => {
    const mapRunId = randomUUID();
    const run: MapRunRecord = {
      mapRunArn: `arn:aws:states:${region}:${account}:mapRun:${machineName}/${label}:${mapRunId}`,
      mapRunId,
      stateName,
      executionArn: p.Context?.Execution?.Id,
      childStateMachineArn: childMachineArn,
      executionType,
      status: 'RUNNING',
      startDate: now(),
      maxConcurrency: 0,
      itemCount: 0,
      children: [],
      maxChildrenInFlight: 0,
    };
    env.ledger.runs.push(run);
    env.started.push(run);
    const fail = (e: any) => {
      run.status = 'FAILED';
      run.error = e.name;
      run.cause = e.message;
      run.stopDate ??= now();
      return e;
    };
    try {
      if (bytes(p.StateInput) > env.quotaBytes) {
        throw statesError('States.DataLimitExceeded', `The input of state '${stateName}' is ${bytes(p.StateInput)} bytes, over the ${env.quotaBytes} bytes service limit.`);
      }
      run.maxConcurrency = whole(state.MaxConcurrency ?? p.MaxConcurrency ?? 0, 'MaxConcurrency', 0);
      const pct = state.ToleratedFailurePercentage ?? p.ToleratedFailurePercentage;
      const count = state.ToleratedFailureCount ?? p.ToleratedFailureCount;
      run.toleratedFailurePercentage = pct === undefined ? undefined : percentage(pct, 'ToleratedFailurePercentage');
      run.toleratedFailureCount = count === undefined ? undefined : whole(count, 'ToleratedFailureCount', 0);

      let items: any[];
      if (state.ItemReader) {
        items = await readItems(state.ItemReader, p, env.s3);
      } else if (Array.isArray(p.Items)) {
        items = p.Items;
      } else {
        throw statesError('States.Runtime', `ItemsPath of '${stateName}' does not select an array`);
      }
      const selector = state.ItemSelector ?? state.Parameters;
      if (selector !== undefined) items = await selectItems(selector, items, p.StateInput, p.Context);
      run.itemCount = items.length;
      batches(items, state.ItemBatcher, p).forEach(({ input, itemCount }, index) => {
        const name = randomUUID();
        const executionArn = executionType === 'EXPRESS'
          ? `arn:aws:states:${region}:${account}:express:${machineName}/${label}:${name}:${mapRunId}`
          : `arn:aws:states:${region}:${account}:execution:${machineName}/${label}:${name}`;
        run.children.push({ index, name, executionArn, input, itemCount, status: 'PENDING' });
      });

      const exceeded = await runChildren(run, plan, env);
      run.stopDate = now();
      const writer = state.ResultWriter;
      let result: any;
      if (writer?.Resource !== undefined) {
        result = await writeResults(run, p.WriterParameters, writer.WriterConfig, env.s3);
      } else {
        result = transformed(run, run.children, writer?.WriterConfig?.Transformation ?? 'COMPACT');
      }
      if (exceeded) {
        throw statesError('States.ExceedToleratedFailureThreshold', `Map Run ${run.mapRunArn}: ${failedItems(run)} of ${run.itemCount} items failed, over the tolerated failure threshold`);
      }
      if (writer?.Resource === undefined && bytes(result) > env.quotaBytes) {
        throw statesError('States.DataLimitExceeded', `The result of state '${stateName}' is ${bytes(result)} bytes, over the ${env.quotaBytes} bytes service limit.`);
      }
      run.status = 'SUCCEEDED';
      return result;
    } catch (e) {
      throw fail(e);
    }
  };
}

const failedItems = (run: MapRunRecord) => run.children.filter((c) => c.status === 'FAILED').reduce((n, c) => n + c.itemCount, 0);

/** D4: is the Map Run, with this many failed items, over its tolerated failure threshold? */
function overThreshold(run: MapRunRecord, failed: number): boolean {
  const { toleratedFailurePercentage: pct, toleratedFailureCount: count } = run;
  if (pct === undefined && count === undefined) return failed > 0;
  return (pct !== undefined && (failed * 100) / run.itemCount > pct) || (count !== undefined && failed > count);
}

/** D3 and D4: runs the children, at most MaxConcurrency at once; true when the threshold was exceeded. */
async function runChildren(run: MapRunRecord, plan: DistributedMapPlan, env: MapRunEnvironment): Promise<boolean> {
  const limit = run.maxConcurrency === 0 ? UNBOUNDED_CHILD_CONCURRENCY : run.maxConcurrency;
  let next = 0;
  let inFlight = 0;
  let failed = 0;
  let exceeded = false;
  const runOne = async (child: ChildExecutionRecord) => {
    child.status = 'RUNNING';
    child.startDate = now();
    let ended: ChildRun;
    if (bytes(child.input) > env.quotaBytes) {
      ended = { error: { cause: statesError('States.DataLimitExceeded', `The input of the child execution is ${bytes(child.input)} bytes, over the ${env.quotaBytes} bytes service limit.`) }, events: [] };
    } else {
      ended = await env.runChild(plan.child, child.input, { name: child.name, id: child.executionArn });
      if (!ended.error && bytes(ended.output) > env.quotaBytes) {
        ended = { error: { cause: statesError('States.DataLimitExceeded', `The output of the child execution is ${bytes(ended.output)} bytes, over the ${env.quotaBytes} bytes service limit.`) }, events: ended.events };
      }
    }
    child.stopDate = now();
    if (env.childEvents) child.events = ended.events;
    if (ended.error) {
      const cause = ended.error.cause ?? ended.error;
      child.status = 'FAILED';
      child.error = cause.name;
      child.cause = cause.message;
    } else {
      child.status = 'SUCCEEDED';
      child.output = ended.output;
    }
  };
  const worker = async () => {
    while (!exceeded && next < run.children.length) {
      const child = run.children[next++];
      inFlight++;
      run.maxChildrenInFlight = Math.max(run.maxChildrenInFlight, inFlight);
      try {
        await runOne(child);
      } finally {
        inFlight--;
      }
      if (child.status === 'FAILED') {
        failed += child.itemCount;
        exceeded ||= overThreshold(run, failed);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, run.children.length) }, worker));
  return exceeded;
}

/** D5: writes the result files through the S3 peer; the state's result. */
async function writeResults(run: MapRunRecord, params: any, config: WriterConfig | undefined, s3: S3Client | undefined) {
  const bucket = params.Bucket;
  const prefix = params.Prefix ?? '';
  const files = resultFiles(run, bucket, prefix, config);
  const manifestKey = files[files.length - 1].key;
  for (const f of files) {
    try {
      await s3!.send(new PutObjectCommand({ Bucket: bucket, Key: f.key, Body: f.body, ContentType: 'application/json' }));
    } catch (e: any) {
      throw statesError('States.ResultWriterFailed', `Writing s3://${bucket}/${f.key} failed: ${e.name}: ${e.message}`);
    }
  }
  run.resultWriter = { bucket, prefix, manifestKey, keys: files.map((f) => f.key) };
  return { MapRunArn: run.mapRunArn, ResultWriterDetails: { Bucket: bucket, Key: manifestKey } };
}
