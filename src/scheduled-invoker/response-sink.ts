import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** What a sink is told when it is attached to an invoker. */
export interface ResponseSinkBindOptions {
  /** The state machine's role: grant it what the sink's states need. */
  readonly role: iam.IRole;

  /** The ids of the targets the invoker calls. */
  readonly targetIds: string[];
}

/** The states a sink runs for each successful response. */
export interface ResponseSinkConfig {
  /**
   * The first state of the sink's chain; its states must have been created
   * in the scope given to `bindToInvoker`, and use JSONPath.
   *
   * Its input is one response record:
   * `{ request: { id, target, method, path, query, headers, body? }, index,
   * startedAt, trigger, run: { name, id, startTime }, api: { endpoint,
   * stage }, response: { statusCode, headers, body } }`, where `trigger` is
   * the run's input (from the schedule: `scheduledTime`, `executionId`,
   * `scheduleArn`), `run` the execution the schedule started and `index`
   * the request's position in the whole list. Any error it raises is
   * recorded as the request's `SINK_FAILED` outcome, with the status code
   * the request got.
   *
   * In the invoker's distributed layout the chain runs in child
   * executions, one per batch, whose `$$.Execution.*` is the child's: name
   * and key things by `run`, which is the same in both layouts.
   */
  readonly chain: sfn.IChainable;

  /**
   * Fields of the chain's final output to keep in each request's result,
   * as `sink`: a name and a JSONPath (`$.key`). Each should be short (a key,
   * a flag, a hash); the invoker allows 96 bytes per field when it checks
   * that a run's results fit in one state.
   *
   * @default - nothing of the sink's output is kept
   */
  readonly resultFields?: { [name: string]: string };

  /**
   * The longest the chain can take, counted in the invoker's time budget.
   */
  readonly maxDuration: Duration;
}

/**
 * Receives every successful response of a `ScheduledInvoker`, inside its
 * state machine. `ResponseArchive` is one; any class with this method is
 * another.
 */
export interface IResponseSink {
  /**
   * Creates the sink's states for one invoker.
   *
   * @param scope the scope to create the states in
   * @param options the invoker's role and targets
   */
  bindToInvoker(scope: Construct, options: ResponseSinkBindOptions): ResponseSinkConfig;
}
