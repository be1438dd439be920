/**
 * A synthesized stack "deployed" on 127.0.0.1, read from its template
 * alone: each bucket, table, topic and queue is created in the local peers
 * (LocalAwsPeers: fauxqs and dynalite); the REST API is served by the
 * template-driven emulator; every state machine runs in
 * aws-local-stepfunctions with its Task states served by the peers and by
 * an `apigateway:invoke` handler signing as the state machine's role; and
 * the schedule is played by `tick()`, which does what EventBridge Scheduler
 * does (EventBridge Scheduler user guide):
 *
 * S1 the target input is Target.Input with the context attributes
 *    `<aws.scheduler.scheduled-time>`, `<aws.scheduler.execution-id>`,
 *    `<aws.scheduler.schedule-arn>` and `<aws.scheduler.attempt-number>`
 *    filled in (managing-schedule-context-attributes);
 * S2 the target is started as Target.RoleArn, whose policies must allow
 *    `states:StartExecution` on Target.Arn (setting-up, "Set up the
 *    execution role");
 * S3 a start that fails is tried again up to
 *    RetryPolicy.MaximumRetryAttempts times, and then, when there is a
 *    DeadLetterConfig, sent to that queue with the target input as body and
 *    ERROR_CODE, ERROR_MESSAGE, EXECUTION_ID, RETRY_ATTEMPTS, SCHEDULE_ARN
 *    and TARGET_ARN attributes (configuring-schedule-dlq).
 * S4 Scheduler acts as Target.RoleArn only if the role's TRUST policy lets
 *    `scheduler.amazonaws.com` call sts:AssumeRole with aws:SourceAccount =
 *    the account and aws:SourceArn = the schedule GROUP's ARN,
 *    `arn:aws:scheduler:<region>:<account>:schedule-group/<GroupName, or default>`
 *    (cross-service-confused-deputy-prevention; evaluated by iam-simulate
 *    in support/scheduler-trust.ts). When it does not, no start succeeds
 *    and nothing is dead-lettered either, for Scheduler writes the
 *    dead-letter queue as the same role (configuring-schedule-dlq, "Set up
 *    execution role permissions"): the tick records the failure and
 *    reaches neither the state machine nor the queue. (Whether Scheduler
 *    retries such a start is not documented; it is tried as S3 says.)
 *
 * With `assemblyDirectory`, the cloud assembly's file assets are first
 * put in the S3 peer where `cdk deploy` publishes them (the bootstrap
 * assets bucket `cdk-hnb659fds-assets-<account>-<region>` of the asset
 * manifest, `${AWS::AccountId}`-style placeholders filled in), so a
 * template that reads an asset (e.g. a Distributed Map's ItemReader) finds
 * it. Distributed Map states run as the harness plays them (D1 to D6 of
 * support/distributed-map.ts), with the S3 peer; `mapRuns` records every
 * Map Run and answers `aws-sdk:sfn:describeMapRun`.
 *
 * A schedule's ARN is `arn:aws:scheduler:<region>:<account>:schedule/<group>/<name>`.
 * `tick(time, { replay, commitThenTimeout })` hands the execution the
 * replay and faults of support/state-machine-harness.ts.
 *
 * Step Functions publishes ExecutionsStarted, ExecutionsSucceeded and
 * ExecutionsFailed in AWS/States per StateMachineArn (procedure:
 * cw-metrics, "Execution metrics"); the API's access log runs through the
 * template's metric filters; the queue's ApproximateNumberOfMessagesVisible
 * is read from the queue; and `alarms()` evaluates every alarm of the
 * template over that (support/cloudwatch-emulator.ts).
 */
import * as fs from 'fs';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ApiGatewayEmulator } from './api-gateway-emulator';
import { fileAssetsOf } from './assembly';
import { LocalAwsPeers, taskStates } from './aws-peers';
import { AlarmState, CloudWatchEmulator } from './cloudwatch-emulator';
import { DESCRIBE_MAP_RUN_RESOURCE } from './distributed-map';
import { MapRunLedger, MapRunRecord } from './map-runs';
import { DEFAULT_SCHEDULE_GROUP, schedulerMayAssume, TrustDecision } from './scheduler-trust';
import { ApiGatewayInvoker, EMULATED_API_ID, ExecutionFaults, invokeArnsOf, resolveValue, runDefinition, RunResult, statementsOf, validateDefinition } from './state-machine-harness';

