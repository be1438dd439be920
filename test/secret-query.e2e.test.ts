/**
 * A key the upstream takes in its query string, end to end: a poller's
 * template deployed on 127.0.0.1 (support/local-deployment.ts), the API
 * emulation resolving the Secrets Manager dynamic reference as
 * CloudFormation would at deployment (emulator rule R8). The key reaches the
 * upstream and nothing else the harness sees: not the template, not the
 * access log, not the execution's output or event history.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { HeaderSecret, HttpProxyApi, InvokerSchedule, ScheduledInvoker } from '../src';
import { LocalAwsPeers } from './support/aws-peers';
import { LocalDeployment } from './support/local-deployment';
import { TEST_ACCOUNT, TEST_REGION } from './support/test-stack';
import { UpstreamStub } from './support/upstream-stub';

const SECRET_ARN = `arn:aws:secretsmanager:${TEST_REGION}:${TEST_ACCOUNT}:secret:weather/api-key-AbCdEf`;
const KEY = 'qk-7f3a9c2e51d84b06a1e4-not-for-logs';
const ROTATED_KEY = 'qk-0b8d6e4f2a1c97350d2b-also-not-for-logs';

const stack = new Stack(new App(), 'SecretQuery', { env: { account: TEST_ACCOUNT, region: TEST_REGION } });
const api = new HttpProxyApi(stack, 'Egress');
const forecast = api.addTarget('forecast', {
  url: 'https://api.weather.example/v1/forecast',
  staticQueryParameters: { units: 'metric' },
  secretQueryParameters: {
    api_key: HeaderSecret.fromSecretsManager(secretsmanager.Secret.fromSecretCompleteArn(stack, 'Key', SECRET_ARN), { jsonField: 'apiKey' }),
  },
});
new ScheduledInvoker(stack, 'Poller', {
  schedule: InvokerSchedule.rate(Duration.minutes(15)),
  requests: [{ target: forecast }],
});
const template = Template.fromStack(stack).toJSON();

const upstream = new UpstreamStub();
const peers = new LocalAwsPeers();
let d: LocalDeployment;
const secrets = { [SECRET_ARN]: { AWSCURRENT: JSON.stringify({ apiKey: KEY }) } };

beforeAll(async () => {
  await upstream.start();
  await peers.start();
  d = await LocalDeployment.deploy({
    template,
    region: TEST_REGION,
    account: TEST_ACCOUNT,
    peers,
    name: 'secretquery',
    upstreams: { 'https://api.weather.example': upstream.origin },
    secrets,
  });
});
afterAll(async () => {
  await d?.stop();
  await peers.stop();
  await upstream.stop();
});

describe('secretQueryParameters end to end', () => {
  test('GIVEN a key in Secrets Manager WHEN the poller runs THEN the upstream gets it in the query string, and nothing the harness sees holds it', async () => {
    // GIVEN the deployed poller (beforeAll)
    // WHEN the schedule fires
    const tick = await d.tick(new Date(Date.UTC(2026, 10, 24, 9, 0)));

    // THEN the request succeeded and the upstream received the key, and the static parameter
    expect(tick.status).toBe('SUCCEEDED');
    expect(upstream.requests.map((r) => [r.path, r.query])).toEqual([['/v1/forecast', { units: 'metric', api_key: KEY }]]);
    // the template holds only the reference
    expect(JSON.stringify(template)).not.toContain(KEY);
    expect(JSON.stringify(template)).toContain(`{{resolve:secretsmanager:${SECRET_ARN}:SecretString:apiKey::}}`);
    // the access log has the call, without the key
    expect(d.accessLog).toHaveLength(1);
    expect(JSON.stringify(d.accessLog)).not.toContain(KEY);
    // the execution's output and event history do not have it either
    expect(JSON.stringify(tick.output)).not.toContain(KEY);
    expect(JSON.stringify(tick.events ?? [])).not.toContain(KEY);
  });

  test('GIVEN the secret rotated after the deployment WHEN the poller runs again THEN the upstream still gets the deployed key', async () => {
    // GIVEN a rotation in Secrets Manager, with no stack update
    secrets[SECRET_ARN].AWSCURRENT = JSON.stringify({ apiKey: ROTATED_KEY });
    upstream.reset();
    // WHEN the schedule fires
    const tick = await d.tick(new Date(Date.UTC(2026, 10, 24, 9, 15)));
    // THEN the integration still holds the value CloudFormation resolved when it deployed
    expect(tick.status).toBe('SUCCEEDED');
    expect(upstream.requests.map((r) => r.query.api_key)).toEqual([KEY]);
  });
});
