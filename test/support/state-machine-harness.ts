/**
 * Runs a synthesized state machine definition in aws-local-stepfunctions,
 * with `arn:aws:states:::apigateway:invoke` served by a handler that does
 * what Step Functions does for `AuthType: IAM_ROLE`: it signs the request
 * with SigV4 as the state machine's role and sends it to the API (here the
 * template-driven emulator on 127.0.0.1), and fails the task with
 * `ApiGateway.<status>` on a non-2XX answer.
 *
 * Step Functions behaviour the handler follows (Step Functions developer
 * guide, "Call API Gateway with Step Functions"):
 * - header and query values are arrays; Authorization, Host, X-Amz* and
 *   X-Forwarded* headers may not be set;
 * - a JSON RequestBody is sent as JSON, a string as it is;
 * - the result is { StatusCode, StatusText, Headers, ResponseBody }, with
 *   a JSON body parsed.
 *
 * aws-local-stepfunctions gives no `$$.State.EnteredTime`; the run context
 * supplies it as a getter that reads the clock when a state reads it.
 *
 * Rules of Step Functions the harness adds to aws-local-stepfunctions:
 *
 * H1 (before a run) `validateDefinition(definition)` rejects what
 *    CreateStateMachine rejects, naming the state: a state name longer
 *    than 80 characters (Step Functions API reference, the state `name` of
 *    StateEnteredEventDetails: "Length Constraints: Minimum length of 1.
 *    Maximum length of 80.",
 *    https://docs.aws.amazon.com/step-functions/latest/apireference/API_StateEnteredEventDetails.html;
 *    CreateStateMachine then answers "INVALID_STATE_NAME ... exceeds the
 *    80-character limit allowed by the service", as reported in
 *    https://github.com/aws-cloudformation/cfn-lint/issues/4079). The local
 *    validator (asl-validator) refuses such a name only as "/States is
 *    invalid", without saying which. It is the hook for more definition
 *    rules (intrinsic-function nesting is to come).
 * H2 a JSONPath in Parameters, ResultSelector or ItemSelector that selects
 *    nothing fails the whole execution with States.Runtime, which no Retry
 *    and no Catch takes, States.ALL included (Step Functions developer
 *    guide, "Handling errors in Step Functions workflows",
 *    https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
 *    aws-local-stepfunctions 3.0.0 already does this for its own path
 *    errors (its DefinedValueConstraint raises a StatesRuntimeError, neither
 *    retryable nor catchable); a States.Runtime raised by a Task handler of
 *    the harness (e.g. a forbidden header) is marked the same way.
 * H3 the payload quota (States.DataLimitExceeded), below.
 * H4 a Fail state's ErrorPath and CausePath may be intrinsic functions
 *    (support/fail-states.ts).
 * D1-D6 Distributed Map: each top-level Map with
 *    `ProcessorConfig.Mode: DISTRIBUTED` is played as a Map Run (ItemReader
 *    from the S3 peer, ItemBatcher, child executions, tolerated failures,
 *    ResultWriter, describeMapRun), rules in support/distributed-map.ts and
 *    support/map-runs.ts. RunOptions.s3 is the S3 peer; the result's
 *    `mapRuns` holds each Map Run's record (children, inputs, outputs);
 *    a Task on `aws-sdk:sfn:describeMapRun` without a handler of its own
 *    is answered from RunOptions.mapRuns.
 *     const run = await runDefinition(def, input, { tasks, s3: peers.s3 });
 *     run.mapRuns[0].children.map((c) => c.output)
 *
 * Two capabilities for at-least-once tests (RunOptions):
 *
 * - `replay`: Asynchronous Express workflows run at least once (developer
 *   guide, "Execution guarantees", Standard vs Express,
 *   https://docs.aws.amazon.com/step-functions/latest/dg/express-at-least-once-execution.html);
 *   `replay: true` (or 'sequential') runs the same execution again after
 *   the first ends, 'concurrent' runs both at once; both runs get the same
 *   input, `$$.Execution.Name` and `$$.Execution.Id`. The result's
 *   `replay` holds the second run.
 *     runDefinition(def, input, { tasks, executionName: 'tick-1', replay: true })
 * - `commitThenTimeout`: a named Task state's real call is made, then the
 *   attempt fails with States.Timeout so that its Retry fires
 *   (support/execution-faults.ts). The result's `faults` lists each
 *   injected failure.
 *     runDefinition(def, input, { tasks, commitThenTimeout: { state: 'Archive: compare and set hash', attempts: [1] } })
 */
