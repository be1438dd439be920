import * as apigw from 'aws-cdk-lib/aws-apigateway';

/**
 * One JSON object per request: who called (the IAM principal and, for a
 * private API, the VPC endpoint), which route, what the upstream answered
 * and how long it took. No headers, no bodies, no query values.
 */
export function accessLogFormat(): apigw.AccessLogFormat {
  return apigw.AccessLogFormat.custom(JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    caller: '$context.identity.caller',
    userArn: '$context.identity.userArn',
    sourceIp: '$context.identity.sourceIp',
    vpceId: '$context.identity.vpceId',
    httpMethod: '$context.httpMethod',
    resourcePath: '$context.resourcePath',
    status: '$context.status',
    integrationStatus: '$context.integration.status',
    integrationLatency: '$context.integration.latency',
    responseLatency: '$context.responseLatency',
    responseLength: '$context.responseLength',
    errorMessage: '$context.error.message',
    xrayTraceId: '$context.xrayTraceId',
  }));
}
