/**
 * The example apps under examples/: each synthesizes what it promises, and
 * cdk-nag finds nothing on it that the posture table does not explain.
 */
import * as fs from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { Sha256 } from '@aws-crypto/sha256-js';
import * as signatureV4 from '@smithy/signature-v4';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { simulate } from './support/iam-simulation';
import { NAG_PACKS, nagFindings } from './support/nag';
import { definitionOf, resolveValue } from './support/state-machine-harness';
import { TEST_ACCOUNT, TEST_REGION, testStack } from './support/test-stack';
import { createAlarmTopic } from '../examples/alarm-topic';
import { FAN_OUT_REQUESTS, FanOutStack } from '../examples/fan-out/stack';
import { PollerStack } from '../examples/poller/stack';
import { CALLER_SOURCE } from '../examples/private-vpc/caller-source';
import { EXAMPLE_ACKNOWLEDGEMENTS, PrivateVpcStack } from '../examples/private-vpc/stack';

const ENV = { account: TEST_ACCOUNT, region: TEST_REGION };

function privateVpcStack() {
  return new PrivateVpcStack(new App(), 'InsideOutPrivateVpc', { env: ENV });
}

describe('examples/alarm-topic', () => {
  const TOPIC_ARN = `arn:aws:sns:${TEST_REGION}:${TEST_ACCOUNT}:Alarms`;
  const KEY_ARN = `arn:aws:kms:${TEST_REGION}:${TEST_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const OTHER_ACCOUNT = '999999999999';
  let topicPolicy: any;
  let keyPolicy: any;

  beforeAll(() => {
    const stack = testStack();
    const topic = createAlarmTopic(stack);
    const template = Template.fromStack(stack).toJSON();
    const refs = { 'AWS::Partition': 'aws', [stack.getLogicalId(topic.node.defaultChild as any)]: TOPIC_ARN };
    const only = (type: string) => Object.values<any>(template.Resources).filter((r) => r.Type === type).map((r) => r.Properties);
    expect(only('AWS::SNS::TopicPolicy')).toHaveLength(1);
    topicPolicy = resolveValue(only('AWS::SNS::TopicPolicy')[0].PolicyDocument, refs);
    keyPolicy = resolveValue(only('AWS::KMS::Key')[0].KeyPolicy, refs);
  });

  /** CloudWatch acting for an alarm of the given account, as the request reaches SNS or KMS. */
  async function asCloudWatchFor(alarmAccount: string, action: string, resource: string, resourcePolicy: any) {
    return simulate({
      request: {
        principal: 'cloudwatch.amazonaws.com',
        action,
        resource: { resource, accountId: TEST_ACCOUNT },
        contextVariables: {
          'aws:SourceAccount': alarmAccount,
          'aws:SourceArn': `arn:aws:cloudwatch:${TEST_REGION}:${alarmAccount}:alarm:Poller-failed-executions`,
          'aws:SecureTransport': 'true',
        },
      },
      identityPolicies: [],
      resourcePolicy,
    });
  }

  test('GIVEN the topic that replaces SNS\'s default policy WHEN an alarm of this account notifies THEN CloudWatch may publish, and may use the key to', async () => {
    expect(await asCloudWatchFor(TEST_ACCOUNT, 'sns:Publish', TOPIC_ARN, topicPolicy)).toBe('Allowed');
    expect(await asCloudWatchFor(TEST_ACCOUNT, 'kms:GenerateDataKey', KEY_ARN, keyPolicy)).toBe('Allowed');
    expect(await asCloudWatchFor(TEST_ACCOUNT, 'kms:Decrypt', KEY_ARN, keyPolicy)).toBe('Allowed');
  });

  test('GIVEN the topic WHEN CloudWatch acts for an alarm of another account THEN neither the topic nor the key lets it (confused deputy)', async () => {
    expect(await asCloudWatchFor(OTHER_ACCOUNT, 'sns:Publish', TOPIC_ARN, topicPolicy)).not.toBe('Allowed');
    expect(await asCloudWatchFor(OTHER_ACCOUNT, 'kms:GenerateDataKey', KEY_ARN, keyPolicy)).not.toBe('Allowed');
    expect(await asCloudWatchFor(OTHER_ACCOUNT, 'kms:Decrypt', KEY_ARN, keyPolicy)).not.toBe('Allowed');
  });
});

describe('examples/private-vpc', () => {
  test('GIVEN the app WHEN synthesized THEN the function runs in the isolated subnets, reaches only the endpoint, and may invoke one route', () => {
    // GIVEN
    const stack = privateVpcStack();

    // WHEN
    const template = Template.fromStack(stack);

    // THEN no way out but the endpoint
    for (const kind of ['AWS::EC2::InternetGateway', 'AWS::EC2::NatGateway', 'AWS::EC2::EgressOnlyInternetGateway']) {
      template.resourceCountIs(kind, 0);
    }
    const subnets = template.findResources('AWS::EC2::Subnet');
    expect(Object.values(subnets).every((s: any) => s.Properties.MapPublicIpOnLaunch === false)).toBe(true);
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0] as any;
    expect(fn.Properties.VpcConfig.SubnetIds.map((r: any) => r.Ref).sort()).toEqual(Object.keys(subnets).sort());
    expect(fn.Properties.Runtime).toBe('nodejs24.x');
    expect(fn.Properties.Environment.Variables.ROUTE_URL).toBeDefined();
    // no reservation: one fails the deploy where the account's unreserved pool cannot spare it
    expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();

    // the function's security group: HTTPS to the endpoint's group, and nothing else. EC2 gives a
    // group created without an inline egress rule its allow-all default, so the group keeps
    // aws-cdk-lib's inline rule that matches no traffic beside the separate 443 rule
    const callerSg = stack.getLogicalId(stack.caller.connections.securityGroups[0].node.defaultChild as any);
    const endpointSg = stack.getLogicalId(stack.egress.securityGroup.node.defaultChild as any);
    expect(template.toJSON().Resources[callerSg].Properties).toEqual({
      GroupDescription: 'The caller function: HTTPS to the execute-api endpoint only',
      SecurityGroupEgress: [{ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic', IpProtocol: 'icmp', FromPort: 252, ToPort: 86 }],
      VpcId: expect.anything(),
    });
    const egressRules = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress')).filter((r: any) => r.Properties.GroupId['Fn::GetAtt']?.[0] === callerSg);
    expect(egressRules).toHaveLength(1);
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { 'Fn::GetAtt': [callerSg, 'GroupId'] },
      DestinationSecurityGroupId: { 'Fn::GetAtt': [endpointSg, 'GroupId'] },
      FromPort: 443,
      ToPort: 443,
      IpProtocol: 'tcp',
    });

    // its role: one customer managed policy, no inline one, and execute-api:Invoke on GET /status/* only
    template.resourceCountIs('AWS::IAM::Policy', 1); // the flow log role's, acknowledged in the library
    const grants = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).map((p: any) => p.Properties.PolicyDocument.Statement).flat();
    const invoke = grants.filter((s: any) => s.Action === 'execute-api:Invoke');
    expect(invoke).toHaveLength(1);
    expect(JSON.stringify(invoke[0].Resource)).toMatch(/PrivateApiDeploymentStageegress[0-9A-F]+"\},"\/GET\/status\/\*"/);
    const roleId = stack.getLogicalId(stack.caller.role!.node.defaultChild as any);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', { Roles: [{ Ref: roleId }] });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] },
      ManagedPolicyArns: Match.absent(),
      Policies: Match.absent(),
    });
  });

  test('GIVEN the dead-letter queue encrypted with the caller key WHEN Lambda sends it a failed event with the function\'s role THEN SQS may use the key for it, and only SQS', async () => {
    // GIVEN
    const stack = privateVpcStack();
    const template = Template.fromStack(stack).toJSON();
    const id = (c: any) => stack.getLogicalId(c.node.defaultChild);
    const queue = stack.caller.deadLetterQueue!;
    const key = queue.encryptionMasterKey!;
    const QUEUE_ARN = `arn:aws:sqs:${TEST_REGION}:${TEST_ACCOUNT}:CallerDeadLetters`;
    const KEY_ARN = `arn:aws:kms:${TEST_REGION}:${TEST_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const refs = {
      'AWS::Partition': 'aws',
      [id(stack.api.restApi)]: 'a1b2c3d4e5',
      [id(stack.api.stage)]: 'egress',
      [id(queue)]: 'https://sqs.example/CallerDeadLetters',
      [`${id(queue)}.Arn`]: QUEUE_ARN,
      [`${id(key)}.Arn`]: KEY_ARN,
      [`${id(stack.node.findChild('CallerLogs'))}.Arn`]: `arn:aws:logs:${TEST_REGION}:${TEST_ACCOUNT}:log-group:caller:*`,
    };
    const roleId = id(stack.caller.role);
    const identityPolicies = Object.entries<any>(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy' && r.Properties.Roles.some((x: any) => x.Ref === roleId))
      .map(([name, r]) => ({ name, policy: resolveValue(r.Properties.PolicyDocument, refs) }));
    const queuePolicy = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::SQS::QueuePolicy').Properties.PolicyDocument;
    const keyPolicy = template.Resources[id(key)].Properties.KeyPolicy;
    const asTheRole = async (action: string, resource: string, resourcePolicy: any, context: Record<string, string>) => {
      return simulate({
        request: {
          principal: `arn:aws:iam::${TEST_ACCOUNT}:role/CallerRole`,
          action,
          resource: { resource, accountId: TEST_ACCOUNT },
          contextVariables: { 'aws:PrincipalAccount': TEST_ACCOUNT, 'aws:SecureTransport': 'true', ...context },
        },
        identityPolicies,
        resourcePolicy: resolveValue(resourcePolicy, refs),
      });
    };
    const viaSqs = { 'kms:ViaService': `sqs.${TEST_REGION}.amazonaws.com`, 'kms:CallerAccount': TEST_ACCOUNT };

    // THEN the send, and the key calls SQS makes for it with the sender's credentials
    expect(await asTheRole('sqs:SendMessage', QUEUE_ARN, queuePolicy, {})).toBe('Allowed');
    expect(await asTheRole('kms:GenerateDataKey', KEY_ARN, keyPolicy, viaSqs)).toBe('Allowed');
    expect(await asTheRole('kms:Decrypt', KEY_ARN, keyPolicy, viaSqs)).toBe('Allowed');
    // and the role cannot use the key by itself
    expect(await asTheRole('kms:Decrypt', KEY_ARN, keyPolicy, { 'kms:CallerAccount': TEST_ACCOUNT })).not.toBe('Allowed');
  });

  test('GIVEN the function code WHEN read THEN it requires nothing but Node.js built-ins', () => {
    const required = [...CALLER_SOURCE.matchAll(/\brequire\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]);
    expect(required.length).toBeGreaterThan(0);
    expect(required.filter((name) => !isBuiltin(name))).toEqual([]);
  });

  test('GIVEN the function code WHEN it calls its route THEN the request carries the SigV4 signature @smithy/signature-v4 computes for it', async () => {
    const now = new Date('2025-01-02T03:04:05.678Z');
    const urls = [
      'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/egress/status/demo',
      'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/egress/status/it%C3%A9m%201?units=metric&days=3&days=10&a-b=2&a=x%20y&q=*',
      'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/egress/docs/',
    ];
    const credentials = [
      { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret/with+chars', sessionToken: 'token-of-the-role' },
      { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'another-secret' },
    ];
    for (const routeUrl of urls) {
      for (const creds of credentials) {
        // WHEN the handler runs, with the clock stopped and fetch recorded
        const sent: Array<{ url: string; headers: Record<string, string> }> = [];
        const exported: any = {};
        new vm.Script(CALLER_SOURCE).runInNewContext({
          require: (name: string) => (isBuiltin(name) ? createRequire(__filename)(name) : undefined),
          exports: exported,
          process: { env: { ROUTE_URL: routeUrl, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey, AWS_SESSION_TOKEN: creds.sessionToken } },
          console: { log: () => undefined },
          URL,
          Date: new Proxy(Date, { construct: (D, args) => new D(...(args.length ? args : [now.getTime()]) as [number]) }),
          fetch: async (url: URL, init: any) => {
            sent.push({ url: url.toString(), headers: init.headers });
            return { status: 200, text: async () => 'ok' };
          },
        });
        expect(await exported.handler()).toEqual({ status: 200, body: 'ok' });

        // THEN it sent the route's URL, signed as the reference signer signs it
        const url = new URL(routeUrl);
        const query: Record<string, string | string[]> = {};
        url.searchParams.forEach((v, k) => { query[k] = k in query ? [query[k], v].flat() : v; });
        const reference = await new signatureV4.SignatureV4({ service: 'execute-api', region: 'us-east-1', sha256: Sha256, credentials: creds, applyChecksum: false })
          .sign({ method: 'GET', protocol: url.protocol, hostname: url.hostname, path: url.pathname, query, headers: { host: url.host } }, { signingDate: now });
        expect(sent).toEqual([{ url: routeUrl, headers: reference.headers }]);
      }
    }
  });

  test('GIVEN the app WHEN the five cdk-nag packs run THEN nothing is reported', () => {
    expect(nagFindings(privateVpcStack(), Object.keys(NAG_PACKS))).toEqual([]);
  });

  test('GIVEN the app WHEN its one example acknowledgement is ignored THEN exactly that finding is reported', () => {
    const raw = nagFindings(privateVpcStack(), ['AwsSolutions'], { ignoreAcknowledgements: true })
      .filter((f) => f.resource.includes('/CallerRole/'));
    expect(raw.map((f) => f.rule).sort()).toEqual([
      // the example's own: the function's network interfaces
      'AwsSolutions-IAM5[Resource::*]',
      // the library's, on the policy allow() wrote the route grant into
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:execute-api:.+\/<PrivateApiDeploymentStageegress[0-9A-F]+>\/GET\/status\/\*\]$/),
    ]);
    expect(new Set(raw.map((f) => f.resource))).toEqual(new Set(['InsideOutPrivateVpc/CallerRole/Grants/Resource']));
  });

  test('GIVEN the function without reserved concurrency WHEN its acknowledgements are ignored THEN NIST 800-53 and HIPAA report exactly that, on the function', () => {
    const raw = nagFindings(privateVpcStack(), ['NIST.800.53.R5', 'HIPAA.Security'], { ignoreAcknowledgements: true })
      .filter((f) => f.resource.startsWith('InsideOutPrivateVpc/Caller/'));
    expect(raw).toEqual([
      { rule: 'NIST.800.53.R5-LambdaConcurrency', resource: 'InsideOutPrivateVpc/Caller/Resource' },
      { rule: 'HIPAA.Security-LambdaConcurrency', resource: 'InsideOutPrivateVpc/Caller/Resource' },
    ]);
  });

  test('GIVEN the example acknowledgements WHEN README is read THEN its posture table lists each with the same reason', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const rows = readme.split('\n').filter((l) => l.startsWith('| cdk-nag |') && l.includes('`examples/private-vpc`'));
    expect(rows.map((r) => r.split(' | ')[1])).toEqual(['`AwsSolutions-IAM5[Resource::*]`', '`Serverless-SQSRedrivePolicy`', '`<NIST.800.53.R5, HIPAA.Security>-LambdaConcurrency`']);
    expect(rows[0]).toContain(EXAMPLE_ACKNOWLEDGEMENTS.networkInterfaces);
    expect(rows[1]).toContain(EXAMPLE_ACKNOWLEDGEMENTS.deadLetterQueue);
    expect(rows[2]).toContain(EXAMPLE_ACKNOWLEDGEMENTS.concurrency);
  });
});

