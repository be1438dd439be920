import { Annotations, Duration, Names, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DistributedLayout } from './distributed-layout';
import { InvokerLayout } from './invoker-layout';
import { checkPayloadSizes, checkSinkResultFields, checkTimeBudget, inlineTimeBudget } from './invoker-limits';
import { InvokerStates } from './invoker-states';
import { inlineFits, planDistributed } from './layout-choice';
import { serializeRequestList } from './request-asset';
import { apisAsCarried, planBytes, RequestList, requestList, resultBytes, resultRecordBytes } from './request-list';
import { PlannedRequest } from './request-plan';
import { ResponseSinkConfig } from './response-sink';
import { RetryPlan } from './retry-plan';
import { TimeBudget } from './time-budget';
import { invalidProp } from '../common/errors';

/** A results prefix: path segments that need no escaping, joined by `/`, with no leading or trailing `/`. */
const RESULTS_PREFIX = /^[A-Za-z0-9_.=-]+(\/[A-Za-z0-9_.=-]+)*$/;

/** What the layout is chosen and built from: the invoker's checked props. */
export interface LayoutInput {
  readonly layout: InvokerLayout;
  /** The type of the executions that make the requests. */
  readonly workflowType: sfn.StateMachineType;
  readonly requests: PlannedRequest[];
  readonly maxConcurrency: number;
  readonly requestTimeoutSeconds: number;
  readonly retry: RetryPlan;
  /** The inline layout's execution timeout, checked (given or the workflow type's default). */
  readonly inlineTimeout: Duration;
  /** The execution timeout as given, checked for the layout asked for. */
  readonly givenTimeout?: Duration;
  readonly sink?: ResponseSinkConfig;
  readonly resultsBucket?: s3.IBucket;
  readonly resultsPrefix?: string;
  readonly resultsRemovalPolicy?: RemovalPolicy;
}

/** The chosen layout's definition and what the state machine is made with. */
export interface LayoutDefinition {
  /** INLINE or DISTRIBUTED. */
  readonly layout: InvokerLayout;
  readonly chain: sfn.IChainable;
  readonly stateMachineType: sfn.StateMachineType;
  readonly timeout: Duration;
  readonly timeBudget: TimeBudget;
  /** The distributed layout's parts, when it is the one. */
  readonly distributed?: DistributedLayout;
}

/**
 * Chooses the layout and builds its states in the invoker's scope:
 *
 * - INLINE, or AUTO when the requests fit one execution of `workflowType`
 *   (see `inlineFits`): today's one state machine, checked as always.
 * - DISTRIBUTED, or AUTO otherwise: a STANDARD parent whose child
 *   executions of `workflowType` run the same per-request states.
 */
export function chooseLayout(scope: Construct, input: LayoutInput): LayoutDefinition {
  checkResultsProps(scope, input);
  const sinkSeconds = input.sink ? input.sink.maxDuration.toSeconds({ integral: false }) : 0;
  const sinkFieldCount = Object.keys(input.sink?.resultFields ?? {}).length;
  const budgetInput = {
    requests: input.requests.length,
    maxConcurrency: input.maxConcurrency,
    requestTimeoutSeconds: input.requestTimeoutSeconds,
    retry: input.retry,
    sinkSeconds,
    executionTimeout: input.inlineTimeout,
  };
  const list = requestList(input.requests);
  let listBytes: number | undefined;
  let resultsBytes: number | undefined;
  const sizes = () => ({
    plan: listBytes ??= planBytes(list),
    results: resultsBytes ??= resultBytes(input.requests, sinkFieldCount),
  });

  const inline = input.layout === InvokerLayout.INLINE || (input.layout === InvokerLayout.AUTO && inlineFits({
    maxConcurrency: input.maxConcurrency,
    budget: inlineTimeBudget(budgetInput),
    planBytes: () => sizes().plan,
    resultBytes: () => sizes().results,
  }));

  if (inline) {
    const resultsGiven = input.resultsBucket || input.resultsPrefix !== undefined || input.resultsRemovalPolicy !== undefined;
    if (input.layout === InvokerLayout.AUTO && resultsGiven) {
      Annotations.of(scope).addWarningV2('cdk-inside-out-gateway:ScheduledInvoker.resultsUnused',
        'resultsBucket, resultsPrefix and resultsRemovalPolicy are used by the distributed layout only; these requests fit the inline layout, which keeps its results in the execution output');
    }
    const timeBudget = checkTimeBudget(scope, input.workflowType, budgetInput);
    const states = new InvokerStates(scope, 'States', {
      requests: input.requests,
      list,
      maxConcurrency: input.maxConcurrency,
      requestTimeoutSeconds: input.requestTimeoutSeconds,
      retry: input.retry,
      sink: input.sink?.chain,
      sinkResultFields: checkSinkResultFields(scope, input.sink?.resultFields),
    });
    checkPayloadSizes(scope, input.requests.length, sizes(), input.layout === InvokerLayout.AUTO);
    return { layout: InvokerLayout.INLINE, chain: states.chain, stateMachineType: input.workflowType, timeout: input.inlineTimeout, timeBudget };
  }
  return distributedDefinition(scope, input, list, sinkSeconds, sinkFieldCount);
}

