import { Aws } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { OUTCOMES, RequestList } from './request-list';
import { PlannedRequest } from './request-plan';
import { DATA_LIMIT_EXCEEDED, retriers, RetryPlan } from './retry-plan';
import { JSON_NULL } from '../common/json-null';

/** Inputs of the invoker's state machine definition. */
export interface InvokerStatesProps {
  readonly requests: PlannedRequest[];
  /**
   * The request list and API table, held in the definition by the first
   * state (the inline layout); without it, the first state reads them from
   * a Distributed Map batch (`{ BatchInput: { trigger, apis }, Items }`).
   */
  readonly list?: RequestList;
  readonly maxConcurrency: number;
  readonly requestTimeoutSeconds: number;
  readonly retry: RetryPlan;
  /** The sink's first state, run for each successful response. */
  readonly sink?: sfn.IChainable;
  /** Fields of the sink's output kept in each result, name to path. */
  readonly sinkResultFields?: Record<string, string>;
}

/** Names of the states, which show in the execution history. */
export const STATE_NAMES = {
  plan: 'Plan requests',
  planBatch: 'Plan batch',
  map: 'Invoke each request',
  start: 'Start request',
  hasBody: 'Has body?',
  invoke: 'Invoke',
  invokeWithBody: 'Invoke with body',
  hasResponseBody: 'Answered with a body?',
  keepResponse: 'Keep response',
  keepResponseWithoutBody: 'Keep response without body',
  deliver: 'Deliver to sink',
  recordResponse: 'Record response',
  recordSinkFailure: 'Record sink failure',
  isHttpError: 'Answered with an error status?',
  recordHttpFailure: 'Record error status',
  recordFailure: 'Record failure',
  recordTooLarge: 'Record response too large',
  summarize: 'Summarize',
} as const;

/**
 * The run a request belongs to: the execution that the schedule (or a
 * caller) started. In the distributed layout each batch is a child
 * execution with its own `$$.Execution` (state-map-distributed: "each
 * child workflow execution has its own execution history"), so the parent
 * hands its own down through the batch input; a sink names and keys its
 * objects by `$.run`, never by `$$.Execution`.
 */
export const RUN_OF_THIS_EXECUTION = {
  'name.$': '$$.Execution.Name',
  'id.$': '$$.Execution.Id',
  'startTime.$': '$$.Execution.StartTime',
} as const;

/** Where the timestamp taken when a request starts is kept. */
const STARTED_AT = '$.clock.startedAt';

/**
 * The JSONPath state machine of a `ScheduledInvoker`:
 *
 *     Plan requests (Pass: the request list and API table, from the definition)
 *     Invoke each request (Map, maxConcurrency):
 *       Start request -> [Has body?] -> Invoke (apigateway:invoke, IAM_ROLE,
 *       retries) -> [Deliver to sink] -> Record response
 *       on error: Record error status | Record failure | Record sink failure
 *       | Record response too large (States.DataLimitExceeded)
 *     Summarize (Pass: one result per request)
 *
 * The request list lives in the definition, so 1,000 requests are one Map
 * state, not 1,000 resources. In the distributed layout the same states
 * are each child execution's, and the first one, Plan batch, reads the
 * batch a Distributed Map state hands it instead.
 */
export class InvokerStates extends Construct {
  /** The first state. */
  public readonly chain: sfn.IChainable;