import * as http from 'http';
import { S3Client } from '@aws-sdk/client-s3';
import { ApiGatewayEmulator, send, signRequest } from './api-gateway-emulator';
import { DESCRIBE_MAP_RUN_RESOURCE, DistributedMapPlan, mapRunHandler, planDistributedMaps } from './distributed-map';
import { checkFaultStates, CommitThenTimeout, commitThenTimeout, InjectedFault, statesRuntimeIsTerminal } from './execution-faults';
import { jsonCopy, withIntrinsicFailPaths } from './fail-states';
import { MapRunLedger, MapRunRecord } from './map-runs';
import { withShortStackTraces } from './short-stack-traces';
import { isInvokeForbiddenHeader } from '../../src/scheduled-invoker/request-plan';
import { MAX_INTRINSICS_PER_FIELD } from '../aws-rules/intrinsic-nesting';
import { countCalls, parseIntrinsic } from '../aws-rules/intrinsic-parser';
import { intrinsicFieldsOf, stateLocation, statesOf } from '../aws-rules/state-machines';
import { MAX_NAME_LENGTH } from '../aws-rules/state-name-length';

// the package is ESM with a CommonJS build; the tests are CommonJS
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { StateMachine } = require('aws-local-stepfunctions') as typeof import('aws-local-stepfunctions', { with: { 'resolution-mode': 'import' } });

export const EMULATED_API_ID = 'a1b2c3d4e5';

/** Replaces Refs, Fn::GetAtt (as `Id.Attribute` in refs) and Fn::Join in a template value with literals. */
export function resolveValue(value: any, refs: Record<string, string>): any {
  if (Array.isArray(value)) {
    return value.map((v) => resolveValue(v, refs));
  }
  if (value && typeof value === 'object') {
    if ('Ref' in value) {
      const r = refs[value.Ref];
      if (r === undefined) {
        throw new Error(`no value for Ref ${value.Ref}`);
      }
      return r;
    }
    if ('Fn::GetAtt' in value) {
      const [id, attribute] = value['Fn::GetAtt'];
      // one the caller has no value for stays as it is
      return refs[`${id}.${attribute}`] ?? value;
    }
    if ('Fn::Join' in value) {
      const [sep, parts] = value['Fn::Join'];
      return resolveValue(parts, refs).join(sep);
    }
    if ('Fn::Sub' in value) {
      // `${Name}` and `${Id.Attribute}` from the refs (or the variables of the
      // [text, variables] form); `${!Literal}` stays `${Literal}`
      const [text, variables] = typeof value['Fn::Sub'] === 'string' ? [value['Fn::Sub'], {}] : value['Fn::Sub'];
      const vars = resolveValue(variables, refs);
      return text.replace(/\$\{(!?)([^}]+)\}/g, (_: string, bang: string, name: string) => {
        if (bang) return `\${${name}}`;
        const r = vars[name] ?? refs[name];
        if (r === undefined) {
          throw new Error(`no value for \${${name}} in Fn::Sub`);
        }
        return r;
      });
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveValue(v, refs)]));
  }
  return value;
}

/** The literal values Refs take in the tests: the emulated API id and the stage name. */
export function templateRefs(template: any, region: string): Record<string, string> {
  const refs: Record<string, string> = { 'AWS::URLSuffix': 'amazonaws.com', 'AWS::Partition': 'aws', 'AWS::Region': region };
  for (const [id, r] of Object.entries<any>(template.Resources)) {
    if (r.Type === 'AWS::ApiGateway::RestApi') {
      refs[id] = EMULATED_API_ID;
    } else if (r.Type === 'AWS::ApiGateway::Stage') {
      refs[id] = r.Properties.StageName;
    }
  }
  return refs;
}

