/**
 * The record of each emulated Map Run (support/distributed-map.ts), what
 * its ResultWriter writes (D5), and `arn:aws:states:::aws-sdk:sfn:describeMapRun`
 * answered from the records (D6).
 *
 * D5 result files (Step Functions developer guide, "ResultWriter (Map)",
 *    https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html):
 *    Step Functions "exports executions with the same status to their
 *    respective files": `SUCCEEDED_<n>.json`, `FAILED_<n>.json` and
 *    `PENDING_<n>.json` under `<Prefix>/<map run id>/`, and a
 *    `manifest.json` `{DestinationBucket, MapRunArn, ResultFiles: {FAILED,
 *    PENDING, SUCCEEDED: [{Key, Size}]}}`. With `Transformation: NONE` (the
 *    default when exporting to S3) a file is a JSON array of records
 *    `{ExecutionArn, Input, InputDetails: {Included}, Name, Output,
 *    OutputDetails: {Included}, StartDate, StateMachineArn, Status, StopDate}`,
 *    Input and Output as JSON text, as DescribeExecution gives them
 *    (API reference, DescribeExecution, https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html);
 *    a failed child has Error and Cause instead of Output. COMPACT writes
 *    the children's outputs, FLATTEN flattens outputs that are arrays;
 *    "If a child workflow execution fails, Step Functions returns its
 *    execution result unchanged" (as NONE). Only `OutputType: JSON` is
 *    emulated (how a JSONL file is named was not found).
 *    What the page does not say and the harness assumes: one file per
 *    status (AWS may split a large one), files only for statuses that
 *    have executions, a PENDING record `{Input, InputDetails, Status}`,
 *    and dates as ISO 8601 text.
 * D6 DescribeMapRun (API reference, https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeMapRun.html,
 *    MapRunItemCounts and MapRunExecutionCounts): the answer has
 *    mapRunArn, executionArn, status, startDate, stopDate, maxConcurrency,
 *    toleratedFailurePercentage, toleratedFailureCount, itemCounts and
 *    executionCounts (pending, running, succeeded, failed, timedOut,
 *    aborted, total, resultsWritten, failuresNotRedrivable, pendingRedrive)
 *    and redriveCount. Through the aws-sdk integration the names are
 *    PascalCase ("Parameters in Step Functions are expressed in
 *    PascalCase, even if the native service API is in camelCase",
 *    https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html;
 *    the result is assumed to follow the same convention), dates ISO 8601
 *    text. An unknown ARN fails the task with `Sfn.ResourceNotFoundException`
 *    (the integration names errors `<Service>.<Exception>`, same page).
 *    Redrive is not emulated: RedriveCount, FailuresNotRedrivable and
 *    PendingRedrive are 0. MaxConcurrency is reported as declared (0 for
 *    "unbounded").
 */

/** One child workflow execution of a Map Run: one batch (or one item when there is no ItemBatcher). */
export interface ChildExecutionRecord {
  /** 0-based, in item order. */
  readonly index: number;
  readonly name: string;
  readonly executionArn: string;
  /** The child's input: an item, or `{BatchInput?, Items}`. */
  readonly input: any;
  /** Items in this child. */
  readonly itemCount: number;
  status: 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  output?: any;
  error?: string;
  cause?: string;
  startDate?: string;
  stopDate?: string;
  /** aws-local-stepfunctions' event log of the child, when the run asked for it (RunOptions.childEvents). */
  events?: any[];
}

/** Everything the harness knows of one Map Run. */
export interface MapRunRecord {
  readonly mapRunArn: string;
  /** The last part of the ARN, also the folder of its results under the ResultWriter prefix. */
  readonly mapRunId: string;
  /** The Distributed Map state. */
  readonly stateName: string;
  /** The parent execution. */
  readonly executionArn: string;
  /** The children's state machine ARN, `<parent>/<Label or UUID>`. */
  readonly childStateMachineArn: string;
  readonly executionType: 'EXPRESS' | 'STANDARD';
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  readonly startDate: string;
  stopDate?: string;
  maxConcurrency: number;
  /** The thresholds as given (undefined when the definition sets none). */
  toleratedFailurePercentage?: number;
  toleratedFailureCount?: number;
  /** Items read (after ReaderConfig.MaxItems). */
  itemCount: number;
  readonly children: ChildExecutionRecord[];
  /** Most children that ran at the same time. */
  maxChildrenInFlight: number;
  /** Where the results went, when there is a ResultWriter with Resource. */
  resultWriter?: { readonly bucket: string; readonly prefix: string; readonly manifestKey: string; readonly keys: string[] };
  /** Why the Map Run failed. */
  error?: string;
  cause?: string;
}

type Status = 'SUCCEEDED' | 'FAILED' | 'PENDING';

/** ResultWriter.WriterConfig (defaults for an export to S3: NONE, JSON). */
export interface WriterConfig {
  readonly Transformation?: 'NONE' | 'COMPACT' | 'FLATTEN';
  readonly OutputType?: 'JSON' | 'JSONL';
}

