import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * Creates the account's API Gateway CloudWatch role and the
 * `AWS::ApiGateway::Account` setting that uses it, both retained when the
 * stack is deleted, and makes the stage wait for the setting.
 *
 * @param scope the construct the role and the setting are created in
 * @param stage the stage whose execution logging needs the setting
 */
export function createAccountCloudWatchRole(scope: Construct, stage: apigw.Stage): iam.Role {
  const role = new iam.Role(scope, 'AccountCloudWatchRole', {
    assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
    description: 'Lets API Gateway write execution and access logs in this account and region',
    inlinePolicies: {
      WriteApiGatewayLogs: new iam.PolicyDocument({
        statements: [new iam.PolicyStatement({
          actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams', 'logs:PutLogEvents', 'logs:GetLogEvents', 'logs:FilterLogEvents'],
          resources: [Stack.of(scope).formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
        })],
      }),
    },
  });
  role.applyRemovalPolicy(RemovalPolicy.RETAIN);
  const account = new apigw.CfnAccount(scope, 'Account', { cloudWatchRoleArn: role.roleArn });
  account.applyRemovalPolicy(RemovalPolicy.RETAIN);
  stage.node.addDependency(account);
  return role;
}