/** The state machine's definition, with its Refs resolved. */
export function definitionOf(template: any, region: string, logicalId?: string, extraRefs: Record<string, string> = {}): any {
  const machines = Object.entries<any>(template.Resources).filter(([id, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && (!logicalId || id === logicalId));
  if (machines.length !== 1) {
    throw new Error(`expected one state machine, found ${machines.length}`);
  }
  return JSON.parse(resolveValue(machines[0][1].Properties.DefinitionString, { ...templateRefs(template, region), ...extraRefs }));
}

/** Every statement of the policies (inline or managed) attached to a role. */
export function statementsOf(template: any, roleLogicalId: string): any[] {
  return Object.values<any>(template.Resources)
    .filter((r) => ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].includes(r.Type) && (r.Properties.Roles ?? []).some((x: any) => x.Ref === roleLogicalId))
    .flatMap((r) => r.Properties.PolicyDocument.Statement);
}

/** The execute-api ARNs a role's policies allow, resolved. */
export function invokeArnsOf(template: any, region: string, roleLogicalId: string): string[] {
  const refs = templateRefs(template, region);
  return statementsOf(template, roleLogicalId)
    .filter((s: any) => [s.Action].flat().includes('execute-api:Invoke'))
    .flatMap((s: any) => [resolveValue(s.Resource, refs)].flat());
}

/** One call the handler made. */
export interface InvokeCall {
  readonly input: any;
  readonly status?: number;
}

/** Serves `apigateway:invoke` tasks through the emulated API. */
export class ApiGatewayInvoker {
  public readonly calls: InvokeCall[] = [];

  /**
   * Leave ResponseBody out of the result when the answer has no body (a 204,
   * or an answer to HEAD). The guide lists ResponseBody in the output
   * without saying whether an empty body is absent or an empty string, so
   * the tests play both.
   */
  public omitEmptyResponseBody = false;

  constructor(
    private readonly emulator: ApiGatewayEmulator,
    private readonly principal: { accessKeyId: string; secretAccessKey: string },
    private readonly region: string,
  ) {}

  public readonly handle = async (input: any): Promise<any> => {
    const call: { input: any; status?: number } = { input };
    this.calls.push(call);
    if (input.AuthType !== 'IAM_ROLE') {
      throw Object.assign(new Error(`AuthType ${input.AuthType}`), { name: 'States.Runtime' });
    }
    const expectedEndpoint = `${EMULATED_API_ID}.execute-api.${this.region}.amazonaws.com`;
    if (input.ApiEndpoint !== expectedEndpoint) {
      throw Object.assign(new Error(`unknown ApiEndpoint ${input.ApiEndpoint}`), { name: 'States.TaskFailed' });
    }
    const headers: Record<string, string> = {};
    for (const [name, values] of Object.entries<any>(input.Headers ?? {})) {
      const n = name.toLowerCase();
      if (isInvokeForbiddenHeader(n)) {
        throw Object.assign(new Error(`header ${name} may not be set`), { name: 'States.Runtime' });
      }
      if (!Array.isArray(values)) {
        throw Object.assign(new Error(`header ${name} must be an array`), { name: 'States.Runtime' });
      }
      headers[name] = values.join(',');
    }
    const query: Record<string, string> = {};
    for (const [name, values] of Object.entries<any>(input.QueryParameters ?? {})) {
      if (!Array.isArray(values)) {
        throw Object.assign(new Error(`query parameter ${name} must be an array`), { name: 'States.Runtime' });
      }
      query[name] = values.join(',');
    }
    const body = input.RequestBody === undefined ? undefined
      : typeof input.RequestBody === 'string' ? input.RequestBody : JSON.stringify(input.RequestBody);
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['Content-Type'] = 'application/json';
    }
    const base = new URL(this.emulator.url);
    const path = `/${input.Stage}${input.Path}`;
    const signed = await signRequest(this.principal, this.region, {
      method: input.Method,
      hostname: base.hostname,
      port: Number(base.port),
      path,
      query,
      headers: { host: base.host, ...headers },
      body,
    });
    const qs = new URLSearchParams(query).toString();
    // Step Functions waits as long as the task's TimeoutSeconds; the run enforces that
    const answer = await send(new URL(`http://${base.host}${path}${qs ? `?${qs}` : ''}`), input.Method, signed.headers as Record<string, string>, body, 300_000);
    call.status = answer.status;
    // Step Functions hands on each header as API Gateway named it, its values in a list
    const responseHeaders: Record<string, string[]> = {};
    for (let i = 0; i < answer.rawHeaders.length; i += 2) {
      (responseHeaders[answer.rawHeaders[i]] ??= []).push(answer.rawHeaders[i + 1]);
    }
    // a JSON body is parsed; one that does not parse is handed on as text
    // (an assumption: the guide does not say, and without an AWS account
    // it was not observed)
    const json = (answer.headers['content-type'] ?? '').includes('json');
    let responseBody: unknown = answer.body;
    if (json && answer.body) {
      try {
        responseBody = JSON.parse(answer.body);
      } catch {
        responseBody = answer.body;
      }
    }
    const result = {
      StatusCode: answer.status,
      StatusText: http.STATUS_CODES[answer.status] ?? '',
      Headers: responseHeaders,
      ...(this.omitEmptyResponseBody && !answer.body ? {} : { ResponseBody: responseBody }),
    };
    if (answer.status < 200 || answer.status > 299) {
      throw Object.assign(new Error(JSON.stringify(result)), { name: `ApiGateway.${answer.status}` });
    }
    return result;
  };
}