describe('examples/poller', () => {
  test('GIVEN the app WHEN synthesized THEN two targets are polled every 15 minutes into an archive that detects price changes', () => {
    // GIVEN
    const stack = new PollerStack(new App(), 'InsideOutPoller', { env: ENV });

    // WHEN
    const template = Template.fromStack(stack);

    // THEN
    template.resourceCountIs('AWS::ApiGateway::Method', 2);
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(15 minutes)' });
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', { BillingMode: 'PAY_PER_REQUEST' });
    // the archive's change topic, and the alarms' topic every alarm notifies
    template.resourceCountIs('AWS::SNS::Topic', 2);
    const alarmTopic = stack.getLogicalId(stack.node.findChild('Alarms').node.defaultChild as any);
    for (const alarm of Object.values<any>(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: alarmTopic }]);
    }
    const ids = (c: any) => stack.getLogicalId(c.node.defaultChild);
    const definition = definitionOf(template.toJSON(), TEST_REGION, undefined, {
      [ids(stack.archive.bucket)]: 'archive', [ids(stack.archive.table!)]: 'hashes', [ids(stack.archive.topic!)]: 'arn:aws:sns:us-east-1:123456789012:changes',
    });
    const archiveStates = definition.States['Invoke each request'].ItemProcessor.States['Deliver to sink'].Branches[0].States;
    expect(archiveStates['Archive: which part to hash?'].Choices).toEqual([{ Variable: '$.record.target', StringEquals: 'prices', Next: 'Archive: part to hash present? (prices)' }]);
    expect(archiveStates['Archive: hash part (prices)'].Parameters['Body.$']).toBe('States.JsonToString($.record.body.price)');
    expect(archiveStates['Archive: which part to hash?'].Default).toBe('Archive: hash body');
    expect(stack.poller.requests.map((r) => r.id)).toEqual(['prices-1', 'prices-2', 'status-1']);
  });

  test('GIVEN the app WHEN the five cdk-nag packs run THEN nothing is reported', () => {
    expect(nagFindings(new PollerStack(new App(), 'InsideOutPoller', { env: ENV }), Object.keys(NAG_PACKS))).toEqual([]);
  });
});

