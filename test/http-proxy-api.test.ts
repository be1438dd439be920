import { CfnParameter, Duration, RemovalPolicy, SecretValue } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { HeaderSecret, HttpProxyApi, PrivateApiAccess } from '../src';
import { testStack, validationErrors } from './support/test-stack';

function apiWithTarget(props = {}, target = {}) {
  const stack = testStack();
  const api = new HttpProxyApi(stack, 'Egress', props);
  const t = api.addTarget('weather', { url: 'https://api.example.com/v1/forecast/{city}', queryParameters: ['days'], ...target });
  return { stack, api, target: t, template: () => Template.fromStack(stack) };
}

describe('HttpProxyApi: the API', () => {
  test('is REGIONAL by default, so Step Functions can call it', () => {
    // GIVEN an API with defaults WHEN synthesized
    const { template } = apiWithTarget();
    // THEN the REST API is REGIONAL and has no resource policy
    template().hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
      Policy: Match.absent(),
    });
  });

  test('every method uses IAM (SigV4) authorization', () => {
    // GIVEN two targets with several methods
    const { api, template } = apiWithTarget();
    api.addTarget('orders', { url: 'https://shop.example.com/orders', methods: ['GET', 'POST', 'DELETE'] });
    // THEN all four methods are AWS_IAM
    const methods = template().findResources('AWS::ApiGateway::Method');
    expect(Object.keys(methods)).toHaveLength(4);
    for (const m of Object.values(methods)) {
      expect((m as any).Properties.AuthorizationType).toBe('AWS_IAM');
    }
  });

  test('a method added around addTarget without IAM fails synth', () => {
    // GIVEN a user who adds an open method on the underlying RestApi
    const { stack, api } = apiWithTarget();
    api.restApi.root.addResource('open').addMethod('GET', new apigw.MockIntegration(), { authorizationType: apigw.AuthorizationType.NONE });
    // THEN validation names the method and says what to do
    expect(validationErrors(stack).join('\n')).toMatch(/GET \/open uses authorization NONE; every method of an HttpProxyApi must use AWS_IAM/);
  });

  test('an API with no targets fails synth with a clear message', () => {
    const stack = testStack();
    new HttpProxyApi(stack, 'Egress');
    expect(validationErrors(stack).join('\n')).toMatch(/targets: the API has no targets; call addTarget\(\)/);
  });

  test('the stage has JSON access logs, error execution logs without data, X-Ray and throttling', () => {
    const { template } = apiWithTarget();
    template().hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'egress',
      TracingEnabled: true,
      AccessLogSetting: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('EgressAccessLogs'), 'Arn'] },
        Format: Match.serializedJson(Match.objectLike({ requestId: '$context.requestId', userArn: '$context.identity.userArn', integrationStatus: '$context.integration.status', path: '$context.path' })),
      },
      MethodSettings: [{
        ResourcePath: '/*',
        HttpMethod: '*',
        LoggingLevel: 'ERROR',
        DataTraceEnabled: false,
        MetricsEnabled: false,
        ThrottlingRateLimit: 50,
        ThrottlingBurstLimit: 100,
      }],
    });
  });

  test('access and execution log groups are KMS-encrypted with a year of retention, the key rotates', () => {
    const { template } = apiWithTarget();
    const t = template();
    t.resourceCountIs('AWS::Logs::LogGroup', 2);
    t.allResourcesProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 365,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('InsideOutGatewayLogKey'), 'Arn'] },
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: Match.stringLikeRegexp('EgressApi') }, '/egress']] },
    });
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    // the stage waits for the execution log group, so API Gateway never creates an unencrypted one first
    const stage = Object.values(t.findResources('AWS::ApiGateway::Stage'))[0] as any;
    expect(stage.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/EgressExecutionLogs/)]));
  });

  test('a request validator checks parameters on every method, and can be turned off', () => {
    const on = apiWithTarget();
    on.template().hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestParameters: true, ValidateRequestBody: true });
    on.template().hasResourceProperties('AWS::ApiGateway::Method', { RequestValidatorId: { Ref: Match.stringLikeRegexp('ParameterValidator') } });
    const off = apiWithTarget({ requestValidation: false });
    off.template().resourceCountIs('AWS::ApiGateway::RequestValidator', 0);
  });

  test('does not touch the account CloudWatch role unless asked, and retains it when asked', () => {
    apiWithTarget().template().resourceCountIs('AWS::ApiGateway::Account', 0);
    const { template } = apiWithTarget({ cloudWatchRole: true });
    template().hasResource('AWS::ApiGateway::Account', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template().hasResource('AWS::IAM::Role', {
      DeletionPolicy: 'Retain',
      Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })] } },
    });
  });

  test('PRIVATE takes its endpoints and resource policy from the private access seam', () => {
    // GIVEN an interface endpoint and a PRIVATE API bound to it
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const endpoint = vpc.addInterfaceEndpoint('ExecuteApi', { service: ec2.InterfaceVpcEndpointAwsService.APIGATEWAY });
    const api = new HttpProxyApi(stack, 'Private', {
      endpointType: apigw.EndpointType.PRIVATE,
      privateAccess: PrivateApiAccess.throughVpcEndpoints(endpoint),
    });
    api.addTarget('weather', { url: 'https://api.example.com/v1' });
    // THEN the API is PRIVATE, associated with the endpoint, and denies calls from anywhere else
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['PRIVATE'], VpcEndpointIds: [{ Ref: Match.stringLikeRegexp('VpcExecuteApi') }] },
      Policy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Allow', Action: 'execute-api:Invoke', Principal: { AWS: { 'Fn::Join': Match.anyValue() } } }),
          Match.objectLike({
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'execute-api:Invoke',
            Resource: 'execute-api:/*',
            Condition: { StringNotEquals: { 'aws:SourceVpce': [{ Ref: Match.stringLikeRegexp('VpcExecuteApi') }] } },
          }),
        ]),
      },
    });
  });

  test('an optional encrypted cache cluster with a per-target TTL and cache keys', () => {
    const { template } = apiWithTarget({ cacheClusterSize: '0.5' }, { cacheTtl: Duration.minutes(5) });
    template().hasResourceProperties('AWS::ApiGateway::Stage', {
      CacheClusterEnabled: true,
      CacheClusterSize: '0.5',
      MethodSettings: Match.arrayWith([
        Match.objectLike({ ResourcePath: '/*', CachingEnabled: false, CacheDataEncrypted: true }),
        Match.objectLike({ ResourcePath: '/~1weather~1{city}', HttpMethod: 'GET', CachingEnabled: true, CacheTtlInSeconds: 300, CacheDataEncrypted: true }),
      ]),
    });
    template().hasResourceProperties('AWS::ApiGateway::Method', {
      Integration: { CacheKeyParameters: ['method.request.path.city', 'method.request.querystring.days'], CacheNamespace: 'weather' },
    });
  });

  test('a per-target throttle overrides the API default for that route only', () => {
    const { template } = apiWithTarget({ throttle: { rateLimit: 10, burstLimit: 20 } }, { throttle: { rateLimit: 1, burstLimit: 2 } });
    template().hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [
        Match.objectLike({ ResourcePath: '/*', ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 }),
        Match.objectLike({ ResourcePath: '/~1weather~1{city}', HttpMethod: 'GET', ThrottlingRateLimit: 1, ThrottlingBurstLimit: 2, LoggingLevel: 'ERROR' }),
      ],
    });
  });

  test('name, description and the log settings can be given', () => {
    // GIVEN a shared key, a shorter retention and a destroy policy
    const stack = testStack();
    const key = new kms.Key(stack, 'SharedKey');
    const api = new HttpProxyApi(stack, 'Egress', {
      restApiName: 'partner-egress',
      description: 'egress to partners',
      logEncryptionKey: key,
      logRetention: logs.RetentionDays.THREE_MONTHS,
      logRemovalPolicy: RemovalPolicy.DESTROY,
    });
    api.addTarget('a', { url: 'https://api.example.com/' });
    // THEN the API is named, no key of its own is created, and both log groups follow the settings
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: 'partner-egress', Description: 'egress to partners' });
    t.resourceCountIs('AWS::KMS::Key', 1);
    expect(api.logEncryptionKey).toBe(key);
    t.allResources('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Delete',
      Properties: { RetentionInDays: 90, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('SharedKey'), 'Arn'] } },
    });
  });

  test('stage options: name, log level, detailed metrics, tracing off', () => {
    const { template } = apiWithTarget({ stageName: 'v1', executionLogLevel: apigw.MethodLoggingLevel.INFO, detailedMetrics: true, tracing: false });
    template().hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: false,
      MethodSettings: [Match.objectLike({ LoggingLevel: 'INFO', MetricsEnabled: true, DataTraceEnabled: false })],
    });
  });
});