/** What a run can add to an execution: a replay, and faults (see the top of this file). */
export interface ExecutionFaults {
  /** Run the execution a second time, with the same name, id and input: after the first (true, 'sequential') or beside it ('concurrent'). */
  readonly replay?: boolean | 'sequential' | 'concurrent';
  /** Task attempts to fail with States.Timeout after their call committed. */
  readonly commitThenTimeout?: CommitThenTimeout | readonly CommitThenTimeout[];
}

export interface RunOptions extends ExecutionFaults {
  /** Handlers of Task states, by state name. */
  readonly tasks: Record<string, (input: any) => Promise<any>>;
  /** Wait between retries, in milliseconds, by state name (the template's waits by default). */
  readonly retryIntervalMs?: Record<string, number>;
  /** The execution's name. */
  readonly executionName?: string;
  /**
   * The execution's ARN (`$$.Execution.Id`). Express executions may share a
   * name, never an ARN.
   *
   * @default - a Standard execution ARN made from the name
   */
  readonly executionId?: string;
  /**
   * The state machine's ARN: the default execution ARN and the Map Run
   * ARNs are made from it.
   *
   * @default arn:aws:states:us-east-1:123456789012:stateMachine:test
   */
  readonly stateMachineArn?: string;
  /** The S3 peer (LocalAwsPeers.s3) a Distributed Map's ItemReader and ResultWriter use. */
  readonly s3?: S3Client;
  /**
   * Where Map Runs are recorded; `aws-sdk:sfn:describeMapRun` Tasks without
   * a handler of their own answer from it.
   *
   * @default - a new ledger for this call
   */
  readonly mapRuns?: MapRunLedger;
  /** Keep each Map Run child's event log in its record (memory grows with the items). */
  readonly childEvents?: boolean;
}

/** How one run of an execution ended. */
export interface RunResult {
  readonly output?: any;
  /** The ExecutionError; its `cause` is the state's error (`cause.name` e.g. 'States.Runtime'). */
  readonly error?: any;
  /** aws-local-stepfunctions' event log. */
  readonly events: any[];
  /** The attempts commitThenTimeout failed in this run. */
  readonly faults: InjectedFault[];
  /** The Map Runs of this run's Distributed Map states, in start order. */
  readonly mapRuns: MapRunRecord[];
}

/** The first run, and the replay when one was asked for. */
export interface RunOutcome extends RunResult {
  readonly replay?: RunResult;
}

/** Longest state name CreateStateMachine accepts (H1), the limit the static rule checks. */
export const MAX_STATE_NAME_LENGTH = MAX_NAME_LENGTH;

/**
 * H1: throws what CreateStateMachine would reject, naming the state.
 * Walks every state, those of Map (ItemProcessor, Iterator) and Parallel
 * (Branches) included. Add further definition rules here.
 */
