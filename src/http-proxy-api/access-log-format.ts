import * as apigw from 'aws-cdk-lib/aws-apigateway';

/**
 * One JSON object per request: who called (the IAM principal and, for a
 * private API, the VPC endpoint), which route and which actual path, what
 * the upstream answered and how long it took. No headers, no bodies, no
 * query values. The route metrics are metric filters over these lines
 * (by `resourcePath`, the route template).
 *
 * `path` is `$context.path`, the request path with its stage, e.g.
 * `/egress/status/a/b` for the route `/status/{proxy+}` (API Gateway
 * developer guide, "Variables for access logging for API Gateway",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-variables-for-access-logging.html:
 * "$context.path: The request path. For example, /{stage}/root/child").
 * It holds path parameter values: for a `{proxy+}` route, the only record
 * of what the caller asked the upstream for.
 */
export function accessLogFormat(): apigw.AccessLogFormat {
  return apigw.AccessLogFormat.custom(JSON.stringify({
    requestId: '$context.requestId',
    apiId: '$context.apiId',
    requestTime: '$context.requestTime',
    caller: '$context.identity.caller',
    userArn: '$context.identity.userArn',
    sourceIp: '$context.identity.sourceIp',
    vpceId: '$context.identity.vpceId',
    httpMethod: '$context.httpMethod',
    resourcePath: '$context.resourcePath',
    path: '$context.path',
    status: '$context.status',
    integrationStatus: '$context.integration.status',
    integrationLatency: '$context.integration.latency',
    responseLatency: '$context.responseLatency',
    responseLength: '$context.responseLength',
    errorMessage: '$context.error.message',
    xrayTraceId: '$context.xrayTraceId',
  }));
}

/** Namespace of the per-route metrics counted from the access logs. */
export const ROUTE_METRICS_NAMESPACE = 'InsideOutGateway';

/** Requests per route, counted from the access log. */
export const ROUTE_REQUESTS_METRIC = 'RouteRequests';

/** Requests per route answered with a 4XX or 5XX status, counted from the access log. */
export const ROUTE_ERRORS_METRIC = 'RouteErrorResponses';

/** The dimensions of both route metrics, taken from access log fields. */
export const ROUTE_METRIC_DIMENSIONS = { ApiId: '$.apiId', ResourcePath: '$.resourcePath', HttpMethod: '$.httpMethod' };
