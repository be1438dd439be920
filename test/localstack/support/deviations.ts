/**
 * Every place where one runtime of the lane departs from AWS, with the AWS
 * page that shows AWS's behaviour. The scenarios name the deviations they
 * meet; a deviation changes what the lane expects of that runtime, and
 * nothing else is excused. docs/end-to-end.md lists the same entries.
 */
export interface Deviation {
  /** The runtime that departs from AWS. */
  readonly runtime: 'LocalStack' | 'harness';
  /** What it does. */
  readonly does: string;
  /** What AWS does, and where that is written. */
  readonly aws: string;
  readonly pages: readonly string[];
}

export const DEVIATIONS = {
  LOCALSTACK_ENTERED_TIME_FORMAT: {
    runtime: 'LocalStack',
    does: '`$$.State.EnteredTime` (and `$$.Execution.StartTime`) read `2026-12-01T21:23:34.148092+00:00`: microseconds, and `+00:00` for UTC.',
    aws: 'The context object example shows `"EnteredTime": "2019-03-26T20:14:13.192Z"`: milliseconds and `Z`. The invoker copies the timestamps as they are, so records carry whichever form the runtime renders.',
    pages: ['https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html'],
  },
  LOCALSTACK_DATA_LIMIT_RELABELLED: {
    runtime: 'LocalStack',
    does: 'An `apigateway:invoke` result over 256 KiB fails the task as `ApiGateway.FailureEventException` with an empty cause: its size check raises States.DataLimitExceeded, and the API Gateway task wraps that like any exception. The retriers take it, so the upstream is called again, and the request ends FAILED instead of RESPONSE_TOO_LARGE.',
    aws: 'A task result over the 256 KiB payload quota fails with `States.DataLimitExceeded`.',
    pages: ['https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html', 'https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html'],
  },
  LOCALSTACK_2XX_OTHER_THAN_200_FAILS: {
    runtime: 'LocalStack',
    does: '`apigateway:invoke` fails with `ApiGateway.<status>` on any status but 200: a 201 ends FAILED with ApiGateway.201.',
    aws: '"A status code of 2XX indicates success, and no error will be returned."',
    pages: ['https://docs.aws.amazon.com/step-functions/latest/dg/connect-api-gateway.html'],
  },
  LOCALSTACK_HEADER_LIST_AS_TEXT: {
    runtime: 'LocalStack',
    does: '`apigateway:invoke` sends a header given as the list `["de"]` with the value `[de]`, the text of the list.',
    aws: '"HTTP headers allow a list of values associated with the same key": a list of values, which HTTP sends as the values themselves (comma-separated when there are several, RFC 9110 section 5.3).',
    pages: ['https://docs.aws.amazon.com/step-functions/latest/dg/connect-api-gateway.html', 'https://www.rfc-editor.org/rfc/rfc9110.html#section-5.3'],
  },
  LOCALSTACK_TEXT_BODY_SENT_AS_JSON: {
    runtime: 'LocalStack',
    does: '`apigateway:invoke` sends a String RequestBody JSON-encoded (`"since=yesterday"`, quotes included) and with `Content-Type: application/json`, whatever Content-Type the task set.',
    aws: 'RequestBody "can be either a JSON object or String"; the page does not say that a String is re-encoded, and nothing documents replacing the task\'s Content-Type.',
    pages: ['https://docs.aws.amazon.com/step-functions/latest/dg/connect-api-gateway.html'],
  },
  LOCALSTACK_BODY_VALIDATED_WITHOUT_MODEL: {
    runtime: 'LocalStack',
    does: 'With a request validator that validates bodies, its API Gateway checks a body against the Empty model (`"type": "object"`) although the method has no request model for the content type, and refuses a JSON string with 400 "Invalid request body".',
    aws: '"If no matching content type is found, request validation is not performed."',
    pages: ['https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html'],
  },
  LOCALSTACK_ACCEPT_ENCODING: {
    runtime: 'LocalStack',
    does: 'Its API Gateway sends the upstream `Accept-Encoding: identity` (its Python HTTP client\'s) besides the headers API Gateway adds.',
    aws: 'No page lists the headers API Gateway adds; recorded against AWS, a non-proxy HTTP integration sent none (LocalStack\'s own AWS-validated snapshot test_http_integration_with_lambda[HTTP], test/support/api-gateway-emulator.ts rule R4a).',
    pages: ['https://docs.aws.amazon.com/apigateway/latest/developerguide/setup-http-integrations.html'],
  },
  LOCALSTACK_RESPONSE_HEADERS_NOT_LISTS: {
    runtime: 'LocalStack',
    does: 'In the `apigateway:invoke` result, `Date` and `x-localstack` are plain strings while the other headers are lists; it also adds CloudFront headers (`X-Amz-Cf-Id`, `X-Cache`, `Via: UNSUPPORTED`) with made-up values.',
    aws: 'The output\'s Headers hold a list of values per header (`"key": ["value1", "value2"]`).',
    pages: ['https://docs.aws.amazon.com/step-functions/latest/dg/connect-api-gateway.html'],
  },
  LOCALSTACK_METRIC_MATH_ALARMS_NOT_EVALUATED: {
    runtime: 'LocalStack',
    does: 'It creates every alarm, but logs "Given alarm configuration not yet supported, alarm state will not be evaluated" for alarms on metric math (the invoker\'s error-rate alarms), and has no resource provider for metric filters.',
    aws: 'Alarms on metric math expressions are evaluated like any alarm.',
    pages: ['https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create-alarm-on-metric-math-expression.html'],
  },
  LOCALSTACK_SCHEDULER_NEVER_FIRES: {
    runtime: 'LocalStack',
    does: 'Its EventBridge Scheduler (moto\'s) stores schedules but never starts their targets; the lane starts the state machine itself, with the input a firing would give.',
    aws: 'A schedule invokes its target at each scheduled time, with the context attributes filled in.',
    pages: ['https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html'],
  },
  LOCALSTACK_NO_IAM_ENFORCEMENT: {
    runtime: 'LocalStack',
    does: 'Its API Gateway neither checks SigV4 signatures nor the caller\'s execute-api:Invoke grants: unsigned and wrongly signed calls reach the upstream.',
    aws: 'A method with AWS_IAM authorization answers 403 to a request that is not signed, or whose principal may not invoke it.',
    pages: ['https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html'],
  },
  LOCALSTACK_RESULT_WRITER_MANIFEST_ONLY: {
    runtime: 'LocalStack',
    does: 'A Distributed Map\'s ResultWriter (`arn:aws:states:::s3:putObject`) writes only `<Prefix>/<map run id>/manifest.json`, with `ResultFiles: {FAILED: [], PENDING: [], SUCCEEDED: []}`, and no result file: the child executions\' outputs are not exported (its source says "TODO: generate result files and upload them to s3"). The state\'s output `{MapRunArn, ResultWriterDetails: {Bucket, Key}}` is as on AWS.',
    aws: 'Step Functions "exports executions with the same status to their respective files" (SUCCEEDED_<n>.json, FAILED_<n>.json, PENDING_<n>.json) and lists them in manifest.json under ResultFiles, with Key and Size.',
    pages: ['https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html'],
  },
  LOCALSTACK_NO_ITEM_BATCHER: {
    runtime: 'LocalStack',
    does: 'Its ASL parser has no `ItemBatcher` field (nor MaxItemsPerBatch, MaxInputBytesPerBatch, BatchInput): CreateStateMachine refuses a Map state with one as InvalidDefinition (ASLParserException "mismatched input \'\"ItemBatcher\"\'"), so a stack with the distributed layout of ScheduledInvoker does not deploy.',
    aws: 'ItemBatcher, with MaxItemsPerBatch, MaxInputBytesPerBatch and BatchInput, is a field of a Distributed Map state; each child gets `{BatchInput, Items}`.',
    pages: ['https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html'],
  },
  LOCALSTACK_NO_EXPRESS_CHILDREN: {
    runtime: 'LocalStack',
    does: 'Its ASL parser accepts only `"STANDARD"` for `ItemProcessor.ProcessorConfig.ExecutionType`: `"EXPRESS"` makes CreateStateMachine fail as InvalidDefinition ("mismatched input \'\"EXPRESS\"\' expecting \'\"STANDARD\"\'").',
    aws: 'ProcessorConfig.ExecutionType is STANDARD or EXPRESS for a Distributed Map state.',
    pages: ['https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html'],
  },
  LOCALSTACK_TOLERATED_FAILURE_PERCENTAGE: {
    runtime: 'LocalStack',
    does: 'Its ASL parser takes `ToleratedFailurePercentage` only as a number with a fraction: the whole number `100` (as CDK renders it, and as the distributed layout of ScheduledInvoker sets it) makes CreateStateMachine fail as InvalidDefinition ("no viable alternative at input \'\"ToleratedFailurePercentage\":100\'"); and the value it parses "currently ha[s] no effect on the program evaluation" (its log).',
    aws: 'ToleratedFailurePercentage is a number from 0 to 100; a Map Run fails when the failed items exceed it.',
    pages: ['https://docs.aws.amazon.com/step-functions/latest/dg/maprun-fail-threshold.html'],
  },
  LOCALSTACK_MAP_RUN_COUNTS_PARTIAL: {
    runtime: 'LocalStack',
    does: 'DescribeMapRun answers ItemCounts and ExecutionCounts without `FailuresNotRedrivable` and `PendingRedrive`, and no `RedriveCount` (it has no redrive).',
    aws: 'FailuresNotRedrivable and PendingRedrive are fields of MapRunItemCounts and MapRunExecutionCounts, and DescribeMapRun answers redriveCount.',
    pages: ['https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeMapRun.html', 'https://docs.aws.amazon.com/step-functions/latest/apireference/API_MapRunItemCounts.html'],
  },
  HARNESS_ENTERED_TIME_FROM_LOCAL_CLOCK: {
    runtime: 'harness',
    does: 'aws-local-stepfunctions gives no `$$.State.EnteredTime`; the harness supplies it from the local clock in the documented form (`...192Z`), read when a state reads it.',
    aws: 'EnteredTime is the time the state was entered.',
    pages: ['https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html'],
  },
} as const satisfies Record<string, Deviation>;

export type DeviationId = keyof typeof DEVIATIONS;
