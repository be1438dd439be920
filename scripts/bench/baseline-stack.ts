/**
 * The BASELINE: the same polling written by hand with aws-cdk-lib in the
 * naive layout a user would reach for without the library, one of
 * everything per request:
 *
 * - one Regional REST API with IAM auth, and one route `/rN` per request
 *   with an HTTP integration to that request's upstream URL;
 * - one EXPRESS state machine per request, a single
 *   CallApiGatewayRestApiEndpoint task (IAM_ROLE) with a retry on 429/5xx;
 * - one EventBridge Scheduler CfnSchedule per request, with its own role.
 *
 * It has none of the library's logs, alarms, dead-letter queue, KMS keys
 * or archive, so it is the smallest naive layout, not an equivalent one.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { BENCH_ACCOUNT, BENCH_REGION } from './library-stack';

export interface BaselineStackOptions {
  readonly requests: number;
  readonly targets: number;
}

export function buildBaselineStack(app: App, id: string, options: BaselineStackOptions): Stack {
  const stack = new Stack(app, id, { env: { account: BENCH_ACCOUNT, region: BENCH_REGION } });
  const api = new apigw.RestApi(stack, 'Api', {
    endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
    defaultMethodOptions: { authorizationType: apigw.AuthorizationType.IAM },
    cloudWatchRole: false,
    deployOptions: { stageName: 'egress' },
  });
  for (let i = 0; i < options.requests; i++) {
    const t = i % options.targets;
    const route = api.root.addResource(`r${i}`);
    route.addMethod('GET', new apigw.HttpIntegration(`https://feed${t}.example.com/v1/items/item-${i}`, { httpMethod: 'GET' }));

    const invoke = new tasks.CallApiGatewayRestApiEndpoint(stack, `Invoke${i}`, {
      api,
      stageName: api.deploymentStage.stageName,
      method: tasks.HttpMethod.GET,
      apiPath: `/r${i}`,
      authType: tasks.AuthType.IAM_ROLE,
    });
    invoke.addRetry({ errors: ['ApiGateway.429', 'ApiGateway.500', 'ApiGateway.502', 'ApiGateway.503', 'ApiGateway.504'], maxAttempts: 3 });
    const machine = new sfn.StateMachine(stack, `Poller${i}`, {
      stateMachineType: sfn.StateMachineType.EXPRESS,
      definitionBody: sfn.DefinitionBody.fromChainable(invoke),
      timeout: Duration.minutes(5),
    });

    const role = new iam.Role(stack, `ScheduleRole${i}`, { assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com') });
    machine.grantStartExecution(role);
    new scheduler.CfnSchedule(stack, `Schedule${i}`, {
      scheduleExpression: 'rate(15 minutes)',
      flexibleTimeWindow: { mode: 'OFF' },
      target: { arn: machine.stateMachineArn, roleArn: role.roleArn, input: JSON.stringify({ request: `r${i}` }) },
    });
  }
  return stack;
}
