import { Annotations, Aws, Duration, Fn, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { InvokerRequest } from './invoker-request';
import { InvokerSchedule } from './invoker-schedule';
import { InvokerStates } from './invoker-states';
import { isProblem, planRequest, PlannedRequest } from './request-plan';
import { RequestRetryOptions } from './request-retry';
import { IResponseSink } from './response-sink';
import { planRetry, RetryPlan, worstRetryDelaySeconds } from './retry-plan';
import { TimeBudget } from './time-budget';
import { acknowledge, acknowledgeWildcardResource } from '../common/acknowledgements';
import { invalidProp } from '../common/errors';
import { stackLogEncryptionKey } from '../common/log-key';
import { ManagedPolicyRole } from '../common/managed-policy-role';
import { stepFunctionsPrincipal } from '../common/service-trust';
import { acknowledgeInTemplate } from '../common/template-acknowledgements';
import { HttpProxyTarget } from '../http-proxy-api/http-proxy-target';

/** The longest an Express execution may run. */
const EXPRESS_MAX = Duration.minutes(5);

/** Iterations an inline Map runs at once, at most. */
const INLINE_MAP_MAX_CONCURRENCY = 40;

/** A state's input or output, at most (Step Functions quota). */
export const STATE_PAYLOAD_LIMIT_BYTES = 256 * 1024;
/** The share of the payload limit from which the request list or results draw a warning. */
const PAYLOAD_WARNING_SHARE = 0.8;

/** Props of `ScheduledInvoker`. */
export interface ScheduledInvokerProps {
  /** When to run: `InvokerSchedule.rate(...)`, `.cron(...)`, `.expression(...)` or `.once(...)`. */
  readonly schedule: InvokerSchedule;

  /**
   * The calls to make on each run, one or many; many are made by one Map
   * state, `maxConcurrency` at a time.
   */
  readonly requests: InvokerRequest[];

  /**
   * Requests in flight at once, from 1 to 40 (the inline Map's limit). Keep
   * it at or under what the third party allows.
   *
   * @default 10
   */
  readonly maxConcurrency?: number;

  /**
   * EXPRESS (cheap, at most 5 minutes, at-least-once) or STANDARD (up to a
   * year, exactly-once, billed per state transition).
   *
   * @default sfn.StateMachineType.EXPRESS
   */
  readonly workflowType?: sfn.StateMachineType;

  /**
   * The longest an execution may run. The worst case of the requests
   * (timeouts, retries, waves of `maxConcurrency`) must fit in it, or synth
   * fails with the numbers.
   *
   * @default - 5 minutes for EXPRESS, 1 hour for STANDARD
   */
  readonly executionTimeout?: Duration;

  /**
   * How long one attempt of a request may take before it counts as timed
   * out (and is retried), in whole seconds.
   *
   * @default - the longest timeout of the requested targets plus 1 second
   */
  readonly requestTimeout?: Duration;

  /**
   * Retries on 429, 5XX, timeouts and other task failures. Other 4XX and
   * 3XX answers are final and never retried.
   *
   * @default - 3 retries, 2 s interval, backoff 2, at most 30 s apart, full jitter
   */
  readonly retry?: RequestRetryOptions;

  /**
   * Receives every successful response, e.g. a `ResponseArchive`.
   *
   * @default - responses are not kept; the output lists status codes only
   */
  readonly sink?: IResponseSink;

  /**
   * Execution log level.
   *
   * @default sfn.LogLevel.ERROR
   */
  readonly logLevel?: sfn.LogLevel;

  /**
   * Whether the state machine sends traces to X-Ray.
   *
   * X-Ray bills each trace recorded (after a monthly free tier), which at
   * 100,000 polls a day is the largest line of the default layout's cost
   * (docs/benchmarks.md). Turned off, cdk-nag's AwsSolutions-SF2 reports
   * the state machine.
   *
   * @default true
   */
  readonly tracing?: boolean;

  /**
   * Log execution data (inputs and outputs, including response bodies and
   * request headers) at the chosen level.
   *
   * @default false
   */
  readonly includeExecutionDataInLogs?: boolean;

  /**
   * Retention of the execution log group.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * KMS key of the execution log group.
   *
   * @default - the stack's shared log key (`InsideOutGatewayLogKey`, with
   * rotation), created once per stack and used by every construct of this
   * library that is given no key
   */
  readonly logEncryptionKey?: kms.IKey;

  /**
   * What happens to the log group when the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;

  /**
   * Whether the schedule is enabled.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * The schedule group the schedule belongs to. The role Scheduler assumes
   * trusts schedules of this group only: its `aws:SourceArn` condition is
   * the group's ARN, the only form Scheduler's confused-deputy guidance
   * allows.
   *
   * @default - the account's `default` group
   */
  readonly scheduleGroup?: scheduler.IScheduleGroup;

  /**
   * Let Scheduler start each run at any time within this window after the
   * scheduled time (1 to 1440 minutes), to spread load.
   *
   * @default - runs start at the scheduled time
   */
  readonly flexibleTimeWindow?: Duration;

  /**
   * The first time the schedule may run.
   *
   * @default - from creation
   */
  readonly scheduleStart?: Date;

  /**
   * The last time the schedule may run.
   *
   * @default - no end
   */
  readonly scheduleEnd?: Date;

  /**
   * How often Scheduler retries a start that failed (throttled, or the
   * state machine unavailable), from 0 to 185, before it goes to the
   * dead-letter queue.
   *
   * @default 3
   */
  readonly scheduleRetryAttempts?: number;

  /**
   * How long Scheduler keeps retrying a failed start, from 1 minute to 24
   * hours.
   *
   * @default Duration.hours(1)
   */
  readonly scheduleMaxEventAge?: Duration;

  /**
   * Queue for starts that failed after all retries.
   *
   * @default - a new queue, encrypted (SSE-SQS), TLS only, 14 days retention
   */
  readonly deadLetterQueue?: sqs.IQueue;

  /**
   * Create alarms on failed executions, dead-lettered starts and each
   * requested route's error rate.
   *
   * @default true
   */
  readonly alarms?: boolean;

  /**
   * Where alarms notify.
   *
   * @default - no alarm actions
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * A route's error rate (4XX and 5XX answers over all attempts, from its
   * API's access log) at or above which its alarm fires, from 0 to 1.
   *
   * @default 0.5
   */
  readonly errorRateThreshold?: number;
}

/**
 * Calls `HttpProxyApi` targets on a schedule: an EventBridge Scheduler
 * schedule starts a JSONPath state machine that makes every request through
 * `apigateway:invoke` with IAM auth, retries what is worth retrying, hands
 * successful responses to an optional sink, and returns one result per
 * request (status code, outcome, start and finish times).
 *
 * @example
 * const api = new HttpProxyApi(this, 'Egress');
 * const forecast = api.addTarget('forecast', {
 *   url: 'https://api.example.com/v1/forecast/{city}',
 *   queryParameters: ['days'],
 * });
 * new ScheduledInvoker(this, 'Poller', {
 *   schedule: InvokerSchedule.rate(Duration.minutes(15)),
 *   requests: [
 *     { target: forecast, pathParameters: { city: 'paris' }, queryParameters: { days: '3' } },
 *     { target: forecast, pathParameters: { city: 'oslo' }, queryParameters: { days: '3' } },
 *   ],
 * });
 */
export class ScheduledInvoker extends Construct {
  /** The state machine that makes the requests. */
  public readonly stateMachine: sfn.StateMachine;

  /** The state machine's role: it may invoke exactly the requested routes. */
  public readonly role: iam.Role;

  /** The policy that lets `role` invoke exactly the requested routes. */
  public readonly routeGrants: iam.ManagedPolicy;

  /** The schedule. */
  public readonly schedule: scheduler.Schedule;

  /** The role Scheduler uses to start executions. */
  public readonly schedulerRole: iam.Role;

  /** Starts that failed after Scheduler's retries. */
  public readonly deadLetterQueue: sqs.IQueue;

  /** The execution log group. */
  public readonly logGroup: logs.LogGroup;

  /** EXPRESS or STANDARD. */
  public readonly workflowType: sfn.StateMachineType;

  /** The worst-case run time the requests need, with the numbers behind it. */
  public readonly timeBudget: TimeBudget;

  /** Fires when an execution fails, times out or is aborted. */
  public readonly executionsFailedAlarm?: cloudwatch.Alarm;

  /** Fires when a start lands in the dead-letter queue. */
  public readonly deadLetterQueueAlarm?: cloudwatch.Alarm;

  /** One alarm per requested route and method, on its error rate. */
  public readonly targetErrorRateAlarms: cloudwatch.Alarm[] = [];

  /** The requests, checked, in the order given. */
  private readonly planned: PlannedRequest[];

  constructor(scope: Construct, id: string, props: ScheduledInvokerProps) {
    super(scope, id);

    this.workflowType = props.workflowType ?? sfn.StateMachineType.EXPRESS;
    this.planned = this.planRequests(props.requests);
    const maxConcurrency = props.maxConcurrency ?? 10;
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1 || maxConcurrency > INLINE_MAP_MAX_CONCURRENCY) {
      throw invalidProp(this, 'maxConcurrency', maxConcurrency, `a whole number from 1 to ${INLINE_MAP_MAX_CONCURRENCY} (requests in flight at once)`);
    }
    const retry = planRetry(this, props.retry);
    const requestTimeoutSeconds = this.requestTimeoutSeconds(props.requestTimeout);
    const executionTimeout = this.executionTimeout(props.executionTimeout);
    const expression = props.schedule._bind(this, 'schedule');

    this.role = new ManagedPolicyRole(this, 'Role', {
      assumedBy: stepFunctionsPrincipal(this),
      description: 'Runs a ScheduledInvoker: invokes its requested routes and writes its logs and traces',
    }, 'What Step Functions logging and X-Ray tracing of one ScheduledInvoker need');
    this.routeGrants = this.grantRoutes();

    const sinkScope = new Construct(this, 'Sink');
    const sink = props.sink?.bindToInvoker(sinkScope, {
      role: this.role,
      targetIds: [...new Set(this.planned.map((r) => r.target.targetId))],
    });

    this.timeBudget = this.checkTimeBudget({
      requests: this.planned.length,
      maxConcurrency,
      requestTimeoutSeconds,
      retry,
      sinkSeconds: sink ? sink.maxDuration.toSeconds({ integral: false }) : 0,
      executionTimeout,
    });

    const states = new InvokerStates(this, 'States', {
      requests: this.planned,
      maxConcurrency,
      requestTimeoutSeconds,
      retry,
      sink: sink?.chain,
      sinkResultFields: this.checkSinkResultFields(sink?.resultFields),
    });
    this.checkPayloadSizes(states, Object.keys(sink?.resultFields ?? {}).length);

    const logLevel = props.logLevel ?? sfn.LogLevel.ERROR;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      // vended-log prefix: Step Functions then needs no log resource policy.
      // The group is retained by default, so its name ends in the stack's
      // id (a new UUID each time the stack is created): a stack deleted and
      // created again makes a new group instead of failing on the retained
      // one with "already exists".
      logGroupName: Fn.join('', [
        `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { maxLength: 200 })}-`,
        Fn.select(2, Fn.split('/', Aws.STACK_ID)),
      ]),
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.logEncryptionKey
        ?? stackLogEncryptionKey(this),
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: this.workflowType,
      definitionBody: sfn.DefinitionBody.fromChainable(states.chain),
      role: this.role,
      timeout: executionTimeout,
      tracingEnabled: props.tracing ?? true,
      logs: {
        destination: this.logGroup,
        level: logLevel,
        includeExecutionData: props.includeExecutionDataInLogs ?? false,
      },
      comment: `Calls ${this.planned.length} request(s) through HttpProxyApi routes`,
    });
    // Logging and X-Ray need these actions on "*" (they have no resource ARNs).
    const policy = this.role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      acknowledge(policy, 'stepFunctionsLoggingAndTracing');
    }
    if (logLevel !== sfn.LogLevel.ALL) {
      acknowledge(this.stateMachine, 'logLevelBelowAll');
    }
    acknowledgeInTemplate(this.stateMachine, 'stateMachineRoleDependency');

    this.deadLetterQueue = props.deadLetterQueue ?? this.createDeadLetterQueue();
    const scheduleGroup = props.scheduleGroup ?? scheduler.ScheduleGroup.fromDefaultScheduleGroup(this, 'DefaultScheduleGroup');
    this.schedulerRole = this.createSchedulerRole(scheduleGroup);
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      schedule: expression,
      scheduleGroup: props.scheduleGroup,
      description: `Starts ${this.node.path}`,
      enabled: props.enabled ?? true,
      timeWindow: this.timeWindow(props.flexibleTimeWindow),
      ...this.scheduleDates(props.scheduleStart, props.scheduleEnd),
      target: new schedulerTargets.StepFunctionsStartExecution(this.stateMachine, {
        role: this.schedulerRole,
        deadLetterQueue: this.deadLetterQueue,
        input: scheduler.ScheduleTargetInput.fromObject({
          scheduledTime: scheduler.ContextAttribute.scheduledTime,
          executionId: scheduler.ContextAttribute.executionId,
          scheduleArn: scheduler.ContextAttribute.scheduleArn,
        }),
        retryAttempts: this.scheduleRetryAttempts(props.scheduleRetryAttempts),
        maxEventAge: this.scheduleMaxEventAge(props.scheduleMaxEventAge),
      }),
    });

    if (props.scheduleGroup) {
      // the group is named, not referenced, by the schedule: create it first
      this.schedule.node.addDependency(props.scheduleGroup);
    }

    if (props.alarms ?? true) {
      const alarms = this.createAlarms(props.alarmTopic, props.errorRateThreshold ?? 0.5);
      this.executionsFailedAlarm = alarms.executionsFailed;
      this.deadLetterQueueAlarm = alarms.deadLetterQueue;
      this.targetErrorRateAlarms = alarms.targetErrorRates;
    } else if (props.alarmTopic || props.errorRateThreshold !== undefined) {
      throw invalidProp(this, props.alarmTopic ? 'alarmTopic' : 'errorRateThreshold', props.alarmTopic ? 'given' : props.errorRateThreshold, 'nothing when alarms is false; remove it or set alarms: true');
    }
  }

  /** The requests, as checked: id, target id, method and rendered path. */
  public get requests(): InvokerRequestInfo[] {
    return this.planned.map((r) => ({ id: r.id, targetId: r.target.targetId, method: r.method, path: r.path }));
  }

  /**
   * Allows the grantee to start a run on demand (`states:StartExecution`),
   * besides the schedule. The execution input is kept as `trigger`.
   *
   * @param grantee the principal
   */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  /**
   * A metric of the state machine (namespace AWS/States).
   *
   * @param metricName an AWS/States execution metric name, e.g. `ExecutionsFailed`
   * @param props statistic, period and other options
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metric(metricName, props);
  }

  /** Executions that failed (sum over 5 minutes). */
  public metricExecutionsFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ExecutionsFailed', { statistic: 'Sum', ...props });
  }

  /** Executions that timed out (sum over 5 minutes). */
  public metricExecutionsTimedOut(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ExecutionsTimedOut', { statistic: 'Sum', ...props });
  }

  /** Executions that succeeded; some of their requests may have failed (sum over 5 minutes). */
  public metricExecutionsSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ExecutionsSucceeded', { statistic: 'Sum', ...props });
  }

  /** Executions started (sum over 5 minutes). */
  public metricExecutionsStarted(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ExecutionsStarted', { statistic: 'Sum', ...props });
  }

  /** Run time of executions, in milliseconds (average over 5 minutes). */
  public metricExecutionTime(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ExecutionTime', { statistic: 'Average', ...props });
  }

  /** Starts waiting in the dead-letter queue (maximum over 5 minutes). */
  public metricDeadLetterQueueDepth(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', ...props });
  }

  private planRequests(requests: InvokerRequest[]): PlannedRequest[] {
    if (!Array.isArray(requests) || requests.length === 0) {
      throw invalidProp(this, 'requests', requests, 'at least one request ({ target, pathParameters?, queryParameters?, headers?, body? })');
    }
    const counts = new Map<string, number>();
    const ids = new Set<string>();
    return requests.map((request, i) => {
      const where = `requests[${i}]`;
      if (!request || !(request.target instanceof HttpProxyTarget)) {
        throw invalidProp(this, `${where}.target`, request?.target ?? request, 'a target returned by HttpProxyApi.addTarget()');
      }
      const target = request.target;
      if (target.endpointType !== apigw.EndpointType.REGIONAL) {
        throw invalidProp(this, `${where}.target`, `'${target.targetId}' on a ${target.endpointType} API`,
          'a target of a REGIONAL HttpProxyApi: Step Functions can only call Regional APIs. Give scheduled calls their own REGIONAL HttpProxyApi with the same targets');
      }
      const apiStack = Stack.of(target.api.restApi);
      const here = Stack.of(this);
      if (!Token.isUnresolved(here.region) && !Token.isUnresolved(apiStack.region) && here.region !== apiStack.region) {
        throw invalidProp(this, `${where}.target`, `'${target.targetId}' in ${apiStack.region}`, `a target of an API in this invoker's region (${here.region})`);
      }
      const n = (counts.get(target.targetId) ?? 0) + 1;
      counts.set(target.targetId, n);
      const id = request.id ?? `${target.targetId}-${n}`;
      if (ids.has(id)) {
        throw invalidProp(this, `${where}.id`, id, 'an id not used by another request of this invoker');
      }
      ids.add(id);
      const planned = planRequest(request, id);
      if (isProblem(planned)) {
        throw invalidProp(this, `${where}.${planned.prop}`, planned.value, planned.accepted);
      }
      return planned;
    });
  }

  private requestTimeoutSeconds(timeout: Duration | undefined): number {
    if (timeout === undefined) {
      const longest = Math.max(...this.planned.map((r) => r.target.timeout.toMilliseconds()));
      return Math.ceil(longest / 1000) + 1;
    }
    if (timeout.isUnresolved() || timeout.toMilliseconds() % 1000 !== 0 || timeout.toSeconds() < 1) {
      throw invalidProp(this, 'requestTimeout', timeout.isUnresolved() ? 'a token' : timeout.toHumanString(), 'a literal Duration of whole seconds, at least 1 second');
    }
    return timeout.toSeconds();
  }

  private executionTimeout(timeout: Duration | undefined): Duration {
    const express = this.workflowType === sfn.StateMachineType.EXPRESS;
    if (timeout === undefined) {
      return express ? EXPRESS_MAX : Duration.hours(1);
    }
    const max = express ? EXPRESS_MAX : Duration.days(365);
    if (timeout.isUnresolved() || timeout.toMilliseconds() % 1000 !== 0 || timeout.toSeconds() < 1 || timeout.toSeconds() > max.toSeconds()) {
      throw invalidProp(this, 'executionTimeout', timeout.isUnresolved() ? 'a token' : timeout.toHumanString(),
        `whole seconds from 1 second to ${max.toHumanString()} for ${express ? 'an EXPRESS workflow (use STANDARD for longer runs)' : 'a STANDARD workflow'}`);
    }
    return timeout;
  }

  private checkTimeBudget(input: {
    requests: number; maxConcurrency: number; requestTimeoutSeconds: number; retry: RetryPlan; sinkSeconds: number; executionTimeout: Duration;
  }): TimeBudget {
    const attempts = input.retry.maxAttempts + 1;
    const retryDelaySeconds = worstRetryDelaySeconds(input.retry);
    const perRequestSeconds = attempts * input.requestTimeoutSeconds + retryDelaySeconds + Math.ceil(input.sinkSeconds);
    const waves = Math.ceil(input.requests / input.maxConcurrency);
    const budget: TimeBudget = {
      requests: input.requests,
      maxConcurrency: input.maxConcurrency,
      waves,
      attempts,
      requestTimeoutSeconds: input.requestTimeoutSeconds,
      retryDelaySeconds,
      sinkSeconds: Math.ceil(input.sinkSeconds),
      perRequestSeconds,
      worstCaseSeconds: waves * perRequestSeconds,
      executionTimeoutSeconds: input.executionTimeout.toSeconds(),
    };
    if (budget.worstCaseSeconds > budget.executionTimeoutSeconds) {
      const express = this.workflowType === sfn.StateMachineType.EXPRESS;
      throw new Error(`${this.node.path}: invalid time budget: got a worst case of ${budget.worstCaseSeconds} s = ${waves} wave(s) `
        + `(${input.requests} requests / maxConcurrency ${input.maxConcurrency}) x ${perRequestSeconds} s per request `
        + `(${attempts} attempt(s) x ${input.requestTimeoutSeconds} s requestTimeout + ${retryDelaySeconds} s of retry waits`
        + `${budget.sinkSeconds ? ` + ${budget.sinkSeconds} s of sink` : ''}); `
        + `accepted: at most the executionTimeout of ${budget.executionTimeoutSeconds} s${express ? ' (an EXPRESS run stops at 5 minutes)' : ''}. `
        + 'Raise maxConcurrency, lower requestTimeout or retry.maxAttempts/maxDelay, '
        + `${express ? 'use workflowType STANDARD, ' : 'raise executionTimeout, '}or split the requests over several invokers`);
    }
    return budget;
  }

  private checkSinkResultFields(fields: Record<string, string> | undefined): Record<string, string> | undefined {
    for (const [name, path] of Object.entries(fields ?? {})) {
      if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name) || typeof path !== 'string' || !/^\$\.[A-Za-z0-9_.]+$/.test(path)) {
        throw invalidProp(this, `sink.resultFields.${name}`, path, 'a field name of letters, digits and _, and a simple JSONPath such as "$.key"');
      }
    }
    return fields && Object.keys(fields).length ? fields : undefined;
  }

  private checkPayloadSizes(states: InvokerStates, sinkResultFields: number): void {
    const planBytes = states.planBytes;
    const resultBytes = states.estimatedResultBytes(sinkResultFields);
    // keep a margin for the trigger input and the API endpoints
    const allowed = STATE_PAYLOAD_LIMIT_BYTES - 8 * 1024;
    for (const [what, bytes] of [['the request list', planBytes], ['the results', resultBytes]] as const) {
      if (bytes > allowed) {
        throw invalidProp(this, 'requests', `${this.planned.length} requests (${what} is about ${Math.round(bytes / 1024)} KiB)`,
          'requests whose list and results each stay under the 256 KiB state payload limit (less 8 KiB of margin); split them over several invokers');
      }
      if (bytes > allowed * PAYLOAD_WARNING_SHARE) {
        Annotations.of(this).addWarningV2('cdk-inside-out-gateway:ScheduledInvoker.nearPayloadLimit',
          `requests: ${this.planned.length} requests make ${what} about ${Math.round(bytes / 1024)} KiB of the ${allowed / 1024} KiB `
          + 'a state may carry (256 KiB less a margin); a few more and synth fails. Split the requests over several invokers');
      }
    }
  }

  /**
   * One statement per requested route and method, in a policy of their own
   * (the role's default policy holds what Step Functions logging and X-Ray
   * need).
   */
  private grantRoutes(): iam.ManagedPolicy {
    const policy = new iam.ManagedPolicy(this, 'RouteGrants', { roles: [this.role], description: 'The routes one ScheduledInvoker may invoke' });
    const granted = new Set<string>();
    for (const r of this.planned) {
      const key = `${r.target.node.path} ${r.method}`;
      if (granted.has(key)) {
        continue;
      }
      granted.add(key);
      const arn = r.target.arnForExecuteApi(r.method);
      r.target._recordGrant(this.role, r.method);
      policy.addStatements(new iam.PolicyStatement({ actions: ['execute-api:Invoke'], resources: [arn] }));
      if (r.target.pathParameters.length > 0 || r.target.proxy) {
        acknowledgeWildcardResource(policy, arn, 'routePathParameters');
      }
    }
    return policy;
  }

  private createDeadLetterQueue(): sqs.Queue {
    const queue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(queue, 'deadLetterQueueOfSchedule');
    acknowledge(queue, 'deadLetterQueueOfScheduleRedrive');
    acknowledgeInTemplate(queue, 'deadLetterQueueSseSqs');
    acknowledgeInTemplate(queue, 'deadLetterQueueOfDeadLetters');
    return queue;
  }

  /**
   * The role Scheduler assumes to start executions and to dead-letter. Its
   * trust names the schedule group: "the value of aws:SourceArn must be
   * your EventBridge Scheduler schedule group ARN"; a condition on a schedule
   * ARN or name prefix makes Scheduler's AssumeRole fail (EventBridge
   * Scheduler user guide, "Confused deputy prevention",
   * https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html).
   */
  private createSchedulerRole(group: scheduler.IScheduleGroup): iam.Role {
    return new ManagedPolicyRole(this, 'SchedulerRole', {
      description: 'Lets EventBridge Scheduler start the ScheduledInvoker state machine and dead-letter failed starts',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': Stack.of(this).account,
          },
          ArnEquals: {
            'aws:SourceArn': group.scheduleGroupArn,
          },
        },
      }),
    }, 'Start the state machine of one ScheduledInvoker, and dead-letter failed starts');
  }

  private timeWindow(window: Duration | undefined): scheduler.TimeWindow {
    if (window === undefined) {
      return scheduler.TimeWindow.off();
    }
    const minutes = window.isUnresolved() ? NaN : window.toSeconds() / 60;
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
      throw invalidProp(this, 'flexibleTimeWindow', window.isUnresolved() ? 'a token' : window.toHumanString(), 'whole minutes from 1 to 1440');
    }
    return scheduler.TimeWindow.flexible(window);
  }

  private scheduleDates(start: Date | undefined, end: Date | undefined): { start?: Date; end?: Date } {
    for (const [prop, d] of [['scheduleStart', start], ['scheduleEnd', end]] as const) {
      if (d !== undefined && (!(d instanceof Date) || Number.isNaN(d.getTime()))) {
        throw invalidProp(this, prop, d instanceof Date ? 'an invalid Date' : d, 'a valid Date');
      }
    }
    if (start && end && end.getTime() <= start.getTime()) {
      throw invalidProp(this, 'scheduleEnd', end.toISOString(), `a time after scheduleStart (${start.toISOString()})`);
    }
    return { start, end };
  }

  private scheduleRetryAttempts(attempts: number | undefined): number {
    const value = attempts ?? 3;
    if (!Number.isInteger(value) || value < 0 || value > 185) {
      throw invalidProp(this, 'scheduleRetryAttempts', value, 'a whole number from 0 to 185');
    }
    return value;
  }

  private scheduleMaxEventAge(age: Duration | undefined): Duration {
    const value = age ?? Duration.hours(1);
    const seconds = value.isUnresolved() ? NaN : value.toSeconds({ integral: false });
    if (!Number.isInteger(seconds) || seconds < 60 || seconds > 86_400) {
      throw invalidProp(this, 'scheduleMaxEventAge', value.isUnresolved() ? 'a token' : value.toHumanString(), 'whole seconds from 1 minute to 24 hours');
    }
    return value;
  }

  private createAlarms(topic: sns.ITopic | undefined, threshold: number): InvokerAlarms {
    if (!Number.isFinite(threshold) || threshold <= 0 || threshold > 1) {
      throw invalidProp(this, 'errorRateThreshold', threshold, 'a number greater than 0 and at most 1 (a share of requests)');
    }
    const action = topic ? new cloudwatchActions.SnsAction(topic) : undefined;
    const withAction = (alarm: cloudwatch.Alarm): cloudwatch.Alarm => {
      if (action) {
        alarm.addAlarmAction(action);
      }
      return alarm;
    };

    const executionsFailed = withAction(new cloudwatch.Alarm(this, 'ExecutionsFailedAlarm', {
      alarmDescription: `An execution of ${this.node.path} failed, timed out or was aborted: its requests were not all made`,
      metric: new cloudwatch.MathExpression({
        // each metric is published only in a period it happened in: a
        // failure with no timeout beside it must still add up
        expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
        usingMetrics: {
          failed: this.metricExecutionsFailed(),
          timedOut: this.metricExecutionsTimedOut(),
          aborted: this.metric('ExecutionsAborted', { statistic: 'Sum' }),
        },
        label: 'Executions failed, timed out or aborted',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }));

    const deadLetterQueue = withAction(new cloudwatch.Alarm(this, 'DeadLetterQueueAlarm', {
      alarmDescription: `Scheduler could not start ${this.node.path} (throttled or failed starts are in its dead-letter queue)`,
      metric: this.metricDeadLetterQueueDepth(),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }));

    const routes = new Map<string, PlannedRequest>();
    for (const r of this.planned) {
      routes.set(`${r.target.targetId}-${r.method}`, r);
    }
    const targetErrorRates = [...routes].map(([key, r]) => withAction(new cloudwatch.Alarm(this, `ErrorRateAlarm-${key}`, {
      alarmDescription: `At least ${threshold * 100}% of ${r.method} ${r.target.path} calls (target '${r.target.targetId}') were answered with 4XX or 5XX`,
      metric: r.target.metricErrorRate(r.method),
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    })));
    return { executionsFailed, deadLetterQueue, targetErrorRates };
  }
}

interface InvokerAlarms {
  readonly executionsFailed: cloudwatch.Alarm;
  readonly deadLetterQueue: cloudwatch.Alarm;
  readonly targetErrorRates: cloudwatch.Alarm[];
}

/** A request of a `ScheduledInvoker`, as it will be made. */
export interface InvokerRequestInfo {
  /** The request id. */
  readonly id: string;
  /** The target id. */
  readonly targetId: string;
  /** The HTTP method. */
  readonly method: string;
  /** The path on the API, parameters filled in. */
  readonly path: string;
}