export function validateDefinition(definition: any): void {
  const walk = (states: Record<string, any>, where: string) => {
    for (const [name, state] of Object.entries(states ?? {})) {
      // counted in code points, as the local validator's JSON Schema counts
      // them (how the service counts beyond ASCII is not documented)
      const length = [...name].length;
      if (length > MAX_STATE_NAME_LENGTH) {
        throw new Error(`Invalid state machine definition: state '${name}' (${where}) is ${length} characters long; Step Functions allows at most ${MAX_STATE_NAME_LENGTH}`);
      }
      const inner = state.ItemProcessor ?? state.Iterator;
      if (inner) walk(inner.States, `in the Map state '${name}'`);
      (state.Branches ?? []).forEach((b: any, i: number) => walk(b.States, `in branch ${i} of the Parallel state '${name}'`));
    }
  };
  walk(definition.States, 'at the top level');
  // AWS refuses or fails a field with more than 10 intrinsic calls ("You can
  // nest up to 10 intrinsic functions within a field", intrinsic-functions.html);
  // aws-local-stepfunctions runs any number
  for (const visited of statesOf(definition)) {
    for (const { field, expression } of intrinsicFieldsOf(visited.state)) {
      const calls = countCalls(parseIntrinsic(expression));
      if (calls > MAX_INTRINSICS_PER_FIELD) {
        throw new Error(`Invalid state machine definition: ${stateLocation(visited)} ${field} makes ${calls} intrinsic function calls; Step Functions allows at most ${MAX_INTRINSICS_PER_FIELD} in a field`);
      }
    }
  }
}

/**
 * Step Functions' payload quota, which aws-local-stepfunctions does not
 * enforce: "the output of a connector", and "the input of a state after
 * Parameters", larger than 256 KiB raise States.DataLimitExceeded
 * (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html,
 * https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html).
 */
export const PAYLOAD_QUOTA_BYTES = 256 * 1024;

function withPayloadQuota(state: string, handler: (input: any) => Promise<any>) {
  const check = (what: string, value: any) => {
    const bytes = Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');
    if (bytes > PAYLOAD_QUOTA_BYTES) {
      throw Object.assign(new Error(`The ${what} of state '${state}' is ${bytes} bytes, over the ${PAYLOAD_QUOTA_BYTES} bytes service limit.`), { name: 'States.DataLimitExceeded' });
    }
  };
  return async (input: any) => {
    check('input', input);
    const output = await handler(input);
    check('result', output);
    return output;
  };
}

const VALIDATION = { checkArn: false, checkPaths: true };
const DEFAULT_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:test';

/** The Task handlers of a run: the caller's, and describeMapRun from the ledger where the caller has none. */
function taskHandlers(definition: any, tasks: RunOptions['tasks'], ledger: MapRunLedger): RunOptions['tasks'] {
  const out = { ...tasks };
  const walk = (states: Record<string, any>) => {
    for (const [name, state] of Object.entries(states ?? {})) {
      if (state.Type === 'Task' && state.Resource === DESCRIBE_MAP_RUN_RESOURCE) out[name] ??= ledger.describeMapRun;
      const inner = state.ItemProcessor ?? state.Iterator;
      if (inner) walk(inner.States);
      (state.Branches ?? []).forEach((b: any) => walk(b.States));
    }
  };
  walk(definition.States);
  return out;
}

/** Runs a definition to its end (twice with `replay`); returns the output, or the error, and the event log of each run. */
export async function runDefinition(definition: any, input: any, options: RunOptions): Promise<RunOutcome> {
  validateDefinition(definition);
  return withShortStackTraces(() => runValid(definition, input, options));
}