/** D5: a child as a results record (Transformation NONE). */
export function resultRecord(run: MapRunRecord, child: ChildExecutionRecord): Record<string, unknown> {
  const input = JSON.stringify(child.input);
  if (child.status === 'PENDING' || child.status === 'RUNNING') {
    return { Input: input, InputDetails: { Included: true }, Status: 'PENDING' };
  }
  const common = {
    ExecutionArn: child.executionArn,
    Input: input,
    InputDetails: { Included: true },
    Name: child.name,
  };
  const dates = { StartDate: child.startDate, StateMachineArn: run.childStateMachineArn, Status: child.status, StopDate: child.stopDate };
  return child.status === 'SUCCEEDED'
    ? { ...common, Output: JSON.stringify(child.output), OutputDetails: { Included: true }, ...dates }
    : { Cause: child.cause, Error: child.error, ...common, ...dates };
}

/** The children's results as the state output or a file holds them, by Transformation. */
export function transformed(run: MapRunRecord, children: ChildExecutionRecord[], transformation: WriterConfig['Transformation']): any[] {
  if (transformation === 'NONE') {
    return children.map((c) => resultRecord(run, c));
  }
  // a failed child's result stays as NONE has it
  const outputs = children.map((c) => (c.status === 'SUCCEEDED' ? c.output : resultRecord(run, c)));
  return transformation === 'FLATTEN' ? outputs.flatMap((o) => (Array.isArray(o) ? o : [o])) : outputs;
}

/** D5: the result files of a finished Map Run, by key, manifest last. */
export function resultFiles(run: MapRunRecord, bucket: string, prefix: string, config: WriterConfig = {}): Array<{ key: string; body: string }> {
  const dir = `${prefix.replace(/\/$/, '')}${prefix ? '/' : ''}${run.mapRunId}/`;
  const files: Array<{ key: string; body: string }> = [];
  const listed: Record<Status, Array<{ Key: string; Size: number }>> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
  for (const status of ['SUCCEEDED', 'FAILED', 'PENDING'] as const) {
    const children = run.children.filter((c) => (status === 'PENDING' ? c.status === 'PENDING' || c.status === 'RUNNING' : c.status === status));
    if (children.length === 0) continue;
    const records = status === 'SUCCEEDED' ? transformed(run, children, config.Transformation ?? 'NONE') : children.map((c) => resultRecord(run, c));
    const body = JSON.stringify(records);
    const key = `${dir}${status}_0.json`;
    files.push({ key, body });
    listed[status].push({ Key: key, Size: Buffer.byteLength(body, 'utf8') });
  }
  files.push({ key: `${dir}manifest.json`, body: JSON.stringify({ DestinationBucket: bucket, MapRunArn: run.mapRunArn, ResultFiles: listed }) });
  return files;
}

interface Counts {
  Pending: number;
  Running: number;
  Succeeded: number;
  Failed: number;
  TimedOut: number;
  Aborted: number;
  Total: number;
  ResultsWritten: number;
  FailuresNotRedrivable: number;
  PendingRedrive: number;
}

/** D6: ItemCounts (weight = items of each child) or ExecutionCounts (weight 1). */
function counts(run: MapRunRecord, weight: (c: ChildExecutionRecord) => number): Counts {
  const sum = (status: ChildExecutionRecord['status']) => run.children.filter((c) => c.status === status).reduce((n, c) => n + weight(c), 0);
  const written = run.resultWriter ? sum('SUCCEEDED') + sum('FAILED') : 0;
  const total = run.children.reduce((n, c) => n + weight(c), 0);
  return {
    Pending: sum('PENDING'),
    Running: sum('RUNNING'),
    Succeeded: sum('SUCCEEDED'),
    Failed: sum('FAILED'),
    TimedOut: 0,
    Aborted: 0,
    Total: total,
    ResultsWritten: written,
    FailuresNotRedrivable: 0,
    PendingRedrive: 0,
  };
}

/** The Map Runs of one or more executions; answers describeMapRun from them. */
export class MapRunLedger {
  public readonly runs: MapRunRecord[] = [];

  /** The record of a Map Run by its ARN. */
  public find(mapRunArn: string): MapRunRecord | undefined {
    return this.runs.find((r) => r.mapRunArn === mapRunArn);
  }

  /** D6: the DescribeMapRun answer of a run, as the aws-sdk integration returns it (PascalCase). */
  public describe(mapRunArn: string): Record<string, unknown> {
    const run = this.find(mapRunArn);
    if (!run) {
      throw Object.assign(new Error(`Resource not found: '${mapRunArn}'`), { name: 'Sfn.ResourceNotFoundException' });
    }
    return {
      ExecutionArn: run.executionArn,
      ExecutionCounts: counts(run, () => 1),
      ItemCounts: counts(run, (c) => c.itemCount),
      MapRunArn: run.mapRunArn,
      MaxConcurrency: run.maxConcurrency,
      RedriveCount: 0,
      StartDate: run.startDate,
      Status: run.status,
      ...(run.stopDate ? { StopDate: run.stopDate } : {}),
      ToleratedFailureCount: run.toleratedFailureCount ?? 0,
      ToleratedFailurePercentage: run.toleratedFailurePercentage ?? 0,
    };
  }

  /** Task handler for `arn:aws:states:::aws-sdk:sfn:describeMapRun` (input `{MapRunArn}`). */
  public readonly describeMapRun = async (input: any): Promise<any> => {
    if (typeof input?.MapRunArn !== 'string') {
      throw Object.assign(new Error('describeMapRun needs MapRunArn'), { name: 'Sfn.ValidationException' });
    }
    return this.describe(input.MapRunArn);
  };
}
