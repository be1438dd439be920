import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ROUTE_ERRORS_METRIC, ROUTE_METRICS_NAMESPACE, ROUTE_REQUESTS_METRIC } from './access-log-format';
import { grantedPrincipalsOf } from './granted-principals';
import { TargetPlan } from './target-plan';

/**
 * What a target needs from the API that owns it. Implemented by
 * `HttpProxyApi`; kept small so targets can be shared by a REGIONAL and a
 * PRIVATE API built from the same definitions.
 */
export interface IHttpProxyTargetHost {
  /** The underlying REST API. */
  readonly restApi: apigw.RestApi;
  /** The deployed stage. */
  readonly stage: apigw.Stage;
  /** The API's endpoint type. */
  readonly endpointType: apigw.EndpointType;
  /** Whether per-method CloudWatch metrics are published. */
  readonly detailedMetrics: boolean;
}

/**
 * One route of an `HttpProxyApi` to one external URL. Created by
 * `HttpProxyApi.addTarget()`.
 *
 * @example
 * // per-route metrics need detailedMetrics (custom-metric charges apply)
 * const api = new HttpProxyApi(this, 'Egress', { detailedMetrics: true });
 * const status = api.addTarget('status', { url: 'https://status.partner.example/api/summary' });
 *
 * // GET /status on the stage (an exact ARN: the route has no parameters), for this role
 * status.grantInvoke(pollerRole);
 * // and an alarm on the upstream's 5XX answers through this route
 * status.metricServerError().createAlarm(this, 'StatusDown', { threshold: 1, evaluationPeriods: 1 });
 */
export class HttpProxyTarget extends Construct {
  /** @internal */
  public static _create(scope: Construct, id: string, api: IHttpProxyTargetHost, plan: TargetPlan, enableRouteMetrics: () => void): HttpProxyTarget {
    return new HttpProxyTarget(scope, id, api, plan, enableRouteMetrics);
  }

  /** The target id given to `addTarget`. */
  public readonly targetId: string;

  /** The route path on the API, e.g. `/weather/{city}`. */
  public readonly path: string;

  /** The HTTP methods of the route. */
  public readonly methods: string[];

  /** The first of `methods`, used by the metric helpers. */
  public readonly method: string;

  /** The upstream URL the route forwards to (placeholders kept). */
  public readonly integrationUri: string;

  /** Path parameters the caller must give, in route order. */
  public readonly pathParameters: string[];

  /** Query string parameters forwarded from the caller. */
  public readonly queryParameters: string[];

  /** Query string parameters the caller must give. */
  public readonly requiredQueryParameters: string[];

  /** Caller headers forwarded upstream. */
  public readonly requestHeaders: string[];

  /** Whether the route is a `{proxy+}` route. */
  public readonly proxy: boolean;

  /** How long API Gateway waits for the upstream before answering 504. */
  public readonly timeout: Duration;

  /** The API this target belongs to. */
  public readonly api: IHttpProxyTargetHost;

  /** The API Gateway methods of the route, one per HTTP method. */
  public readonly apiMethods: apigw.Method[] = [];

  private readonly arnPath: string;
  private readonly enableRouteMetrics: () => void;

  private constructor(scope: Construct, id: string, api: IHttpProxyTargetHost, plan: TargetPlan, enableRouteMetrics: () => void) {
    super(scope, id);
    this.enableRouteMetrics = enableRouteMetrics;
    this.timeout = plan.timeout;
    this.api = api;
    this.targetId = plan.id;
    this.path = plan.path;
    this.methods = [...plan.methods];
    this.method = plan.methods[0];
    this.integrationUri = plan.integrationUri;
    this.pathParameters = [...plan.pathParameters];
    this.queryParameters = Object.keys(plan.queryParameters);
    this.requiredQueryParameters = Object.entries(plan.queryParameters).filter(([, req]) => req).map(([q]) => q);
    this.requestHeaders = [...plan.requestHeaders];
    this.proxy = plan.proxy;
    this.arnPath = plan.arnPath;
  }

  /** The API's endpoint type (REGIONAL or PRIVATE). */
  public get endpointType(): apigw.EndpointType {
    return this.api.endpointType;
  }

  /**
   * The execute-api ARN of this route for one method on the API's stage;
   * path parameters and `{proxy+}` become `*`, and a route without them
   * gets an exact ARN.
   *
   * IAM's `*` also matches `/` (IAM user guide, "IAM JSON policy elements:
   * Resource", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html:
   * "The asterisk (*) character can expand to replace everything within a
   * segment, including characters like a forward slash (/)"), so the ARN
   * of `/forecast/{id}` also matches `/forecast/a/b`. The `HttpProxyApi`
   * therefore fails synth when this pattern matches a path that another of
   * its routes serves: within the API, the ARN reaches this route only.
   *
   * @param method an HTTP method of the route
   * @default - the route's first method
   */
  public arnForExecuteApi(method?: string): string {
    const m = method ?? this.method;
    if (!this.methods.includes(m)) {
      throw new Error(`${this.node.path}: invalid method for arnForExecuteApi: got ${JSON.stringify(m)}; accepted: ${this.methods.join(', ')}`);
    }
    return this.api.restApi.arnForExecuteApi(m, this.arnPath, this.api.stage.stageName);
  }