  constructor(scope: Construct, id: string, props: InvokerStatesProps) {
    super(scope, id);

    const plan = props.list
      ? new sfn.Pass(this, STATE_NAMES.plan, {
        comment: 'The requests and the APIs they go through; the execution input is kept as trigger',
        parameters: { 'trigger.$': '$', 'run': RUN_OF_THIS_EXECUTION, 'apis': props.list.apis, 'requests': props.list.items },
      })
      : new sfn.Pass(this, STATE_NAMES.planBatch, {
        comment: 'The batch of requests the Distributed Map state handed this execution, the APIs they go through and the run\'s input as trigger',
        parameters: { 'trigger.$': '$.BatchInput.trigger', 'run.$': '$.BatchInput.run', 'apis.$': '$.BatchInput.apis', 'requests.$': '$.Items' },
      });

    const map = new sfn.Map(this, STATE_NAMES.map, {
      comment: `Each request, ${props.maxConcurrency} at a time; a failed request is recorded, not fatal`,
      itemsPath: '$.requests',
      itemSelector: {
        'request.$': '$$.Map.Item.Value',
        // the position in the whole request list: a batch's items carry theirs
        'index.$': props.list ? '$$.Map.Item.Index' : '$$.Map.Item.Value.index',
        'api.$': 'States.ArrayGetItem($.apis, $$.Map.Item.Value.api)',
        'trigger.$': '$.trigger',
        'run.$': '$.run',
      },
      maxConcurrency: props.maxConcurrency,
      // the results replace the request list, keeping the state small
      resultPath: '$.requests',
    });
    map.itemProcessor(this.iteration(props));

    const summarize = new sfn.Pass(this, STATE_NAMES.summarize, {
      parameters: {
        'trigger.$': '$.trigger',
        'requestCount.$': 'States.ArrayLength($.requests)',
        'requests.$': '$.requests',
      },
    });

    this.chain = plan.next(map).next(summarize);
  }

