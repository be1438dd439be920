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
   * startedAt, trigger, api: { endpoint, stage }, response: { statusCode,
   * headers, body } }`, where `trigger` is the execution input (from the
   * schedule: `scheduledTime`, `executionId`, `scheduleArn`). The output of
   * its last state is kept in the request's result as `sink`, so it should
   * be small (a key, a flag). Any error it raises is recorded as the
   * request's `SINK_FAILED` outcome, with the status code it answers.
   */
  readonly chain: sfn.IChainable;

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
