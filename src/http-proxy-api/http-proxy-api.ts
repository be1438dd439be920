import { Lazy, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { accessLogFormat } from './access-log-format';
import { createAccountCloudWatchRole } from './account-cloudwatch-role';
import { wholeApiValidation } from './api-validation';
import { GrantedPrincipals, registerGrantedPrincipals } from './granted-principals';
import { HttpProxyApiProps } from './http-proxy-api-props';
import { HttpProxyTarget, IHttpProxyTargetHost } from './http-proxy-target';
import { cacheTtlFor, renderMethodSettings } from './method-settings';
import { integrationFor, methodRequestParameters, methodResponses } from './route-integration';
import { createRouteMetricFilters } from './route-metrics';
import { admitTarget } from './target-admission';
import { HttpTargetOptions } from './target-options';
import { planTarget, TargetPlan } from './target-plan';
import { denyTestInvokeStatement } from './test-invoke';
import { ThrottleOptions, validateThrottle } from './throttle';
import { acknowledge, acknowledgeInCompliancePacks } from '../common/acknowledgements';
import { invalidProp } from '../common/errors';
import { stackLogEncryptionKey } from '../common/log-key';
import { acknowledgeInTemplate } from '../common/template-acknowledgements';

/** API Gateway cache cluster sizes, in GB. */
const CACHE_CLUSTER_SIZES = ['0.5', '1.6', '6.1', '13.5', '28.4', '58.2', '118', '237'];

const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * A REST API whose routes forward to allow-listed external HTTPS targets:
 * the egress of the inside-out pattern.
 *
 * Every method uses IAM (SigV4) authorization, every route forwards only
 * the path, query parameters and headers it declares (never the caller's
 * credentials), and the stage has JSON access logs, execution logs,
 * X-Ray tracing and throttling.
 *
 * @example
 * const api = new HttpProxyApi(this, 'Egress');
 * const weather = api.addTarget('weather', {
 *   url: 'https://api.example.com/v1/forecast/{city}',
 *   queryParameters: ['units'],
 * });
 */
export class HttpProxyApi extends Construct implements IHttpProxyTargetHost {
  /**
   * A policy statement that denies `apigateway:POST` on the methods of
   * this API (or of every REST API, when no API is given): the permission
   * behind API Gateway's TestInvokeMethod (the console's Test tab), which
   * calls a route's real upstream, with its secret headers and query
   * parameters, through the management API instead of execute-api, so the
   * route's `execute-api:Invoke` grants and a private API's VPC endpoint
   * do not apply. Put it in a permissions boundary or an SCP for every
   * principal that must not use the egress outside its grants.
   *
   * The resource is the API's methods path in the management ARN format,
   * `arn:<partition>:apigateway:<region>::/restapis/<id>/resources/...`,
   * every resource and method; without an API, every REST API id and
   * Region. The partition (and the id) are tokens resolved in a stack:
   * in an SCP, write the resolved ARN.
   *
   * @example
   * const api = new HttpProxyApi(this, 'Egress');
   * // developers may manage the stack but not call its upstreams outside their grants
   * new iam.ManagedPolicy(this, 'NoEgressTestInvoke', {
   *   statements: [HttpProxyApi.denyTestInvokeStatement(api)],
   * });
   *
   * @param api the API whose methods to cover
   * @default - every REST API in every Region of the partition
   */
  public static denyTestInvokeStatement(api?: HttpProxyApi): iam.PolicyStatement {
    return denyTestInvokeStatement(api?.restApi);
  }

  /** The underlying REST API. */
  public readonly restApi: apigw.RestApi;

  /** The deployed stage. */
  public readonly stage: apigw.Stage;

  /** The access log group (JSON lines). */
  public readonly accessLogGroup: logs.LogGroup;

  /** The execution log group API Gateway writes to, created ahead with encryption and retention. */
  public readonly executionLogGroup: logs.LogGroup;

  /** The key that encrypts both log groups. */
  public readonly logEncryptionKey: kms.IKey;

  /** REGIONAL or PRIVATE. */
  public readonly endpointType: apigw.EndpointType;

  /** Whether per-route metrics are published. */
  public readonly detailedMetrics: boolean;

  /** The request validator attached to every method, if `requestValidation` is on. */
  public readonly requestValidator?: apigw.RequestValidator;

  /** The account CloudWatch role, when `cloudWatchRole` is true. */
  public readonly cloudWatchRole?: iam.Role;

  private readonly _targets: HttpProxyTarget[] = [];
  private readonly plans: TargetPlan[] = [];
  private readonly throttle: ThrottleOptions;
  private readonly cacheEnabled: boolean;
  private readonly loggingLevel: apigw.MethodLoggingLevel;
  private routeMetricFilters?: logs.MetricFilter[];

  constructor(scope: Construct, id: string, props: HttpProxyApiProps = {}) {
    super(scope, id);

    this.endpointType = props.endpointType ?? apigw.EndpointType.REGIONAL;
    if (this.endpointType === apigw.EndpointType.EDGE) {
      throw invalidProp(this, 'endpointType', 'EDGE', 'REGIONAL (the default; Step Functions can call it) or PRIVATE (in-VPC callers, with privateAccess); Step Functions cannot call edge-optimized APIs');
    }
    if (this.endpointType === apigw.EndpointType.PRIVATE && !props.privateAccess) {
      throw invalidProp(this, 'privateAccess', undefined, 'a PrivateVpcEgressPolicy or PrivateApiAccess.throughVpcEndpoints(...) when endpointType is PRIVATE');
    }
    if (this.endpointType !== apigw.EndpointType.PRIVATE && props.privateAccess) {
      throw invalidProp(this, 'privateAccess', 'given', `no privateAccess on a ${this.endpointType} API; set endpointType: EndpointType.PRIVATE to use it`);
    }
    const stageName = props.stageName ?? 'egress';
    if (Token.isUnresolved(stageName) || !STAGE_NAME.test(stageName)) {
      throw invalidProp(this, 'stageName', stageName, 'letters, digits, _ and -, 1 to 128 characters');
    }
    this.throttle = props.throttle ?? { rateLimit: 50, burstLimit: 100 };
    validateThrottle(this, 'throttle', this.throttle);
    if (props.cacheClusterSize !== undefined && !CACHE_CLUSTER_SIZES.includes(props.cacheClusterSize)) {
      throw invalidProp(this, 'cacheClusterSize', props.cacheClusterSize, CACHE_CLUSTER_SIZES.join(', '));
    }
    this.cacheEnabled = props.cacheClusterSize !== undefined;
    this.detailedMetrics = props.detailedMetrics ?? false;
    this.loggingLevel = props.executionLogLevel ?? apigw.MethodLoggingLevel.ERROR;
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const removalPolicy = props.logRemovalPolicy ?? RemovalPolicy.RETAIN;

    this.logEncryptionKey = props.logEncryptionKey
      ?? stackLogEncryptionKey(this);
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention,
      encryptionKey: this.logEncryptionKey,
      removalPolicy,
    });

    const privateConfig = props.privateAccess?.bindToApi(this);
    if (props.restrictToGrantedPrincipals && this.endpointType === apigw.EndpointType.PRIVATE) {
      throw invalidProp(this, 'restrictToGrantedPrincipals', true, 'false or unset on a PRIVATE API: its resource policy comes from privateAccess');
    }
    const granted = props.restrictToGrantedPrincipals ? new GrantedPrincipals() : undefined;

    this.restApi = new apigw.RestApi(this, 'Api', {
      restApiName: props.restApiName,
      description: props.description ?? 'Egress API: IAM-authorised routes to allow-listed external HTTPS targets',
      endpointConfiguration: {
        types: [this.endpointType],
        vpcEndpoints: privateConfig?.vpcEndpoints,
      },
      policy: privateConfig?.policy ?? granted?.document,
      cloudWatchRole: false,
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.IAM },
      deployOptions: {
        stageName,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: accessLogFormat(),
        tracingEnabled: props.tracing ?? true,
        cacheClusterEnabled: this.cacheEnabled ? true : undefined,
        cacheClusterSize: props.cacheClusterSize,
      },
    });
    this.stage = this.restApi.deploymentStage;
    if (granted) {
      registerGrantedPrincipals(this.restApi, granted);
      this.node.addValidation({ validate: () => granted.validate(this) });
    }
    acknowledge(this.stage, 'webApplicationFirewall');
    acknowledgeInCompliancePacks(this.stage, 'webApplicationFirewallInCompliancePacks');
    acknowledgeInCompliancePacks(this.stage, 'responseCache');
    acknowledgeInCompliancePacks(this.stage, 'backendClientCertificate');
    acknowledgeInTemplate(this.stage, 'stageCache');

    // The stage's method settings are rendered late, so targets added after
    // construction get their throttle and cache overrides.
    const cfnStage = this.stage.node.defaultChild as apigw.CfnStage;
    cfnStage.methodSettings = Lazy.any({
      produce: () => renderMethodSettings({
        loggingLevel: this.loggingLevel,
        detailedMetrics: this.detailedMetrics,
        throttle: this.throttle,
        cacheEnabled: this.cacheEnabled,
      }, this.plans),
    });

    // Execution logs: API Gateway writes to this fixed name; creating the
    // group first gives it encryption and retention instead of a
    // never-expiring unencrypted group.
    this.executionLogGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.restApi.restApiId}/${stageName}`,
      retention,
      encryptionKey: this.logEncryptionKey,
      removalPolicy,
    });
    this.stage.node.addDependency(this.executionLogGroup);

    if (props.requestValidation ?? true) {
      this.requestValidator = this.restApi.addRequestValidator('ParameterValidator', {
        validateRequestParameters: true,
        // no body model is defined, so bodies pass as they are; a model a
        // user attaches to a method is enforced
        validateRequestBody: true,
      });
    }

    if (props.cloudWatchRole) {
      this.cloudWatchRole = createAccountCloudWatchRole(this, this.stage);
    }

    this.node.addValidation(wholeApiValidation(this, this.restApi, this._targets, this.plans));
  }

  /** The targets added so far. */
  public get targets(): HttpProxyTarget[] {
    return [...this._targets];
  }

  /** The invoke URL of the stage. */
  public get url(): string {
    return this.restApi.url;
  }

  /**
   * Adds a route that forwards to one external URL.
   *
   * @param id a lower-case id, unique in this API; the default route path is `/<id>`
   * @param options the upstream URL and what the route forwards
   */
  public addTarget(id: string, options: HttpTargetOptions): HttpProxyTarget {
    const plan = planTarget(this, id, options);
    admitTarget(this, id, plan, options, this.plans, this.cacheEnabled);

    this.plans.push(plan);
    const target = HttpProxyTarget._create(this, `Target-${id}`, this, plan, () => this.enableRouteMetrics());
    const resource = this.restApi.root.resourceForPath(plan.path);
    const secrets = { headers: options.secretHeaders ?? {}, query: options.secretQueryParameters ?? {} };
    for (const method of plan.methods) {
      const apiMethod = resource.addMethod(method, integrationFor(plan, method, secrets, cacheTtlFor(plan, method) !== undefined), {
        authorizationType: apigw.AuthorizationType.IAM,
        requestParameters: methodRequestParameters(plan),
        requestValidator: this.requestValidator,
        methodResponses: methodResponses(plan),
      });
      acknowledge(apiMethod, 'cognitoAuthorizer');
      target.apiMethods.push(apiMethod);
    }
    this._targets.push(target);
    return target;
  }

  /**
   * Adds several routes at once, from definitions that can be shared: give
   * the same definitions to a REGIONAL API (for a `ScheduledInvoker`) and to
   * a PRIVATE one (for in-VPC callers).
   *
   * @param definitions target options by target id
   * @returns the targets by target id
   */
  public addTargets(definitions: { [id: string]: HttpTargetOptions }): { [id: string]: HttpProxyTarget } {
    return Object.fromEntries(Object.entries(definitions).map(([id, options]) => [id, this.addTarget(id, options)]));
  }

  /**
   * Counts requests and error responses per route from the access log, with
   * two metric filters shared by every route. Created on first use, so an
   * API whose route metrics nobody reads publishes no custom metrics.
   */
  private enableRouteMetrics(): void {
    if (this.routeMetricFilters) {
      return;
    }
    this.routeMetricFilters = createRouteMetricFilters(this, this.accessLogGroup);
  }
}