export interface LocalDeploymentProps {
  readonly template: any;
  readonly region: string;
  readonly account: string;
  /** Each upstream origin of the template, mapped to a local one. */
  readonly upstreams: Record<string, string>;
  readonly peers: LocalAwsPeers;
  /** Prefix of the local resource names, unique among deployments that share the peers. */
  readonly name: string;
  /** Wait between retries, in milliseconds (none by default, so a run takes no time). */
  readonly retryIntervalMs?: number;
  /** Secrets Manager secrets the template's dynamic references name, as the API emulation takes them (R8). */
  readonly secrets?: Record<string, Record<string, string>>;
  /**
   * The cloud assembly the template was synthesized into; its file assets
   * are put in the S3 peer before anything else.
   *
   * @default - no assets
   */
  readonly assemblyDirectory?: string;
  /**
   * Keep each Map Run child's event log in its record (`TickResult.mapRuns`;
   * memory grows with the items), as `RunOptions.childEvents`.
   *
   * @default false
   */
  readonly childEvents?: boolean;
}

/** What one scheduled tick did. */
export interface TickResult {
  readonly scheduledTime: string;
  /** The execution's name, when one was started. */
  readonly executionName?: string;
  /** Attempts Scheduler made to start the execution. */
  readonly startAttempts: number;
  /** True when the start failed for good and went to the dead-letter queue. */
  readonly deadLettered: boolean;
  /** Why the start failed for good, when it did (S2 to S4). */
  readonly failure?: StartFailure;
  readonly status?: 'SUCCEEDED' | 'FAILED';
  readonly output?: any;
  readonly error?: any;
  /** The execution's aws-local-stepfunctions event log (state entered, retried, ...), when one was started. */
  readonly events?: any[];
  /** The attempts `commitThenTimeout` failed in the first run. */
  readonly faults?: RunResult['faults'];
  /** The second run of the same execution, when the tick asked for `replay`. */
  readonly replay?: RunResult & { readonly status: 'SUCCEEDED' | 'FAILED' };
  /** The Map Runs of the first run (Distributed Map states), when one was started. */
  readonly mapRuns?: MapRunRecord[];
  readonly durationMs: number;
}

/** A start failure Scheduler can meet, e.g. `{ code: 'ThrottlingException', message: 'Rate exceeded' }`. */
export interface StartFailure {
  readonly code: string;
  readonly message: string;
}

interface Machine {
  readonly logicalId: string;
  readonly arn: string;
  readonly definition: any;
  readonly tasks: Record<string, (input: any) => Promise<any>>;
  readonly waits: Record<string, number>;
}

interface Schedule {
  readonly logicalId: string;
  readonly arn: string;
  readonly groupName: string;
  readonly target: any;
  /** S4, evaluated once: the template does not change. */
  trust?: Promise<TrustDecision | undefined>;
}

const ids = (template: any, type: string) => Object.entries<any>(template.Resources).filter(([, r]) => r.Type === type).map(([id]) => id);

export class LocalDeployment {
  /** Creates the template's resources in the peers and starts the API. */
  public static async deploy(props: LocalDeploymentProps): Promise<LocalDeployment> {
    const d = new LocalDeployment(props);
    await d.create();
    return d;
  }

  /** Physical names and attributes by `LogicalId` and `LogicalId.Attribute`. */
  public readonly refs: Record<string, string> = {};
  /** Every access log line the API wrote. */
  public readonly accessLog: any[] = [];
  /** Readers of the messages published to each topic, by logical id. */
  public readonly topics: Record<string, () => Promise<any[]>> = {};
  public readonly cloudWatch: CloudWatchEmulator;
  /** Start failures Scheduler meets next, one per attempt (S3). */
  public readonly failStarts: StartFailure[] = [];
  /** Every Map Run of every execution; describeMapRun answers from it. */
  public readonly mapRuns = new MapRunLedger();
  private readonly queues: Record<string, Awaited<ReturnType<LocalAwsPeers['createQueue']>>> = {};
  private readonly machines: Machine[] = [];
  private readonly schedules: Schedule[] = [];
  private emulator?: ApiGatewayEmulator;
  private invoker?: ApiGatewayInvoker;
  private executions = 0;

  private constructor(private readonly props: LocalDeploymentProps) {
    this.cloudWatch = new CloudWatchEmulator(props.template, (v) => resolveValue(v, this.refs));
  }

