import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { InvokerRequest } from './invoker-request';
import { InvokerSchedule } from './invoker-schedule';
import { RequestRetryOptions } from './request-retry';
import { IResponseSink } from './response-sink';

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
