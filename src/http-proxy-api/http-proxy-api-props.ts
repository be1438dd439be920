import { RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IPrivateApiAccess } from './private-api-access';
import { ThrottleOptions } from './throttle';

/** Props of `HttpProxyApi`. */
export interface HttpProxyApiProps {
  /**
   * REGIONAL (callable by Step Functions) or PRIVATE (callable only from
   * VPCs through an execute-api interface endpoint; needs `privateAccess`).
   * EDGE is refused: Step Functions cannot call it and an egress API gains
   * nothing from CloudFront.
   *
   * @default EndpointType.REGIONAL
   */
  readonly endpointType?: apigw.EndpointType;

  /**
   * How in-VPC callers reach a PRIVATE API: the endpoints and the resource
   * policy. Required with PRIVATE and refused otherwise. Pass a
   * `PrivateVpcEgressPolicy`, or `PrivateApiAccess.throughVpcEndpoints(...)`.
   *
   * @default - none (REGIONAL API)
   */
  readonly privateAccess?: IPrivateApiAccess;

  /**
   * On a REGIONAL API, attach a resource policy that admits only the
   * principals granted a route (by `grantInvoke()` or a
   * `ScheduledInvoker`): each is allowed its routes, and every other
   * principal, of this account or another, is explicitly denied, whatever
   * its identity policies allow. Grantees must be roles, users or
   * `ArnPrincipal`s. Refused on a PRIVATE API, whose access is set by
   * `privateAccess`.
   *
   * @default false
   */
  readonly restrictToGrantedPrincipals?: boolean;

  /**
   * Name of the REST API.
   *
   * @default - the construct's path
   */
  readonly restApiName?: string;

  /**
   * Description of the REST API.
   *
   * @default 'Egress API: IAM-authorised routes to allow-listed external HTTPS targets'
   */
  readonly description?: string;

  /**
   * Name of the deployed stage.
   *
   * @default 'egress'
   */
  readonly stageName?: string;

  /**
   * Default rate limits of every route.
   *
   * @default { rateLimit: 50, burstLimit: 100 }
   */
  readonly throttle?: ThrottleOptions;

  /**
   * Execution log level. Request and response data are never logged, so
   * headers and bodies (secrets included) stay out of the logs.
   *
   * @default MethodLoggingLevel.ERROR
   */
  readonly executionLogLevel?: apigw.MethodLoggingLevel;

  /**
   * Publish per-route CloudWatch metrics (needed by the target metric
   * helpers). Each route method adds custom metrics to the CloudWatch bill.
   *
   * @default false
   */
  readonly detailedMetrics?: boolean;

  /**
   * X-Ray tracing of the stage.
   *
   * @default true
   */
  readonly tracing?: boolean;

  /**
   * Size of an API cache cluster, in GB: 0.5, 1.6, 6.1, 13.5, 28.4, 58.2,
   * 118 or 237. Targets opt in with `cacheTtl`.
   *
   * @default - no cache cluster
   */
  readonly cacheClusterSize?: string;

  /**
   * Refuse requests that miss a required path or query parameter with 400
   * before they reach the upstream.
   *
   * @default true
   */
  readonly requestValidation?: boolean;

  /**
   * Retention of the access log group and of the execution log group.
   *
   * @default RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * KMS key that encrypts the access and execution log groups.
   *
   * @default - the stack's shared log key (`InsideOutGatewayLogKey`, with
   * rotation), created once per stack and used by every construct of this
   * library that is given no key
   */
  readonly logEncryptionKey?: kms.IKey;

  /**
   * What happens to the log groups when the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;

  /**
   * Set the account's API Gateway CloudWatch role (the one
   * `AWS::ApiGateway::Account` per account and region, which execution
   * logging needs). Enable it in one stack per account and region only;
   * the role and the setting are retained when the stack is deleted, so
   * other APIs keep logging.
   *
   * @default false - the account's existing setting is used
   */
  readonly cloudWatchRole?: boolean;
}