describe('HttpProxyApi: targets', () => {
  test('a target forwards exactly its declared path, query and headers to a fixed upstream', () => {
    const { template } = apiWithTarget({}, {
      requestHeaders: ['Accept-Language'],
      staticHeaders: { 'User-Agent': 'inside-out-poller' },
      staticQueryParameters: { units: 'metric' },
      requiredQueryParameters: ['lat'],
    });
    template().hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      AuthorizationType: 'AWS_IAM',
      RequestParameters: {
        'method.request.path.city': true,
        'method.request.querystring.days': false,
        'method.request.querystring.lat': true,
        'method.request.header.Accept-Language': false,
      },
      Integration: {
        Type: 'HTTP',
        IntegrationHttpMethod: 'GET',
        Uri: 'https://api.example.com/v1/forecast/{city}',
        TimeoutInMillis: 29000,
        PassthroughBehavior: 'WHEN_NO_TEMPLATES',
        RequestParameters: {
          'integration.request.path.city': 'method.request.path.city',
          'integration.request.querystring.days': 'method.request.querystring.days',
          'integration.request.querystring.lat': 'method.request.querystring.lat',
          'integration.request.header.Accept-Language': 'method.request.header.Accept-Language',
          'integration.request.header.User-Agent': "'inside-out-poller'",
          'integration.request.querystring.units': "'metric'",
        },
      },
    });
    // the route is /weather/{city}
    template().hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{city}' });
    template().hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'weather' });
  });

  test('upstream status codes come back exactly for the codes a poller acts on, by class otherwise', () => {
    const { template } = apiWithTarget();
    const method = Object.values(template().findResources('AWS::ApiGateway::Method'))[0] as any;
    const responses = method.Properties.Integration.IntegrationResponses;
    const byPattern = Object.fromEntries(responses.map((r: any) => [r.SelectionPattern, r.StatusCode]));
    expect(byPattern).toMatchObject({ 404: '404', 429: '429', 503: '503' });
    // API Gateway keys integration and method responses by status code: a
    // second entry for 200 would replace the first, so there is one per code
    const codes = responses.map((r: any) => r.StatusCode);
    expect(new Set(codes).size).toBe(codes.length);
    const selects = (code: number) => responses.filter((r: any) => new RegExp(`^(?:${r.SelectionPattern})$`).test(String(code))).map((r: any) => r.StatusCode);
    expect([200, 206, 302, 400, 418, 500, 507].map(selects)).toEqual([['200'], ['200'], ['300'], ['400'], ['400'], ['500'], ['500']]);
    expect(responses.find((r: any) => r.StatusCode === '429').ResponseParameters).toEqual({ 'method.response.header.Retry-After': 'integration.response.header.Retry-After' });
    expect(responses.find((r: any) => r.StatusCode === '200').ResponseParameters['method.response.header.ETag']).toBe('integration.response.header.ETag');
    expect(method.Properties.MethodResponses.map((r: any) => r.StatusCode)).toEqual(responses.map((r: any) => r.StatusCode));
  });

  test('a proxy target maps {proxy+} onto the upstream path (aws-cdk issue 28545)', () => {
    const { template, target } = apiWithTarget({}, { url: 'https://status.example.com/api/', proxy: true });
    expect(target.path).toBe('/weather/{proxy+}');
    template().hasResourceProperties('AWS::ApiGateway::Method', {
      RequestParameters: { 'method.request.path.proxy': true, 'method.request.querystring.days': false },
      Integration: {
        Uri: 'https://status.example.com/api/{proxy}',
        RequestParameters: Match.objectLike({ 'integration.request.path.proxy': 'method.request.path.proxy' }),
      },
    });
    template().hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{proxy+}' });
  });

  test('body methods forward Content-Type without being told', () => {
    const { template } = apiWithTarget({}, { url: 'https://api.example.com/orders', methods: ['POST'], queryParameters: [] });
    template().hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      Integration: { IntegrationHttpMethod: 'POST', RequestParameters: { 'integration.request.header.Content-Type': 'method.request.header.Content-Type' } },
    });
  });

  test('a secret header is a Secrets Manager dynamic reference, never the value', () => {
    // GIVEN a secret and a header that reads one JSON field of it
    const stack = testStack();
    const secret = new secretsmanager.Secret(stack, 'ApiKey', { secretObjectValue: { key: SecretValue.unsafePlainText('do-not-leak') } });
    const api = new HttpProxyApi(stack, 'Egress');
    api.addTarget('weather', {
      url: 'https://api.example.com/v1',
      secretHeaders: { 'X-Api-Key': HeaderSecret.fromSecretsManager(secret, { jsonField: 'key' }), 'Authorization': HeaderSecret.fromSecretsManager(secret, { jsonField: 'token', prefix: 'Bearer ' }) },
    });
    // THEN the integration holds a {{resolve:secretsmanager:...}} reference
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      Integration: {
        RequestParameters: {
          'integration.request.header.X-Api-Key': { 'Fn::Join': ['', ["'{{resolve:secretsmanager:", { Ref: Match.stringLikeRegexp('ApiKey') }, ":SecretString:key::}}'"]] },
          'integration.request.header.Authorization': { 'Fn::Join': ['', ["'Bearer {{resolve:secretsmanager:", { Ref: Match.stringLikeRegexp('ApiKey') }, ":SecretString:token::}}'"]] },
        },
      },
    });
    // and the method resources never carry the secret's value
    expect(JSON.stringify(template.findResources('AWS::ApiGateway::Method'))).not.toContain('do-not-leak');
  });

  test('timeout is configurable; above 29 s it warns about the quota', () => {
    const { template, stack } = apiWithTarget({}, { timeout: Duration.seconds(120) });
    template().hasResourceProperties('AWS::ApiGateway::Method', { Integration: { TimeoutInMillis: 120000 } });
    Annotations.fromStack(stack).hasWarning('/TestStack/Egress', Match.stringLikeRegexp('Maximum integration timeout in milliseconds'));
  });

  test('a token URL is accepted with a warning, since it cannot be checked', () => {
    const stack = testStack();
    const api = new HttpProxyApi(stack, 'Egress');
    const url = new CfnParameter(stack, 'Upstream').valueAsString;
    const t = api.addTarget('dynamic', { url });
    expect(t.pathParameters).toEqual([]);
    Annotations.fromStack(stack).hasWarning('/TestStack/Egress', Match.stringLikeRegexp('its url is a token'));
  });

  test('http:// is allowed only when asked, with a warning', () => {
    const { stack, target } = apiWithTarget({}, { url: 'http://legacy.example.com/feed', allowInsecureHttp: true, queryParameters: [] });
    expect(target.integrationUri).toBe('http://legacy.example.com/feed');
    Annotations.fromStack(stack).hasWarning('/TestStack/Egress', Match.stringLikeRegexp('cross the internet unencrypted'));
  });

  describe('near a quota', () => {
    function apiWithTargets(n: number, url = (i: number) => `https://api.example.com/feed${i}/{item}`) {
      const stack = testStack();
      const api = new HttpProxyApi(stack, 'Egress');
      for (let i = 0; i < n; i++) {
        api.addTarget(`feed${i}`, { url: url(i) });
      }
      return Annotations.fromStack(stack).findWarning('/TestStack/Egress', Match.anyValue()).map((w) => String(w.entry.data));
    }

    test('GIVEN 120 targets with a path parameter (240 API resources) WHEN synthesized THEN it warns of the 300-resource quota and of the template size', () => {
      const warnings = apiWithTargets(120);

      expect(warnings).toEqual([
        expect.stringMatching(/^resources: the REST API has 240 API Gateway resources .* near API Gateway's default quota of 300 per REST API; .*Put further targets in a second HttpProxyApi/),
        expect.stringMatching(/^targets: 120 targets add about 1200 KiB and 480 resources .*1 MB template limit.*Put further targets in an HttpProxyApi of another stack/),
      ]);
    });

    test('GIVEN 74 targets (148 API resources) WHEN synthesized THEN no quota warning', () => {
      expect(apiWithTargets(74)).toEqual([]);
    });

    test('GIVEN 75 single-segment targets WHEN synthesized THEN only the template warning, since 75 API resources are far from 300', () => {
      const warnings = apiWithTargets(75, (i) => `https://api.example.com/feed${i}`);

      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^targets: 75 targets/);
    });
  });

  test('the target object knows its path, methods and parameters', () => {
    const { target } = apiWithTarget({}, { methods: ['GET', 'HEAD'] });
    expect(target.path).toBe('/weather/{city}');
    expect(target.method).toBe('GET');
    expect(target.methods).toEqual(['GET', 'HEAD']);
    expect(target.pathParameters).toEqual(['city']);
    expect(target.queryParameters).toEqual(['days']);
    expect(target.endpointType).toBe(apigw.EndpointType.REGIONAL);
    expect(target.apiMethods).toHaveLength(2);
  });
});

