/**
 * Every option of the four constructs turned on in one stack, for the
 * scans and the least-privilege walk: a REGIONAL API with caching, detailed
 * metrics, tracing, a customer log key and every kind of target (path and
 * query parameters, proxy, POST body, static, forwarded and secret headers,
 * per-target throttle and timeout); a STANDARD invoker with a cron schedule,
 * retries, full logging into its own key, a flexible window and alarms to a
 * topic; an archive with a customer key, lifecycle, change detection (per
 * target part, changes only) announcing on SNS and EventBridge; and the
 * private variant: an isolated VPC with gateway endpoints, its execute-api
 * endpoint, its DNS Firewall with an added domain and query logging into
 * the customer key, a PRIVATE API and a workload allowed one route.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { testStack } from './test-stack';
import { createAlarmTopic } from '../../examples/alarm-topic';
import { allowCloudWatchLogsOfThisAccount } from '../../examples/key-policy';
import {
  HeaderSecret, HttpProxyApi, InvokerSchedule, PrivateVpcEgressPolicy, RequestBody, ResponseArchive, ScheduledInvoker,
} from '../../src';
import { denyGrantsExceptForAwsServices } from '../../src/common/encryption-key';
import { ManagedPolicyRole } from '../../src/common/managed-policy-role';

export function kitchenSinkStack(): Stack {
  const stack = testStack('KitchenSink');
  // retained (the default), as the log groups it encrypts are
  const key = new kms.Key(stack, 'Key', { description: 'Logs, archive and hashes of the kitchen sink', enableKeyRotation: true });
  allowCloudWatchLogsOfThisAccount(key);
  key.addToResourcePolicy(denyGrantsExceptForAwsServices());

  const api = new HttpProxyApi(stack, 'Egress', {
    restApiName: 'kitchen-sink-egress',
    description: 'Every option on',
    stageName: 'live',
    throttle: { rateLimit: 20, burstLimit: 40 },
    executionLogLevel: apigw.MethodLoggingLevel.INFO,
    detailedMetrics: true,
    tracing: true,
    cacheClusterSize: '0.5',
    logRetention: logs.RetentionDays.TWO_YEARS,
    logEncryptionKey: key,
    logRemovalPolicy: RemovalPolicy.DESTROY,
    restrictToGrantedPrincipals: true,
  });
  // the partner's token is the user's secret, rotated where they keep it
  const token = secretsmanager.Secret.fromSecretNameV2(stack, 'PartnerToken', 'partner/api-key');
  const forecast = api.addTarget('forecast', {
    url: 'https://api.weather.example/v2/forecast/{city}',
    queryParameters: ['days'],
    requiredQueryParameters: ['units'],
    requestHeaders: ['Accept-Language'],
    staticHeaders: { 'User-Agent': 'kitchen-sink' },
    staticQueryParameters: { format: 'json' },
    responseHeaders: ['Content-Type', 'ETag'],
    timeout: Duration.seconds(10),
    throttle: { rateLimit: 5, burstLimit: 10 },
    cacheTtl: Duration.minutes(5),
  });
  const orders = api.addTarget('orders', {
    url: 'https://partner.example/api/orders',
    methods: ['POST'],
    secretHeaders: { 'X-Api-Key': HeaderSecret.fromSecretsManager(token) },
  });
  const docs = api.addTarget('docs', { url: 'https://docs.partner.example/', proxy: true });

  const archive = new ResponseArchive(stack, 'Archive', {
    encryptionKey: key,
    prefix: 'polls/',
    transitionAfter: Duration.days(30),
    expireAfter: Duration.days(400),
    noncurrentVersionExpiration: Duration.days(30),
    accessLogsExpiration: Duration.days(90),
    removalPolicy: RemovalPolicy.DESTROY,
    changeDetection: {
      targetHashPaths: { forecast: '$.days' },
      storeChangesOnly: true,
      eventBus: new events.EventBus(stack, 'Changes'),
      encryptionKey: key,
    },
  });

  new ScheduledInvoker(stack, 'Poller', {
    schedule: InvokerSchedule.cron({ minute: '0/30', hour: '6-22' }),
    requests: [
      { target: forecast, id: 'berlin', pathParameters: { city: 'berlin' }, queryParameters: { days: '3', units: 'metric' }, headers: { 'Accept-Language': 'de' } },
      { target: orders, id: 'order-feed', body: RequestBody.fromObject({ since: 'yesterday' }) },
      { target: docs, id: 'changelog', proxyPath: 'changelog/latest' },
    ],
    maxConcurrency: 2,
    workflowType: sfn.StateMachineType.STANDARD,
    executionTimeout: Duration.minutes(10),
    requestTimeout: Duration.seconds(15),
    retry: { maxAttempts: 4, interval: Duration.seconds(3), backoffRate: 1.5, maxDelay: Duration.seconds(20), jitter: true },
    sink: archive,
    logLevel: sfn.LogLevel.ALL,
    includeExecutionDataInLogs: true,
    logRetention: logs.RetentionDays.ONE_YEAR,
    logEncryptionKey: key,
    logRemovalPolicy: RemovalPolicy.DESTROY,
    flexibleTimeWindow: Duration.minutes(5),
    scheduleRetryAttempts: 5,
    scheduleMaxEventAge: Duration.hours(2),
    alarmTopic: createAlarmTopic(stack),
    errorRateThreshold: 0.25,
  });

  const egress = new PrivateVpcEgressPolicy(stack, 'PrivateEgress', {
    isolatedVpc: {
      maxAzs: 2,
      dynamoDbGatewayEndpoint: true,
      s3GatewayEndpoint: true,
      flowLogRetention: logs.RetentionDays.ONE_YEAR,
      flowLogEncryptionKey: key,
    },
    dnsFirewall: {
      allowedDomains: ['*.internal.partner.example'],
      queryLogRetention: logs.RetentionDays.ONE_YEAR,
      queryLogEncryptionKey: key,
      queryLogRemovalPolicy: RemovalPolicy.DESTROY,
    },
  });
  const privateApi = new HttpProxyApi(stack, 'PrivateApi', { endpointType: apigw.EndpointType.PRIVATE, privateAccess: egress, logEncryptionKey: key });
  const status = privateApi.addTarget('status', { url: 'https://status.partner.example/api/{item}' });
  // a workload role that keeps its grants in a managed policy, as NIST and HIPAA ask
  const workload = new ManagedPolicyRole(stack, 'Workload', {
    assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
  }, 'The workload: one route');
  egress.allow(workload, status);
  return stack;
}
