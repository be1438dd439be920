/**
 * Secret headers and query parameters (how they reach the integration, and
 * what a rotation needs), and the TestInvokeMethod deny statement.
 */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { HeaderSecret, HttpProxyApi, HttpTargetOptions } from '../src';
import { testStack } from './support/test-stack';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:weather/api-key-AbCdEf';
const V1 = 'a1b2c3d4-0000-4000-8000-000000000001';
const V2 = 'a1b2c3d4-0000-4000-8000-000000000002';

function egress(stack: Stack, options: (secret: secretsmanager.ISecret) => HttpTargetOptions) {
  const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Key', SECRET_ARN);
  const api = new HttpProxyApi(stack, 'Egress');
  api.addTarget('forecast', options(secret));
  return { api, template: Template.fromStack(stack) };
}

function deploymentIds(template: Template): string[] {
  return Object.keys(template.findResources('AWS::ApiGateway::Deployment'));
}

describe('secretQueryParameters', () => {
  test('map a dynamic reference to integration.request.querystring, never the value', () => {
    // GIVEN a target whose upstream takes its key in the query string
    // WHEN it is synthesized
    const { template } = egress(testStack(), (secret) => ({
      url: 'https://api.example.com/v1/forecast',
      staticQueryParameters: { units: 'metric' },
      secretQueryParameters: { api_key: HeaderSecret.fromSecretsManager(secret, { jsonField: 'apiKey' }) },
    }));
    // THEN the integration maps the reference as a quoted literal
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      Integration: Match.objectLike({
        RequestParameters: Match.objectLike({
          'integration.request.querystring.api_key': `'{{resolve:secretsmanager:${SECRET_ARN}:SecretString:apiKey::}}'`,
          'integration.request.querystring.units': "'metric'",
        }),
      }),
    });
  });

  test('refuse a name also set as a static query parameter, or forwarded from the caller', () => {
    // GIVEN an API and a secret
    const stack = testStack();
    const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Key', SECRET_ARN);
    const api = new HttpProxyApi(stack, 'Egress');
    const key = HeaderSecret.fromSecretsManager(secret);
    // WHEN the name is set twice THEN the error names both props and the name
    expect(() => api.addTarget('a', { url: 'https://api.example.com/a', staticQueryParameters: { Key2: 'x' }, secretQueryParameters: { key2: key } }))
      .toThrow(/invalid addTarget\('a'\)\.staticQueryParameters and secretQueryParameters: got "key2"; accepted: each name once/);
    expect(() => api.addTarget('b', { url: 'https://api.example.com/b', queryParameters: ['api_key'], secretQueryParameters: { api_key: key } }))
      .toThrow(/invalid addTarget\('b'\)\.staticQueryParameters or secretQueryParameters: got "api_key"; accepted: a name not also forwarded from the caller/);
  });
});

describe('rotation: what makes a new secret value reach the stage', () => {
  test('without versionId, a rotation changes neither the method nor the deployment', () => {
    // GIVEN the same app synthesized before and after the secret was rotated
    // (a rotation changes nothing the app can see)
    const options = (secret: secretsmanager.ISecret): HttpTargetOptions => ({
      url: 'https://api.example.com/v1/forecast',
      secretHeaders: { 'X-Api-Key': HeaderSecret.fromSecretsManager(secret) },
    });
    // WHEN both are synthesized THEN the deployment is the same: CloudFormation would not touch the API
    expect(deploymentIds(egress(testStack(), options).template)).toEqual(deploymentIds(egress(testStack(), options).template));
  });

  test('a new versionId changes the reference and gives the stage a new deployment', () => {
    // GIVEN the app pinned to version 1, then to version 2
    const pinned = (versionId: string) => (secret: secretsmanager.ISecret): HttpTargetOptions => ({
      url: 'https://api.example.com/v1/forecast',
      secretHeaders: { 'X-Api-Key': HeaderSecret.fromSecretsManager(secret, { jsonField: 'apiKey', versionId }) },
      secretQueryParameters: { appid: HeaderSecret.fromSecretsManager(secret, { jsonField: 'appId', versionId }) },
    });
    // WHEN both are synthesized
    const before = egress(testStack(), pinned(V1)).template;
    const after = egress(testStack(), pinned(V2)).template;
    // THEN the reference names the version, and the deployment (hence the stage's) changes
    after.hasResourceProperties('AWS::ApiGateway::Method', {
      Integration: Match.objectLike({
        RequestParameters: Match.objectLike({
          'integration.request.header.X-Api-Key': `'{{resolve:secretsmanager:${SECRET_ARN}:SecretString:apiKey::${V2}}}'`,
          'integration.request.querystring.appid': `'{{resolve:secretsmanager:${SECRET_ARN}:SecretString:appId::${V2}}}'`,
        }),
      }),
    });
    expect(deploymentIds(after)).not.toEqual(deploymentIds(before));
    expect(after.findResources('AWS::ApiGateway::Stage')).not.toEqual(before.findResources('AWS::ApiGateway::Stage'));
  });

  test('refuse a versionId that is not a Secrets Manager version id', () => {
    // GIVEN a secret
    const stack = testStack();
    const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Key', SECRET_ARN);
    // WHEN the version is a stage label THEN the error names the prop, the value and what is accepted
    expect(() => HeaderSecret.fromSecretsManager(secret, { versionId: 'AWSCURRENT' }))
      .toThrow(/invalid HeaderSecret\.fromSecretsManager versionId: got "AWSCURRENT"; accepted: a literal Secrets Manager version id/);
  });
});

describe('HttpProxyApi.denyTestInvokeStatement', () => {
  test('denies apigateway:POST on every method of the given API', () => {
    // GIVEN an API
    const stack = testStack();
    const api = new HttpProxyApi(stack, 'Egress');
    api.addTarget('forecast', { url: 'https://api.example.com/v1/forecast' });
    // WHEN the statement goes into a managed policy (a permissions boundary)
    new iam.ManagedPolicy(stack, 'Boundary', { statements: [HttpProxyApi.denyTestInvokeStatement(api)] });
    // THEN it denies TestInvokeMethod on this API's methods, in this Region
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [{
          Sid: 'DenyEgressApiTestInvoke',
          Effect: 'Deny',
          Action: 'apigateway:POST',
          Resource: {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':apigateway:us-east-1::/restapis/', { Ref: Match.stringLikeRegexp('^EgressApi') }, '/resources/*/methods/*']],
          },
        }],
      },
    });
  });

  test('without an API, denies it on every REST API', () => {
    // GIVEN no API WHEN the statement is resolved in a stack
    const stack = testStack();
    const json = stack.resolve(HttpProxyApi.denyTestInvokeStatement().toStatementJson());
    // THEN its resource is every method of every REST API in every Region
    expect(json).toEqual({
      Sid: 'DenyEgressApiTestInvoke',
      Effect: 'Deny',
      Action: 'apigateway:POST',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':apigateway:*::/restapis/*/resources/*/methods/*']] },
    });
  });
});
