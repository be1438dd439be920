/**
 * Secret headers and query parameters: how they reach the integration.
 */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { HeaderSecret, HttpProxyApi, HttpTargetOptions } from '../src';
import { testStack } from './support/test-stack';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:weather/api-key-AbCdEf';

function egress(stack: Stack, options: (secret: secretsmanager.ISecret) => HttpTargetOptions) {
  const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Key', SECRET_ARN);
  const api = new HttpProxyApi(stack, 'Egress');
  api.addTarget('forecast', options(secret));
  return { api, template: Template.fromStack(stack) };
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