  private iteration(props: InvokerStatesProps): sfn.IChainable {
    const start = new sfn.Pass(this, STATE_NAMES.start, {
      comment: 'Notes the start time of the request\'s first attempt',
      parameters: { 'startedAt.$': '$$.State.EnteredTime' },
      resultPath: '$.clock',
    });

    // Kept small, so a thousand of them fit in one state: the request's
    // method, path and query are in the definition under its id, and an
    // error's cause (absent from some errors, up to 32,768 characters in
    // others) is in the execution history and the logs, never read here.
    // The times are copied as the runtime renders them, with no intrinsic:
    // date arithmetic in intrinsics takes far more than the 10 calls a field
    // may nest, and the upstream's own latency is in the API's access log
    // (integrationLatency) and its IntegrationLatency metric.
    const record = (extra: Record<string, unknown>) => ({
      'id.$': '$.request.id',
      'target.$': '$.request.target',
      'startedAt.$': STARTED_AT,
      'finishedAt.$': '$$.State.EnteredTime',
      ...extra,
    });

    const recordResponse = new sfn.Pass(this, STATE_NAMES.recordResponse, {
      parameters: record({
        'statusCode.$': '$.response.statusCode',
        'outcome': OUTCOMES.succeeded,
        ...(props.sinkResultFields ? { 'sink.$': '$.sink' } : {}),
      }),
    });
    const recordHttpFailure = new sfn.Pass(this, STATE_NAMES.recordHttpFailure, {
      parameters: record({
        'statusCode.$': "States.StringToJson(States.ArrayGetItem(States.StringSplit($.error.Error, '.'), 1))",
        'outcome': OUTCOMES.failed,
        'error.$': '$.error.Error',
      }),
    });
    const recordFailure = new sfn.Pass(this, STATE_NAMES.recordFailure, {
      parameters: record({
        'outcome': OUTCOMES.failed,
        'error.$': '$.error.Error',
      }),
    });
    // The answer did not fit the 256 KiB payload: what is known is the
    // request, and that its response was too large to keep
    const recordTooLarge = new sfn.Pass(this, STATE_NAMES.recordTooLarge, {
      parameters: record({
        'outcome': OUTCOMES.tooLarge,
        'error.$': '$.error.Error',
      }),
    });
    // "ApiGateway.<status>" carries a status code; anything else does not
    const failed = new sfn.Choice(this, STATE_NAMES.isHttpError)
      .when(sfn.Condition.or(...[1, 2, 3, 4, 5].map((c) => sfn.Condition.stringMatches('$.error.Error', `ApiGateway.${c}*`))), recordHttpFailure)
      .otherwise(recordFailure);

    let afterInvoke: sfn.IChainable = recordResponse;
    let keepResponse: sfn.IChainable | undefined;
    if (props.sink) {
      const recordSinkFailure = new sfn.Pass(this, STATE_NAMES.recordSinkFailure, {
        parameters: record({
          'statusCode.$': '$.response.statusCode',
          'outcome': OUTCOMES.sinkFailed,
          'error.$': '$.error.Error',
        }),
      });
      const fields = props.sinkResultFields;
      const deliver = new sfn.Parallel(this, STATE_NAMES.deliver, {
        comment: 'Runs the sink; whatever it raises is recorded against the request',
        ...(fields
          ? { resultSelector: Object.fromEntries(Object.entries(fields).map(([name, path]) => [`${name}.$`, `$[0]${path.slice(1)}`])), resultPath: '$.sink' }
          : { resultPath: sfn.JsonPath.DISCARD }),
      });
      deliver.branch(props.sink);
      // e.g. a body that fits the invoke's result but not, once escaped, a
      // sink task's parameters; States.ALL would not catch it
      deliver.addCatch(recordSinkFailure, { errors: [DATA_LIMIT_EXCEEDED], resultPath: '$.error' });
      deliver.addCatch(recordSinkFailure, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
      afterInvoke = deliver.next(recordResponse);
      keepResponse = this.keepResponse(afterInvoke);
    }

    const invoke = (name: string, withBody: boolean) => {
      const task = new sfn.CustomState(this, name, {
        stateJson: {
          Type: 'Task',
          Comment: 'Calls the route through API Gateway, signed with the state machine role',
          Resource: `arn:${Aws.PARTITION}:states:::apigateway:invoke`,
          Parameters: {
            'ApiEndpoint.$': '$.api.endpoint',
            'Stage.$': '$.api.stage',
            'Method.$': '$.request.method',
            'Path.$': '$.request.path',
            'QueryParameters.$': '$.request.query',
            'Headers.$': '$.request.headers',
            ...(withBody ? { 'RequestBody.$': '$.request.body' } : {}),
            'AuthType': 'IAM_ROLE',
          },
          TimeoutSeconds: props.requestTimeoutSeconds,
          // without a sink the body is dropped at once, so large answers
          // do not fill the state; with one, the whole answer is kept and
          // its body read only where present (see keepResponse)
          ...(props.sink ? {} : { ResultSelector: { 'statusCode.$': '$.StatusCode' } }),
          ResultPath: '$.response',
        },
      });
      for (const r of retriers(props.retry)) {
        task.addRetry(r);
      }
      task.addCatch(recordTooLarge, { errors: [DATA_LIMIT_EXCEEDED], resultPath: '$.error' });
      task.addCatch(failed, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
      return task.next(keepResponse ?? afterInvoke);
    };

    const withBody = props.requests.filter((r) => r.body !== undefined).length;
    let call: sfn.IChainable;
    if (withBody === 0) {
      call = invoke(STATE_NAMES.invoke, false);
    } else if (withBody === props.requests.length) {
      call = invoke(STATE_NAMES.invokeWithBody, true);
    } else {
      call = new sfn.Choice(this, STATE_NAMES.hasBody)
        .when(sfn.Condition.isPresent('$.request.body'), invoke(STATE_NAMES.invokeWithBody, true))
        .otherwise(invoke(STATE_NAMES.invoke, false));
    }
    return start.next(call);
  }

  /**
   * Reshapes the invoke's answer for the sink as `{ statusCode, headers,
   * body }`. The guide documents ResponseBody in the output, but a 204 or
   * an answer to HEAD may have none, and a path that selects nothing is an
   * uncatchable States.Runtime error; so the body is read only when
   * present, and is null otherwise.
   */
  private keepResponse(next: sfn.IChainable): sfn.IChainable {
    const keep = (name: string, body: string) => new sfn.Pass(this, name, {
      inputPath: '$.response',
      parameters: { 'statusCode.$': '$.StatusCode', 'headers.$': '$.Headers', 'body.$': body },
      resultPath: '$.response',
    }).next(next);
    return new sfn.Choice(this, STATE_NAMES.hasResponseBody)
      .when(sfn.Condition.isPresent('$.response.ResponseBody'), keep(STATE_NAMES.keepResponse, '$.ResponseBody'))
      .otherwise(keep(STATE_NAMES.keepResponseWithoutBody, JSON_NULL));
  }
}