function distributedDefinition(
  scope: Construct, input: LayoutInput, list: RequestList, sinkSeconds: number, sinkFieldCount: number,
): LayoutDefinition {
  const sinkResultFields = checkSinkResultFields(scope, input.sink?.resultFields);
  const serialized = serializeRequestList(scope, list.items);
  const plan = planDistributed(scope, {
    requests: input.requests.length,
    maxConcurrency: input.maxConcurrency,
    requestTimeoutSeconds: input.requestTimeoutSeconds,
    retry: input.retry,
    sinkSeconds,
    batchWorkflowType: input.workflowType,
    executionTimeout: input.givenTimeout,
    largestItem: serialized.largestItem,
    largestRecordBytes: input.requests.reduce((max, r) => Math.max(max, resultRecordBytes(r, sinkFieldCount)), 0),
    apisBytes: JSON.stringify(apisAsCarried(list.apis)).length,
    auto: input.layout === InvokerLayout.AUTO,
  });
  const states = new InvokerStates(scope, 'States', {
    requests: input.requests,
    maxConcurrency: plan.batchConcurrency,
    requestTimeoutSeconds: input.requestTimeoutSeconds,
    retry: input.retry,
    sink: input.sink?.chain,
    sinkResultFields,
  });
  const distributed = new DistributedLayout(scope, 'Distributed', {
    batchChain: states.chain,
    batchWorkflowType: input.workflowType,
    plan,
    list: serialized,
    apis: list.apis,
    requestCount: input.requests.length,
    resultsBucket: input.resultsBucket,
    resultsPrefix: input.resultsPrefix ?? `invoker-results/${Names.uniqueResourceName(scope, { maxLength: 64 })}`,
    resultsRemovalPolicy: input.resultsRemovalPolicy ?? RemovalPolicy.RETAIN,
  });
  return {
    layout: InvokerLayout.DISTRIBUTED,
    chain: distributed.chain,
    stateMachineType: sfn.StateMachineType.STANDARD,
    timeout: plan.executionTimeout,
    timeBudget: plan.budget,
    distributed,
  };
}

/** The results props: a prefix of plain segments, no removal policy for the user's bucket, none of them with a forced inline layout. */
function checkResultsProps(scope: Construct, input: LayoutInput): void {
  const given = ([['resultsBucket', input.resultsBucket], ['resultsPrefix', input.resultsPrefix], ['resultsRemovalPolicy', input.resultsRemovalPolicy]] as const)
    .filter(([, v]) => v !== undefined);
  if (input.layout === InvokerLayout.INLINE && given.length > 0) {
    throw invalidProp(scope, given[0][0], 'given with layout INLINE', 'nothing with layout INLINE: the inline layout keeps its results in the execution output; remove it or use layout AUTO or DISTRIBUTED');
  }
  const prefix = input.resultsPrefix;
  if (prefix !== undefined && (Token.isUnresolved(prefix) || !RESULTS_PREFIX.test(prefix) || prefix.length > 512)) {
    throw invalidProp(scope, 'resultsPrefix', prefix, 'a literal key prefix of segments of letters, digits, "_", ".", "=" and "-" joined by "/", with no leading or trailing "/" (e.g. "polls/results"), at most 512 characters');
  }
  if (input.resultsBucket && input.resultsRemovalPolicy !== undefined) {
    throw invalidProp(scope, 'resultsRemovalPolicy', 'given with resultsBucket', 'either resultsBucket or resultsRemovalPolicy: a bucket of yours keeps its own removal policy');
  }
}