  /**
   * The execute-api ARN of this route and method on any API of this
   * account and region (`*` for the API id), for endpoint policies that
   * cannot name the API.
   *
   * @internal
   */
  public _routeArnOnAnyApi(method: string): string {
    // the literal stage name: stage.stageName refers to the stage resource
    const stageName = (this.api.stage.node.defaultChild as apigw.CfnStage).stageName;
    return Stack.of(this.api.restApi).formatArn({
      service: 'execute-api',
      resource: '*',
      resourceName: `${stageName}/${method}${this.arnPath}`,
    });
  }

  /**
   * Tells an API with `restrictToGrantedPrincipals` that `grantee` may
   * invoke this route's `method`, for its resource policy.
   *
   * @internal
   */
  public _recordGrant(grantee: iam.IGrantable, method: string): void {
    const stageName = (this.api.stage.node.defaultChild as apigw.CfnStage).stageName!;
    grantedPrincipalsOf(this.api.restApi)?.record(grantee, stageName, method, this.arnPath);
  }

  /**
   * Allows the grantee to invoke this route's methods on the API's stage
   * (see `arnForExecuteApi`: no other route of the API matches the ARNs).
   *
   * @param grantee the principal (a state machine's role, a workload's role)
   */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    this.methods.forEach((m) => this._recordGrant(grantee, m));
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: this.methods.map((m) => this.arnForExecuteApi(m)),
    });
  }

  /**
   * A CloudWatch metric of this route (namespace AWS/ApiGateway, filtered
   * by API name, stage, resource path and method). Needs
   * `detailedMetrics: true` on the API.
   *
   * @param metricName an AWS/ApiGateway metric name, e.g. `Latency` or `5XXError`
   * @param props statistic, period and other metric options
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!this.api.detailedMetrics) {
      Annotations.of(this).addWarningV2('cdk-inside-out-gateway:HttpProxyTarget.metricsDisabled',
        `metric ${metricName} of route ${this.path} stays empty: API Gateway publishes per-route metrics only when the HttpProxyApi has detailedMetrics: true`);
    }
    return new cloudwatch.Metric({
      namespace: 'AWS/ApiGateway',
      metricName,
      dimensionsMap: {
        ApiName: this.api.restApi.restApiName,
        Stage: this.api.stage.stageName,
        Resource: this.path,
        Method: this.method,
      },
      ...props,
    }).attachTo(this);
  }

  /** Time from request to response, including the upstream (average over 5 minutes). */
  public metricLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Latency', { statistic: 'Average', ...props });
  }

  /** Time the upstream took to answer (average over 5 minutes). */
  public metricIntegrationLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('IntegrationLatency', { statistic: 'Average', ...props });
  }

  /** Requests answered with a 4XX status (sum over 5 minutes). */
  public metricClientError(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('4XXError', { statistic: 'Sum', ...props });
  }

  /** Requests answered with a 5XX status (sum over 5 minutes). */
  public metricServerError(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('5XXError', { statistic: 'Sum', ...props });
  }

  /** Requests received (sample count over 5 minutes). */
  public metricCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Count', { statistic: 'SampleCount', ...props });
  }

  /** Requests served from the API cache (sum over 5 minutes). */
  public metricCacheHitCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('CacheHitCount', { statistic: 'Sum', ...props });
  }

  /** Requests sent upstream because the cache had no answer (sum over 5 minutes). */
  public metricCacheMissCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('CacheMissCount', { statistic: 'Sum', ...props });
  }

  /**
   * Requests to one method of this route, counted from the API's access
   * log (sum over 5 minutes). Unlike the AWS/ApiGateway metrics, it needs
   * no `detailedMetrics`: the first call adds two metric filters to the
   * API's access log group, shared by all its routes.
   *
   * @param method an HTTP method of the route
   * @default - the route's first method
   */
  public metricRequestCount(method?: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.routeMetric(ROUTE_REQUESTS_METRIC, method, props);
  }

  /**
   * Requests to one method of this route answered with a 4XX or 5XX status
   * (by the upstream or by API Gateway itself), counted from the API's
   * access log (sum over 5 minutes). See `metricRequestCount`.
   *
   * @param method an HTTP method of the route
   * @default - the route's first method
   */
  public metricErrorResponseCount(method?: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.routeMetric(ROUTE_ERRORS_METRIC, method, props);
  }

  /**
   * The share of requests to one method of this route answered with a 4XX
   * or 5XX status, from 0 to 1 (over 5 minutes); no data while the route
   * gets no requests.
   *
   * @param method an HTTP method of the route
   * @default - the route's first method
   */
  public metricErrorRate(method?: string, props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: 'errors / requests',
      usingMetrics: {
        errors: this.metricErrorResponseCount(method, { period: props?.period }),
        requests: this.metricRequestCount(method, { period: props?.period }),
      },
      label: `${this.path} ${method ?? this.method} error rate`,
      ...props,
    });
  }

  private routeMetric(metricName: string, method: string | undefined, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    const m = method ?? this.method;
    if (!this.methods.includes(m)) {
      throw new Error(`${this.node.path}: invalid method for ${metricName}: got ${JSON.stringify(m)}; accepted: ${this.methods.join(', ')}`);
    }
    this.enableRouteMetrics();
    return new cloudwatch.Metric({
      namespace: ROUTE_METRICS_NAMESPACE,
      metricName,
      dimensionsMap: {
        ApiId: this.api.restApi.restApiId,
        ResourcePath: this.path,
        HttpMethod: m,
      },
      statistic: 'Sum',
      ...props,
    });
  }
}
