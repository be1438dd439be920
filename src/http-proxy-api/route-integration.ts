import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { HeaderSecret } from './header-secret';
import { TargetPlan } from './target-plan';
import { headersForStatus, statusMappings } from './upstream-status';

/** A target's secret headers and query parameters, by name. */
export interface TargetSecrets {
  readonly headers: Record<string, HeaderSecret>;
  readonly query: Record<string, HeaderSecret>;
}

/**
 * The HTTP integration of one route method: what it forwards (the declared
 * path, query and header parameters, the static values, the secrets), its
 * cache keys when cached, and the upstream status mapping.
 */
export function integrationFor(plan: TargetPlan, method: string, secrets: TargetSecrets, cached: boolean): apigw.Integration {
  const requestParameters: Record<string, string> = {};
  for (const p of plan.pathParameters) {
    requestParameters[`integration.request.path.${p}`] = `method.request.path.${p}`;
  }
  for (const q of Object.keys(plan.queryParameters)) {
    requestParameters[`integration.request.querystring.${q}`] = `method.request.querystring.${q}`;
  }
  for (const h of plan.requestHeaders) {
    requestParameters[`integration.request.header.${h}`] = `method.request.header.${h}`;
  }
  for (const [q, v] of Object.entries(plan.staticQueryParameters)) {
    requestParameters[`integration.request.querystring.${q}`] = `'${v}'`;
  }
  for (const [h, v] of Object.entries(plan.staticHeaders)) {
    requestParameters[`integration.request.header.${h}`] = `'${v}'`;
  }
  // The reference is part of the method's properties, which aws-cdk-lib
  // folds into the deployment's logical id: a changed reference (a new
  // versionId) gives the stage a new deployment.
  for (const [q, secret] of Object.entries(secrets.query)) {
    requestParameters[`integration.request.querystring.${q}`] = secret._toMappingExpression();
  }
  for (const [h, secret] of Object.entries(secrets.headers)) {
    requestParameters[`integration.request.header.${h}`] = secret._toMappingExpression();
  }
  return new apigw.HttpIntegration(plan.integrationUri, {
    httpMethod: method,
    proxy: false,
    options: {
      requestParameters,
      passthroughBehavior: apigw.PassthroughBehavior.WHEN_NO_TEMPLATES,
      timeout: plan.timeout,
      cacheKeyParameters: cached
        ? [...plan.pathParameters.map((p) => `method.request.path.${p}`), ...Object.keys(plan.queryParameters).map((q) => `method.request.querystring.${q}`)]
        : undefined,
      cacheNamespace: cached ? plan.id : undefined,
      integrationResponses: statusMappings().map((s) => ({
        selectionPattern: s.selectionPattern,
        statusCode: s.statusCode,
        responseParameters: Object.fromEntries(headersForStatus(s, plan.responseHeaders).map((h) => [`method.response.header.${h}`, `integration.response.header.${h}`])),
      })),
    },
  });
}

/** The method request parameters of a route: its path parameters (required), query parameters and headers. */
export function methodRequestParameters(plan: TargetPlan): Record<string, boolean> {
  const params: Record<string, boolean> = {};
  for (const p of plan.pathParameters) {
    params[`method.request.path.${p}`] = true;
  }
  for (const [q, required] of Object.entries(plan.queryParameters)) {
    params[`method.request.querystring.${q}`] = required;
  }
  for (const h of plan.requestHeaders) {
    params[`method.request.header.${h}`] = false;
  }
  return params;
}

/** The method responses of a route: one per upstream status mapping, with the response headers it passes on. */
export function methodResponses(plan: TargetPlan): apigw.MethodResponse[] {
  return statusMappings().map((s) => ({
    statusCode: s.statusCode,
    responseParameters: Object.fromEntries(headersForStatus(s, plan.responseHeaders).map((h) => [`method.response.header.${h}`, false])),
  }));
}
