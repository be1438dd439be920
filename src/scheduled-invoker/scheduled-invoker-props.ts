import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { InvokerLayout } from './invoker-layout';
import { InvokerRequest } from './invoker-request';
import { InvokerSchedule } from './invoker-schedule';
import { RequestRetryOptions } from './request-retry';
import { IResponseSink } from './response-sink';

/** Props of `ScheduledInvoker`. */
export interface ScheduledInvokerProps {
  /** When to run: `InvokerSchedule.rate(...)`, `.cron(...)`, `.expression(...)` or `.once(...)`. */
  readonly schedule: InvokerSchedule;

  /**
   * The calls to make on each run, one or many (100,000 and more).
   *
   * In the inline layout the request list is part of the state machine
   * definition and one Map state makes the calls; in the distributed layout
   * it is a JSON file (a CDK asset) that a Distributed Map state hands out
   * in batches. Either way requests add no resources.
   */
  readonly requests: InvokerRequest[];

  /**
   * How the requests are laid out in Step Functions: `AUTO` takes the
   * inline layout (one state machine of `workflowType`, the cheapest) when
   * the requests fit one execution of it, and the distributed layout (a
   * STANDARD state machine whose Distributed Map state runs child
   * executions of `workflowType`) otherwise. Forcing `INLINE` where the
   * requests do not fit fails synth with the numbers.
   *
   * @default InvokerLayout.AUTO
   */
  readonly layout?: InvokerLayout;

  /**
   * Requests in flight at once, in total. Keep it at or under what the
   * third party allows.
   *
   * Inline layout: 1 to 40 (an inline Map's limit). Distributed layout: 1
   * to 40, each child execution calling its batch that many at a time, one
   * child execution at a time; or a multiple of 40 up to 400,000, each
   * child calling 40 at a time and `maxConcurrency / 40` children at once.
   * With `AUTO`, more than 40 takes the distributed layout.
   *
   * @default 10
   */
  readonly maxConcurrency?: number;

  /**
   * EXPRESS (cheap, at most 5 minutes, at-least-once) or STANDARD (up to a
   * year, exactly-once, billed per state transition): the type of the
   * executions that make the requests. In the inline layout it is the state
   * machine's type; in the distributed layout the state machine is
   * STANDARD and this is the type of its child executions (EXPRESS ones
   * each call a batch sized to fit their 5 minutes). With `AUTO`, STANDARD
   * keeps the inline layout while the requests fit `executionTimeout` and
   * one state's 256 KiB.
   *
   * @default sfn.StateMachineType.EXPRESS
   */
  readonly workflowType?: sfn.StateMachineType;

  /**
   * The longest a run may take. The worst case of the requests (timeouts,
   * retries, waves of `maxConcurrency`) must fit in it, or synth fails with
   * the numbers.
   *
   * Inline layout: up to 5 minutes for EXPRESS, a year for STANDARD. The
   * distributed layout's STANDARD parent: up to a year (with `AUTO` and
   * EXPRESS, the 5 minutes still bound what may be given).
   *
   * @default - inline: 5 minutes for EXPRESS, 1 hour for STANDARD;
   * distributed: the worst case of the run
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
   * The bucket the distributed layout writes each run's results to (Step
   * Functions' ResultWriter: a `manifest.json` and the child executions'
   * results under `<resultsPrefix>/<Map Run id>/`). It must be in the
   * invoker's account and Region. The role is granted write under the
   * prefix only, and, when the bucket has an `encryptionKey`, that key.
   * Used by the distributed layout only.
   *
   * @default - a new bucket: SSE-S3, TLS only, public access blocked,
   * versioned, results kept 90 days, server access logs into a log bucket
   * of its own
   */
  readonly resultsBucket?: s3.IBucket;

  /**
   * The key prefix of the distributed layout's results: segments of
   * letters, digits, `_`, `.`, `=` and `-` joined by `/`, with no leading
   * or trailing `/`.
   *
   * @default - `invoker-results/<unique id of the invoker>`
   */
  readonly resultsPrefix?: string;

  /**
   * What happens to the buckets the distributed layout creates for its
   * results when the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly resultsRemovalPolicy?: RemovalPolicy;

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