async function runValid(definition: any, input: any, options: RunOptions): Promise<RunOutcome> {
  // the run works on copies: aws-local-stepfunctions' validator adds
  // QueryLanguage to every state of a definition it is given, and a
  // LocalDeployment runs the same definition on every tick
  const written = jsonCopy(definition);
  // H4: Fail states with intrinsic ErrorPath/CausePath; D1-D6: the
  // Distributed Map states become Tasks played by the harness
  const planned = planDistributedMaps(withIntrinsicFailPaths(definition), VALIDATION);
  for (const { stateName, state } of planned.maps) {
    if (stateName in options.tasks) {
      throw new Error(`'${stateName}' is a Distributed Map state; the harness plays it, it takes no Task handler`);
    }
    if (!options.s3 && (state.ItemReader || state.ResultWriter?.Resource)) {
      throw new Error(`Distributed Map '${stateName}' reads or writes S3: pass RunOptions.s3 (LocalAwsPeers.s3)`);
    }
  }
  const mapRuns = options.mapRuns ?? new MapRunLedger();
  const tasks = taskHandlers(definition, options.tasks, mapRuns);
  const faults = [options.commitThenTimeout ?? []].flat() as CommitThenTimeout[];
  checkFaultStates(faults, Object.keys(tasks));
  if (planned.maps.length) {
    // the definition as written must pass the validator too
    new StateMachine(written, { validationOptions: VALIDATION });
  }
  const machine = new StateMachine(planned.definition, { validationOptions: VALIDATION });
  const run = { ...options, tasks, mapRuns, stateMachineArn: options.stateMachineArn ?? DEFAULT_STATE_MACHINE_ARN };
  const once = (n: number) => runOnce(machine, planned.maps, input, run, faults, n);
  if (!options.replay) {
    return once(1);
  }
  if (options.replay === 'concurrent') {
    const [first, replay] = await Promise.all([once(1), once(2)]);
    return { ...first, replay };
  }
  const first = await once(1);
  return { ...first, replay: await once(2) };
}

type Machine = InstanceType<typeof StateMachine>;
type Handlers = Record<string, (input: any) => Promise<any>>;

/** Runs one execution of a machine as the named execution; its output or error, and its event log. */
async function execute(machine: Machine, input: any, handlers: Handlers, retryIntervalMs: RunOptions['retryIntervalMs'], ids: { name: string; id: string }) {
  const execution = machine.run(input, {
    overrides: {
      taskResourceLocalHandlers: handlers,
      retryIntervalOverrides: retryIntervalMs,
    },
    context: {
      Execution: { Name: ids.name, Id: ids.id },
      State: { get EnteredTime() { return new Date().toISOString(); } },
    },
  });
  const events: any[] = [];
  const collect = (async () => {
    for await (const e of execution.eventLogs) {
      events.push(e);
    }
  })();
  let output: any;
  let error: any;
  try {
    output = await execution.result;
  } catch (e) {
    error = e;
  }
  await collect;
  return { output, error, events };
}

async function runOnce(
  machine: Machine, maps: DistributedMapPlan[], input: any, options: RunOptions & { tasks: Handlers; mapRuns: MapRunLedger; stateMachineArn: string },
  faults: CommitThenTimeout[], run: number,
): Promise<RunResult> {
  const injected: InjectedFault[] = [];
  // H2: a States.Runtime a handler raises passes every Retry and Catch
  const handlers: Handlers = Object.fromEntries(Object.entries(options.tasks).map(([name, h]) =>
    [name, statesRuntimeIsTerminal(commitThenTimeout(name, withPayloadQuota(name, h), faults, run, injected))]));
  const started: MapRunRecord[] = [];
  for (const plan of maps) {
    // D3: the children run with this run's handlers, faults and waits
    handlers[plan.stateName] = statesRuntimeIsTerminal(mapRunHandler(plan, {
      s3: options.s3,
      ledger: options.mapRuns,
      started,
      stateMachineArn: options.stateMachineArn,
      quotaBytes: PAYLOAD_QUOTA_BYTES,
      childEvents: options.childEvents,
      runChild: (child, childInput, ids) => execute(child, childInput, handlers, options.retryIntervalMs, ids),
    }));
  }
  const name = options.executionName ?? 'test-execution';
  const [, , , region, account, , machineName] = options.stateMachineArn.split(':');
  // a replay is the same execution: same name, same id
  const id = options.executionId ?? `arn:aws:states:${region}:${account}:execution:${machineName}:${name}`;
  const { output, error, events } = await execute(machine, input, handlers, options.retryIntervalMs, { name, id });
  return { output, error, events, faults: injected, mapRuns: started };
}
