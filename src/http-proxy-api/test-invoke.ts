import { Aws, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * A Deny of TestInvokeMethod on the methods of one REST API, or of every
 * REST API when none is given.
 *
 * TestInvokeMethod is `POST /restapis/{id}/resources/{rid}/methods/{verb}`
 * on the API Gateway management endpoint, so IAM authorizes it as
 * `apigateway:POST` on that path's ARN, not as `execute-api:Invoke`
 * ("Simulate the invocation of a Method in your RestApi with headers,
 * parameters, and an incoming request body",
 * https://docs.aws.amazon.com/apigateway/latest/api/API_TestInvokeMethod.html).
 * Managing an API and calling it are two separate permission models
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/permissions.html),
 * and the test call is real: "Testing a method with the API Gateway console
 * is the same as calling the method outside of the API Gateway console"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-test-method.html).
 *
 * `apigateway:POST` on `.../methods/*` matches no other operation: creating
 * and changing methods and integrations are PUT, PATCH and DELETE.
 */
export function denyTestInvokeStatement(restApi?: apigw.IRestApi): iam.PolicyStatement {
  const resource = restApi
    ? `arn:${Stack.of(restApi).partition}:apigateway:${Stack.of(restApi).region}::/restapis/${restApi.restApiId}/resources/*/methods/*`
    : `arn:${Aws.PARTITION}:apigateway:*::/restapis/*/resources/*/methods/*`;
  return new iam.PolicyStatement({
    sid: 'DenyEgressApiTestInvoke',
    effect: iam.Effect.DENY,
    actions: ['apigateway:POST'],
    resources: [resource],
  });
}