describe('examples/fan-out', () => {
  test('GIVEN 200 requests WHEN synthesized THEN they are one state machine, one schedule and one route, inside the time budget', () => {
    // GIVEN
    const stack = new FanOutStack(new App(), 'InsideOutFanOut', { env: ENV });

    // WHEN
    const template = Template.fromStack(stack);

    // THEN
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    template.resourceCountIs('AWS::ApiGateway::Method', 1);
    expect(Object.keys(template.toJSON().Resources).length).toBeLessThan(60);
    const definition = definitionOf(template.toJSON(), TEST_REGION);
    expect(definition.States['Plan requests'].Parameters.requests).toHaveLength(FAN_OUT_REQUESTS);
    expect(definition.States['Invoke each request'].MaxConcurrency).toBe(40);
    expect(stack.poller.timeBudget).toMatchObject({ requests: FAN_OUT_REQUESTS, waves: 5, executionTimeoutSeconds: 300 });
    expect(stack.poller.timeBudget.worstCaseSeconds).toBeLessThanOrEqual(300);
  });

  test('GIVEN the app WHEN the five cdk-nag packs run THEN nothing is reported', () => {
    expect(nagFindings(new FanOutStack(new App(), 'InsideOutFanOut', { env: ENV }), Object.keys(NAG_PACKS))).toEqual([]);
  });
});
