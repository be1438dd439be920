import { Aws, Fn, Names, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { createInvokerAlarms } from './invoker-alarms';
import { InvokerLayout } from './invoker-layout';
import { EXPRESS_MAX, executionTimeout as executionTimeoutOf, planRequests, requestTimeoutSeconds as requestTimeoutSecondsOf } from './invoker-limits';
import {
  createDeadLetterQueue, createSchedulerRole, scheduleDates, scheduleMaxEventAge, scheduleRetryAttempts, timeWindow,
} from './invoker-scheduling';
import { checkDistributedExecutionTimeout, checkLayout, checkMaxConcurrency } from './layout-choice';
import { chooseLayout } from './layout-definition';
import { PlannedRequest } from './request-plan';
import { planRetry } from './retry-plan';
import { InvokerRequestInfo, ScheduledInvokerProps } from './scheduled-invoker-props';
import { TimeBudget } from './time-budget';
import { acknowledge, acknowledgeWildcardResource } from '../common/acknowledgements';
import { invalidProp } from '../common/errors';
import { stackLogEncryptionKey } from '../common/log-key';
import { ManagedPolicyRole } from '../common/managed-policy-role';
import { stepFunctionsPrincipal } from '../common/service-trust';
import { acknowledgeInTemplate } from '../common/template-acknowledgements';

/**
 * Calls `HttpProxyApi` targets on a schedule: an EventBridge Scheduler
 * schedule starts a JSONPath state machine that makes every request through
 * `apigateway:invoke` with IAM auth, retries what is worth retrying, hands
 * successful responses to an optional sink, and returns one result per
 * request (status code, outcome, start and finish times).
 *
 * Any number of requests: while they fit one execution (its time budget
 * and 256 KiB payload) one state machine calls them from one inline Map
 * state; past that (`layout`), a STANDARD state machine hands them out in
 * batches to child executions with a Distributed Map state, reading the
 * request list from a CDK file asset and writing the results to S3.
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

  /**
   * The state machine's type: `workflowType` in the inline layout, STANDARD
   * in the distributed layout (whose child executions are `batchWorkflowType`).
   */
  public readonly workflowType: sfn.StateMachineType;

  /** The layout the invoker took: INLINE or DISTRIBUTED (never AUTO). */
  public readonly layout: InvokerLayout;

  /**
   * The type of the child executions that make the requests, in the
   * distributed layout.
   */
  public readonly batchWorkflowType?: sfn.StateMachineType;

  /**
   * Requests per child execution, at most (the Distributed Map's
   * `MaxItemsPerBatch`), in the distributed layout; `timeBudget` shows how
   * it was sized.
   */
  public readonly batchSize?: number;

  /**
   * The request list of the distributed layout: a JSON array in a CDK file
   * asset, which the CDK CLI uploads to the bootstrap bucket on deploy and
   * the Distributed Map state reads.
   */
  public readonly requestListAsset?: s3assets.Asset;

  /**
   * Where the distributed layout writes each run's results: under
   * `resultsPrefix`, one folder per run (`<prefix>/<Map Run id>/`) with a
   * `manifest.json` and the result files of the child executions, as
   * Step Functions' ResultWriter writes them. Each run's output names its
   * bucket and manifest key.
   */
  public readonly resultsBucket?: s3.IBucket;

  /** The key prefix of the distributed layout's results, without a trailing `/`. */
  public readonly resultsPrefix?: string;

  /**
   * The distributed layout's grants to `role`: read the request list
   * object, write under the results prefix, start this state machine's
   * child executions, describe and stop them, describe its Map Runs.
   */
  public readonly distributedGrants?: iam.ManagedPolicy;

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

    const layout = checkLayout(this, props.layout);
    const workflowType = props.workflowType ?? sfn.StateMachineType.EXPRESS;
    this.planned = planRequests(this, props.requests);
    const maxConcurrency = checkMaxConcurrency(this, props.maxConcurrency ?? 10, layout);
    const retry = planRetry(this, props.retry);
    const requestTimeoutSeconds = requestTimeoutSecondsOf(this, this.planned, props.requestTimeout);
    // the STANDARD parent of the distributed layout runs up to a year, whatever workflowType its children have
    const inlineTimeout = layout === InvokerLayout.DISTRIBUTED ? undefined : executionTimeoutOf(this, workflowType, props.executionTimeout);
    const givenTimeout = layout === InvokerLayout.DISTRIBUTED
      ? checkDistributedExecutionTimeout(this, props.executionTimeout)
      : props.executionTimeout && inlineTimeout;
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

    const definition = chooseLayout(this, {
      layout,
      workflowType,
      requests: this.planned,
      maxConcurrency,
      requestTimeoutSeconds,
      retry,
      inlineTimeout: inlineTimeout ?? EXPRESS_MAX,
      givenTimeout,
      sink,
      resultsBucket: props.resultsBucket,
      resultsPrefix: props.resultsPrefix,
      resultsRemovalPolicy: props.resultsRemovalPolicy,
    });
    this.layout = definition.layout;
    this.workflowType = definition.stateMachineType;
    this.timeBudget = definition.timeBudget;
    const distributed = definition.distributed;
    if (distributed) {
      this.batchWorkflowType = workflowType;
      this.batchSize = definition.timeBudget.batchSize;
      this.requestListAsset = distributed.requestList;
      this.resultsBucket = distributed.resultsBucket;
      this.resultsPrefix = distributed.resultsPrefix;
    }

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
      definitionBody: sfn.DefinitionBody.fromChainable(definition.chain),
      role: this.role,
      timeout: definition.timeout,
      tracingEnabled: props.tracing ?? true,
      logs: {
        destination: this.logGroup,
        level: logLevel,
        includeExecutionData: props.includeExecutionDataInLogs ?? false,
      },
      comment: distributed
        ? `Calls ${this.planned.length} request(s) through HttpProxyApi routes, in batches of up to ${this.batchSize} on a Distributed Map`
        : `Calls ${this.planned.length} request(s) through HttpProxyApi routes`,
    });
    this.distributedGrants = distributed?.grant(this.stateMachine, this.role);
    // Logging and X-Ray need these actions on "*" (they have no resource ARNs).
    const policy = this.role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      acknowledge(policy, 'stepFunctionsLoggingAndTracing');
    }
    if (logLevel !== sfn.LogLevel.ALL) {
      acknowledge(this.stateMachine, 'logLevelBelowAll');
    }
    acknowledgeInTemplate(this.stateMachine, 'stateMachineRoleDependency');

    this.deadLetterQueue = props.deadLetterQueue ?? createDeadLetterQueue(this);
    const scheduleGroup = props.scheduleGroup ?? scheduler.ScheduleGroup.fromDefaultScheduleGroup(this, 'DefaultScheduleGroup');
    this.schedulerRole = createSchedulerRole(this, scheduleGroup);
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      schedule: expression,
      scheduleGroup: props.scheduleGroup,
      description: `Starts ${this.node.path}`,
      enabled: props.enabled ?? true,
      timeWindow: timeWindow(this, props.flexibleTimeWindow),
      ...scheduleDates(this, props.scheduleStart, props.scheduleEnd),
      target: new schedulerTargets.StepFunctionsStartExecution(this.stateMachine, {
        role: this.schedulerRole,
        deadLetterQueue: this.deadLetterQueue,
        input: scheduler.ScheduleTargetInput.fromObject({
          scheduledTime: scheduler.ContextAttribute.scheduledTime,
          executionId: scheduler.ContextAttribute.executionId,
          scheduleArn: scheduler.ContextAttribute.scheduleArn,
        }),
        retryAttempts: scheduleRetryAttempts(this, props.scheduleRetryAttempts),
        maxEventAge: scheduleMaxEventAge(this, props.scheduleMaxEventAge),
      }),
    });

    if (props.scheduleGroup) {
      // the group is named, not referenced, by the schedule: create it first
      this.schedule.node.addDependency(props.scheduleGroup);
    }
    // No run before its permissions exist: a schedule with no start date
    // fires as soon as it is created, and a policy created later in the same
    // deploy would fail the first run's calls (403s recorded as FAILED),
    // its sink, its start, or its request list.
    // (the scheduler role's own policy, not the role: the target names the role already)
    this.schedule.node.addDependency(this.routeGrants, sinkScope);
    const schedulerPolicy = this.schedulerRole.node.tryFindChild('DefaultPolicy');
    if (schedulerPolicy) {
      this.schedule.node.addDependency(schedulerPolicy);
    }
    if (this.distributedGrants) {
      this.schedule.node.addDependency(this.distributedGrants);
    }

    if (props.alarms ?? true) {
      const alarms = createInvokerAlarms(this, this.planned, props.alarmTopic, props.errorRateThreshold ?? 0.5);
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
}