describe('HttpProxyTarget: grants and metrics', () => {
  test('grantInvoke allows exactly this route\'s methods on the stage', () => {
    // GIVEN two targets and a role granted only the first
    const { stack, api, target } = apiWithTarget({}, { methods: ['GET', 'POST'] });
    api.addTarget('other', { url: 'https://other.example.com/x' });
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    target.grantInvoke(role);
    // THEN the policy names GET and POST of /weather/* and nothing else
    const policy = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))[0] as any;
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('execute-api:Invoke');
    const resources = JSON.stringify(statements[0].Resource);
    expect(statements[0].Resource).toHaveLength(2);
    expect(resources).toContain('"/GET/weather/*"');
    expect(resources).toContain('"/POST/weather/*"');
    expect(resources).toContain('{"Ref":"EgressApiDeploymentStageegress41AF69FE"}');
    expect(resources).not.toContain('other');
  });

  test('arnForExecuteApi refuses a method the route does not have', () => {
    const { target } = apiWithTarget();
    expect(() => target.arnForExecuteApi('DELETE')).toThrow(/invalid method for arnForExecuteApi: got "DELETE"; accepted: GET/);
  });

  test('metrics are filtered to the route, and warn when detailed metrics are off', () => {
    const on = apiWithTarget({ detailedMetrics: true });
    const metrics = [
      [on.target.metricLatency(), 'Latency', 'Average'],
      [on.target.metricIntegrationLatency(), 'IntegrationLatency', 'Average'],
      [on.target.metricClientError(), '4XXError', 'Sum'],
      [on.target.metricServerError(), '5XXError', 'Sum'],
      [on.target.metricCount(), 'Count', 'SampleCount'],
      [on.target.metricCacheHitCount(), 'CacheHitCount', 'Sum'],
      [on.target.metricCacheMissCount(), 'CacheMissCount', 'Sum'],
    ] as const;
    for (const [metric, name, statistic] of metrics) {
      expect(metric.metricName).toBe(name);
      expect(metric.statistic).toBe(statistic);
      expect(metric.namespace).toBe('AWS/ApiGateway');
      expect(Object.keys(metric.dimensions!).sort()).toEqual(['ApiName', 'Method', 'Resource', 'Stage']);
      expect(metric.dimensions!.Resource).toBe('/weather/{city}');
      expect(metric.dimensions!.Method).toBe('GET');
    }
    Annotations.fromStack(on.stack).hasNoWarning('*', Match.stringLikeRegexp('detailedMetrics'));
    const off = apiWithTarget();
    off.target.metricCount();
    Annotations.fromStack(off.stack).hasWarning('*', Match.stringLikeRegexp('detailedMetrics: true'));
  });
});