  /** The local name of a bucket, table or topic, by logical id. */
  public physicalName(logicalId: string): string {
    return this.refs[logicalId];
  }

  /** The stage's base URL on 127.0.0.1. */
  public get apiUrl(): string {
    return this.emulator!.url;
  }

  /** The (only) state machine's definition, Refs resolved. */
  public get definition(): any {
    if (this.machines.length !== 1) {
      throw new Error(`expected one state machine, found ${this.machines.length}`);
    }
    return this.machines[0].definition;
  }

  /** The calls the state machines made through the API. */
  public get invocations() {
    return this.invoker?.calls ?? [];
  }

  private async create(): Promise<void> {
    const { template, region, account, peers, name } = this.props;
    const resources = template.Resources;
    Object.assign(this.refs, { 'AWS::Region': region, 'AWS::AccountId': account, 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com' });
    const local = (id: string) => `${name}-${id}`.toLowerCase().slice(0, 63);
    if (this.props.assemblyDirectory) {
      await this.publishFileAssets(this.props.assemblyDirectory);
    }

    for (const id of ids(template, 'AWS::ApiGateway::RestApi')) this.refs[id] = EMULATED_API_ID;
    for (const id of ids(template, 'AWS::ApiGateway::Stage')) this.refs[id] = resources[id].Properties.StageName;
    for (const id of ids(template, 'AWS::Logs::LogGroup')) this.refs[id] = local(id);
    for (const id of ids(template, 'AWS::IAM::Role')) this.refs[`${id}.Arn`] = `arn:aws:iam::${account}:role/${local(id)}`;
    for (const id of ids(template, 'AWS::S3::Bucket')) {
      this.refs[id] = local(id);
      await peers.createBucket(local(id));
    }
    for (const id of ids(template, 'AWS::DynamoDB::Table')) {
      this.refs[id] = local(id);
      await peers.createTable(local(id), resources[id].Properties);
    }
    for (const id of ids(template, 'AWS::SNS::Topic')) {
      const topic = await peers.createTopic(local(id));
      this.refs[id] = topic.topicArn;
      this.topics[id] = topic.messages;
    }
    for (const id of ids(template, 'AWS::SQS::Queue')) {
      const queue = await peers.createQueue(local(id));
      this.queues[id] = queue;
      Object.assign(this.refs, { [id]: queue.url, [`${id}.Arn`]: queue.arn, [`${id}.QueueName`]: local(id) });
    }
    for (const id of ids(template, 'AWS::StepFunctions::StateMachine')) {
      this.refs[id] = `arn:aws:states:${region}:${account}:stateMachine:${local(id)}`;
    }
    // Ref of a schedule group is its name
    for (const id of ids(template, 'AWS::Scheduler::ScheduleGroup')) this.refs[id] = resources[id].Properties?.Name ?? local(id);
    for (const id of ids(template, 'AWS::Scheduler::Schedule')) {
      const groupName = resolveValue(resources[id].Properties.GroupName, this.refs) ?? DEFAULT_SCHEDULE_GROUP;
      const scheduleName = resources[id].Properties.Name ?? local(id);
      this.schedules.push({ logicalId: id, arn: `arn:aws:scheduler:${region}:${account}:schedule/${groupName}/${scheduleName}`, groupName, target: resolveValue(resources[id].Properties.Target, this.refs) });
    }

    // the API, with each state machine role as a principal
    const roles = ids(template, 'AWS::StepFunctions::StateMachine').map((id) => resources[id].Properties.RoleArn['Fn::GetAtt'][0]);
    const principals = roles.map((role, i) => ({
      accessKeyId: `AKIDROLE${i}`,
      secretAccessKey: `${local(role)}-secret-for-tests-only`,
      arn: this.refs[`${role}.Arn`],
      allowedArns: invokeArnsOf(template, region, role),
    }));
    const stage = ids(template, 'AWS::ApiGateway::Stage')[0];
    if (stage) {
      const accessLogGroup = resources[stage].Properties.AccessLogSetting?.DestinationArn?.['Fn::GetAtt']?.[0];
      this.emulator = new ApiGatewayEmulator({
        template,
        region,
        account,
        principals,
        upstreams: this.props.upstreams,
        secrets: this.props.secrets,
        onAccessLog: (line) => {
          this.accessLog.push(JSON.parse(line));
          if (accessLogGroup) this.cloudWatch.ingest(accessLogGroup, line);
        },
      });
      await this.emulator.start();
    }

    ids(template, 'AWS::StepFunctions::StateMachine').forEach((id, i) => {
      const definition = JSON.parse(resolveValue(resources[id].Properties.DefinitionString, this.refs));
      // what CreateStateMachine would refuse fails the deployment (harness H1)
      validateDefinition(definition);
      const handlers: Record<string, (input: any) => Promise<any>> = {
        ...peers.handlers(),
        [DESCRIBE_MAP_RUN_RESOURCE]: this.mapRuns.describeMapRun,
      };
      if (this.emulator) {
        this.invoker = new ApiGatewayInvoker(this.emulator, principals[i], region);
        handlers['arn:aws:states:::apigateway:invoke'] = this.invoker.handle;
      }
      const states = taskStates(definition);
      this.machines.push({
        logicalId: id,
        arn: this.refs[id],
        definition,
        tasks: Object.fromEntries(states.map((t) => [t.name, handlers[t.resource] ?? (() => Promise.reject(new Error(`no local handler for ${t.resource}`)))])),
        waits: Object.fromEntries(states.map((t) => [t.name, this.props.retryIntervalMs ?? 0])),
      });
    });
  }

  /**
   * Plays one firing of a schedule at the given time (S1 to S4), the
   * execution with the given replay and faults: the template's only
   * schedule, or the one with the given logical id.
   */
  public async tick(scheduledTime: Date, faults: ExecutionFaults = {}, scheduleLogicalId?: string): Promise<TickResult> {
    const schedules = scheduleLogicalId === undefined ? this.schedules : this.schedules.filter((s) => s.logicalId === scheduleLogicalId);
    if (schedules.length !== 1) {
      throw new Error(scheduleLogicalId === undefined ? `expected one schedule, found ${this.schedules.length}` : `no schedule ${scheduleLogicalId}`);
    }
    const schedule = schedules[0];
    const { target, arn: scheduleArn } = schedule;
    const trust = await (schedule.trust ??= this.trust(schedule));
    const started = Date.now();
    const executionId = `${this.props.name}-tick-${++this.executions}`;
    const maxAttempts = 1 + (target.RetryPolicy?.MaximumRetryAttempts ?? 185);
    const time = scheduledTime.toISOString().replace(/\.\d{3}Z$/, 'Z');
    let failure: StartFailure | undefined;
    let input = '';
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      input = String(target.Input ?? '{}')
        .replace(/<aws\.scheduler\.scheduled-time>/g, time)
        .replace(/<aws\.scheduler\.execution-id>/g, executionId)
        .replace(/<aws\.scheduler\.schedule-arn>/g, scheduleArn)
        .replace(/<aws\.scheduler\.attempt-number>/g, String(attempt));
      failure = this.startFailure(target, schedule, trust);
      if (!failure) {
        const machine = this.machines.find((m) => m.arn === target.Arn)!;
        const result = await this.start(machine, JSON.parse(input), executionId, faults);
        const durationMs = Date.now() - started;
        return { scheduledTime: time, executionName: executionId, startAttempts: attempt, deadLettered: false, ...result, durationMs };
      }
    }
    // S4: the queue is written as the same role, so an untrusted role dead-letters nothing
    const dlq = target.DeadLetterConfig?.Arn && trust?.allowed
      ? Object.values(this.queues).find((q) => q.arn === target.DeadLetterConfig.Arn)
      : undefined;
    if (dlq) {
      await dlq.send(input, {
        ERROR_CODE: failure!.code,
        ERROR_MESSAGE: failure!.message,
        EXECUTION_ID: executionId,
        RETRY_ATTEMPTS: String(maxAttempts - 1),
        SCHEDULE_ARN: scheduleArn,
        TARGET_ARN: target.Arn,
      });
    }
    return { scheduledTime: time, startAttempts: maxAttempts, deadLettered: dlq !== undefined, failure, durationMs: Date.now() - started };
  }

  /** Messages in a queue's dead letters, by the queue's logical id. */
  public async visibleMessages(queueLogicalId: string): Promise<number> {
    return this.queues[queueLogicalId].visibleMessages();
  }

  /** Every alarm's state over the current period (C3), queue depths read now. */
  public async alarms(): Promise<Record<string, AlarmState>> {
    const depths: Record<string, number> = {};
    for (const [id, queue] of Object.entries(this.queues)) {
      depths[id] = await queue.visibleMessages();
    }
    const period = this.cloudWatch.snapshot();
    for (const [id, depth] of Object.entries(depths)) {
      period.putMetric('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: this.refs[`${id}.QueueName`] }, depth);
    }
    return period.alarmStates();
  }

  public async stop(): Promise<void> {
    await this.emulator?.stop();
  }

  /** Puts the assembly's file assets in the S3 peer, as `cdk deploy` publishes them; creates their buckets. */
  private async publishFileAssets(outdir: string): Promise<void> {
    const s3 = this.props.peers.s3;
    const buckets = new Set<string>();
    for (const asset of fileAssetsOf(outdir)) {
      const bucket = resolveValue({ 'Fn::Sub': asset.bucketName }, this.refs);
      if (!buckets.has(bucket)) {
        buckets.add(bucket);
        // deployments sharing the peers share the bootstrap bucket too (fauxqs
        // answers a second CreateBucket with success; S3 may say it is yours already)
        await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((e) => {
          if (!['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes(e.name)) throw e;
        });
      }
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: resolveValue({ 'Fn::Sub': asset.objectKey }, this.refs), Body: fs.readFileSync(asset.path) }));
    }
  }

  /** The logical id of the template's role with this ARN. */
  private roleIdOf(roleArn: string): string | undefined {
    return Object.keys(this.refs).find((k) => k.endsWith('.Arn') && this.refs[k] === roleArn)?.slice(0, -'.Arn'.length);
  }

  /** S4: may Scheduler assume the schedule's role? Undefined when the role is not in the template. */
  private async trust(schedule: Schedule): Promise<TrustDecision | undefined> {
    const roleId = this.roleIdOf(schedule.target.RoleArn);
    const trustPolicy = roleId && this.props.template.Resources[roleId].Properties?.AssumeRolePolicyDocument;
    if (!trustPolicy) {
      return undefined;
    }
    return schedulerMayAssume({
      trustPolicy: resolveValue(trustPolicy, this.refs),
      roleArn: schedule.target.RoleArn,
      account: this.props.account,
      region: this.props.region,
      groupName: schedule.groupName,
    });
  }

  /** S2 to S4: why a start fails now, if it does. */
  private startFailure(target: any, schedule: Schedule, trust: TrustDecision | undefined): StartFailure | undefined {
    if (!trust?.allowed) {
      return {
        code: 'AccessDeniedException',
        message: `EventBridge Scheduler cannot assume ${target.RoleArn}: its trust policy does not allow sts:AssumeRole by scheduler.amazonaws.com `
          + `with aws:SourceArn ${trust?.sourceArn ?? `of the group ${schedule.groupName}`} (${trust?.result ?? 'the role is not in the template'})`,
      };
    }
    const injected = this.failStarts.shift();
    if (injected) {
      return injected;
    }
    const roleId = this.roleIdOf(target.RoleArn);
    const allowed = roleId !== undefined && statementsOf(this.props.template, roleId)
      .some((s: any) => s.Effect === 'Allow' && [s.Action].flat().includes('states:StartExecution') && [resolveValue(s.Resource, this.refs)].flat().includes(target.Arn));
    return allowed ? undefined : { code: 'AccessDeniedException', message: `${target.RoleArn} is not authorized to perform: states:StartExecution on resource: ${target.Arn}` };
  }

  private async start(machine: Machine, input: any, executionName: string, faults: ExecutionFaults) {
    const dimensions = { StateMachineArn: machine.arn };
    const { replay, ...first } = await runDefinition(machine.definition, input, {
      tasks: machine.tasks,
      retryIntervalMs: machine.waits,
      executionName,
      ...faults,
      stateMachineArn: machine.arn,
      s3: this.props.peers.s3,
      mapRuns: this.mapRuns,
      childEvents: this.props.childEvents,
    });
    // each run is counted as an execution of its own: an assumption, for
    // the guide does not say how a duplicated run shows in the metrics
    const counted = (run: RunResult) => {
      const status = run.error ? 'FAILED' as const : 'SUCCEEDED' as const;
      this.cloudWatch.putMetric('AWS/States', 'ExecutionsStarted', dimensions, 1);
      this.cloudWatch.putMetric('AWS/States', status === 'FAILED' ? 'ExecutionsFailed' : 'ExecutionsSucceeded', dimensions, 1);
      return { ...run, status };
    };
    return { ...counted(first), ...(replay ? { replay: counted(replay) } : {}) };
  }
}
