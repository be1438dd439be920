/**
 * cdk-nag 3 (validation-plugin API) over stacks holding the library's
 * constructs: no finding may be left unacknowledged, and every
 * acknowledgement in the construct tree must be a row of README's
 * "Security posture" table.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { HttpProxyApi, InvokerSchedule, PrivateVpcEgressPolicy, RequestBody, ResponseArchive, ScheduledInvoker } from '../src';
import { distributedInvokerStack } from './support/distributed-invoker';
import { kitchenSinkStack } from './support/kitchen-sink';
import { NAG_PACKS, nagFindings } from './support/nag';
import { testStack } from './support/test-stack';
import { PrivateVpcStack } from '../examples/private-vpc/stack';

/** Rows of README's posture table: tool, finding id, resource, reason. */
function postureTable(): Array<{ tool: string; id: string; resource: string; reason: string }> {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const section = readme.split(/^## Security posture$/m)[1]?.split(/^## /m)[0];
  if (!section) throw new Error('README.md has no "## Security posture" section');
  return section.split('\n')
    .filter((line) => /^\| *[a-z-]+ *\| *`/.test(line))
    .map((line) => line.split('|').slice(1, -1).map((c) => c.trim().replace(/^`|`$/g, '')))
    .map(([tool, id, resource, reason]) => ({ tool, id, resource, reason }));
}

/** Every acknowledgement recorded in the construct tree: id, reason and path. */
function acknowledgementsIn(stack: Stack) {
  // each acknowledgement adds an entry holding all of the construct's so far: the last one has them all
  return stack.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .slice(-1)
    .flatMap((m) => Object.entries<string>(m.data).map(([id, reason]) => ({ id: id.replace(/^annotation::/i, ''), reason, path: c.node.path }))));
}

function httpProxyApiStack(): Stack {
  const stack = testStack();
  const api = new HttpProxyApi(stack, 'Egress');
  api.addTarget('weather', { url: 'https://api.example.com/v1/{city}', queryParameters: ['days'] });
  api.addTarget('status', { url: 'https://status.example.com/', proxy: true, methods: ['GET', 'POST'] });
  return stack;
}

/** An API and an invoker calling a route with a path parameter, a proxy route and a plain route. */
function invokerStack(logLevel?: sfn.LogLevel): Stack {
  const stack = testStack();
  const api = new HttpProxyApi(stack, 'Egress');
  const weather = api.addTarget('weather', { url: 'https://api.example.com/v1/{city}', queryParameters: ['days'] });
  const status = api.addTarget('status', { url: 'https://status.example.com/', proxy: true });
  const orders = api.addTarget('orders', { url: 'https://api.example.com/v1/orders', methods: ['POST'] });
  new ScheduledInvoker(stack, 'Poller', {
    schedule: InvokerSchedule.rate(Duration.hours(1)),
    requests: [
      { target: weather, pathParameters: { city: 'oslo' } },
      { target: status, proxyPath: 'v2/summary' },
      { target: orders, method: 'POST', body: RequestBody.fromObject({ poll: true }) },
    ],
    logLevel,
  });
  return stack;
}

/** Where each acknowledged finding may sit: the narrowest resource that has it. */
const ACKNOWLEDGED_AT: Array<[RegExp, RegExp]> = [
  [/^AwsSolutions-COG4$/, /\/(Egress|PrivateApi)\/Api\/Default\/.+\/(GET|POST)$/],
  [/^AwsSolutions-APIG3$/, /\/(Egress|PrivateApi)\/Api\/DeploymentStage\.\w+$/],
  [/^(NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321)-APIGW(AssociatedWithWAF|CacheEnabledAndEncrypted|SSLEnabled)$/, /\/(Egress|PrivateApi)\/Api\/DeploymentStage\.\w+$/],
  [/^AwsSolutions-IAM5\[Resource::\*\]$/, /\/Poller\/Role\/DefaultPolicy$/],
  [/^AwsSolutions-IAM5\[Resource::arn:.+:execute-api:.+\/\*\]$/, /\/(Poller\/RouteGrants|Workload\/DefaultPolicy)$/],
  [/^(NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321)-VPCDefaultSecurityGroupClosed$/, /\/PrivateEgress\/Vpc\/Vpc$/],
  [/^(NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321)-IAMNoInlinePolicy$/, /\/PrivateEgress\/Vpc\/Vpc\/all\/IAMRole\/DefaultPolicy$/],
  [/^AwsSolutions-SF1$/, /\/Poller\/StateMachine$/],
  [/^(AwsSolutions-SQS3|Serverless-SQSRedrivePolicy)$/, /\/Poller\/DeadLetterQueue$/],
  [/^AwsSolutions-IAM5\[Resource::<Archive.+\.Arn>\/[a-z-]+\/\*\]$/, /\/Poller\/Sink\/ArchiveGrants$/],
  [/^(NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321)-S3BucketReplicationEnabled$/, /\/(Archive\/(AccessLogs|Bucket)|Poller\/Distributed\/(Results|ResultsAccessLogs))$/],
  [/^(NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321)-S3DefaultEncryptionKMS$/, /\/(Archive\/(AccessLogs|Bucket)|Poller\/Distributed\/(Results|ResultsAccessLogs))$/],
  [/^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:states:[\w-]+:\d+:(execution:<PollerStateMachine\w+\.Name>:\*|mapRun:<PollerStateMachine\w+\.Name>\/Requests:\*)\]$/, /\/Poller\/Distributed\/Grants$/],
  [/^AwsSolutions-IAM5\[Resource::<PollerDistributedResults\w+\.Arn>\/invoker-results\/\w+\/\*\]$/, /\/Poller\/Distributed\/Grants$/],
  [/^(NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321)-DynamoDBInBackupPlan$/, /\/Archive\/Hashes$/],
];

const ALL_PACKS = ['AwsSolutions', 'Serverless', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];

/** The fully private variant: a policy with its isolated VPC, a PRIVATE API and a workload role allowed one route. */
function privateStack(): Stack {
  const stack = testStack();
  const egress = new PrivateVpcEgressPolicy(stack, 'PrivateEgress');
  const api = new HttpProxyApi(stack, 'PrivateApi', { endpointType: apigw.EndpointType.PRIVATE, privateAccess: egress });
  const status = api.addTarget('status', { url: 'https://status.partner.example/api/{item}' });
  const workload = new iam.Role(stack, 'Workload', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  egress.allow(workload, status);
  return stack;
}

/** An invoker whose responses go to an archive with change detection on a topic and a customer key. */
function archiveStack(options: { encrypted?: boolean } = {}): Stack {
  const stack = testStack();
  const api = new HttpProxyApi(stack, 'Egress');
  const weather = api.addTarget('weather', { url: 'https://api.example.com/v1/{city}' });
  const archive = new ResponseArchive(stack, 'Archive', {
    changeDetection: { storeChangesOnly: true },
    encryptionKey: options.encrypted ? new kms.Key(stack, 'ArchiveKey', { enableKeyRotation: true }) : undefined,
  });
  new ScheduledInvoker(stack, 'Poller', {
    schedule: InvokerSchedule.rate(Duration.hours(1)),
    requests: [{ target: weather, pathParameters: { city: 'oslo' } }],
    sink: archive,
  });
  return stack;
}

/** A README row id matches an acknowledgement id exactly, or with each `<...>` placeholder standing for any text. */
function rowMatches(rowId: string, ackId: string): boolean {
  const pattern = rowId.split(/<[^>]+>/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+');
  return new RegExp(`^${pattern}$`).test(ackId);
}

describe('cdk-nag', () => {
  test('HttpProxyApi alone: AwsSolutions and Serverless report no unacknowledged finding', () => {
    // GIVEN a stack holding only an HttpProxyApi WHEN both packs run THEN nothing is left
    expect(nagFindings(httpProxyApiStack(), ['AwsSolutions', 'Serverless'])).toEqual([]);
  });

  test('the checks can fail: an API without request validation is reported', () => {
    const stack = testStack();
    new HttpProxyApi(stack, 'Egress', { requestValidation: false }).addTarget('a', { url: 'https://api.example.com/' });
    expect(nagFindings(stack, ['AwsSolutions'])).toContainEqual({ rule: 'AwsSolutions-APIG2', resource: expect.stringMatching(/Egress\/Api\/Resource$/) });
  });

  test('HttpProxyApi and ScheduledInvoker: AwsSolutions and Serverless report no unacknowledged finding', () => {
    // GIVEN an invoker calling a parameterised, a proxy and a plain route WHEN both packs run THEN nothing is left
    expect(nagFindings(invokerStack(), ['AwsSolutions', 'Serverless'])).toEqual([]);
  });

  test('the invoker checks can fail: logging every event removes the SF1 acknowledgement, a plain route needs none', () => {
    // GIVEN
    const stack = invokerStack();
    const acks = acknowledgementsIn(stack);
    // THEN two parameterised routes (weather, status) are acknowledged, the plain one (orders) is not
    expect(acks.filter((a) => a.path.endsWith('/Poller/RouteGrants')).map((a) => a.id)).toEqual([
      expect.stringMatching(/GET\/weather\/\*\]$/),
      expect.stringMatching(/GET\/status\/\*\]$/),
    ]);
    expect(acks.map((a) => a.id)).toContain('AwsSolutions-SF1');

    // WHEN every event is logged THEN SF1 is neither acknowledged nor reported
    const all = invokerStack(sfn.LogLevel.ALL);
    expect(acknowledgementsIn(all).map((a) => a.id)).not.toContain('AwsSolutions-SF1');
    expect(nagFindings(all, ['AwsSolutions'])).toEqual([]);
  });

  test('ResponseArchive: all five packs report no unacknowledged finding on the archive or its grants', () => {
    for (const stack of [archiveStack(), archiveStack({ encrypted: true })]) {
      const findings = nagFindings(stack, ALL_PACKS).filter((f) => /\/(Archive|ArchiveKey|Poller\/Sink)\//.test(f.resource));
      expect(findings).toEqual([]);
    }
    // and the AwsSolutions and Serverless packs report nothing at all
    expect(nagFindings(archiveStack(), ['AwsSolutions', 'Serverless'])).toEqual([]);
  });

  test('the archive checks can fail: with a customer key the SSE-S3 acknowledgement is gone from the archive bucket', () => {
    const plain = acknowledgementsIn(archiveStack()).filter((a) => a.path.endsWith('/Archive/Bucket')).map((a) => a.id);
    const encrypted = acknowledgementsIn(archiveStack({ encrypted: true })).filter((a) => a.path.endsWith('/Archive/Bucket')).map((a) => a.id);
    expect(plain).toContain('NIST.800.53.R5-S3DefaultEncryptionKMS');
    expect(encrypted).not.toContain('NIST.800.53.R5-S3DefaultEncryptionKMS');
    expect(encrypted).toContain('NIST.800.53.R5-S3BucketReplicationEnabled');
  });

  test('PrivateVpcEgressPolicy: AwsSolutions, NIST 800-53 R5 and HIPAA report nothing on the policy, its VPC and endpoint', () => {
    const findings = nagFindings(privateStack(), ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security']);
    // the workload role is the user's: allow() adds its route grant to the role's own policy
    expect(findings.filter((f) => !/\/(Workload\/DefaultPolicy|PrivateApi)\//.test(f.resource))).toEqual([]);
    expect(findings.filter((f) => f.resource.includes('/Workload/')).map((f) => f.rule)).toEqual(['NIST.800.53.R5-IAMNoInlinePolicy', 'HIPAA.Security-IAMNoInlinePolicy']);
  });

  test('ScheduledInvoker in the distributed layout: all five packs report no unacknowledged finding', () => {
    // GIVEN 1,000 requests with an archive, on the default settings WHEN the packs run THEN nothing is left
    expect(nagFindings(distributedInvokerStack(), ALL_PACKS)).toEqual([]);
  });

  test('every acknowledgement is needed: without it, its pack reports that finding on that construct', () => {
    for (const stack of [httpProxyApiStack(), invokerStack(), archiveStack(), privateStack(), distributedInvokerStack()]) {
      const raw = nagFindings(stack, ALL_PACKS, { ignoreAcknowledgements: true });
      for (const ack of acknowledgementsIn(stack)) {
        const reported = raw.some((f) => f.rule === ack.id && f.resource.startsWith(`${ack.path}/`));
        expect({ ack: `${ack.id} on ${ack.path}`, reported }).toEqual({ ack: `${ack.id} on ${ack.path}`, reported: true });
      }
    }
  });

  test('every acknowledgement in code is a README posture row with the same reason, and on the narrowest resource', () => {
    const rows = postureTable().filter((r) => r.tool === 'cdk-nag');
    const stacks = [httpProxyApiStack(), invokerStack(), archiveStack(), privateStack(), kitchenSinkStack(), distributedInvokerStack()];
    const acks = stacks.flatMap(acknowledgementsIn);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      // one id may have rows for different resources, each with its reason
      const row = rows.find((r) => rowMatches(r.id, ack.id) && r.reason === ack.reason);
      expect({ id: ack.id, reason: ack.reason, row: row !== undefined }).toEqual({ id: ack.id, reason: ack.reason, row: true });
      // never on an API, a whole construct or the stack
      const place = ACKNOWLEDGED_AT.find(([id]) => id.test(ack.id));
      expect({ id: ack.id, known: place !== undefined }).toEqual({ id: ack.id, known: true });
      expect(ack.path).toMatch(place![1]);
    }
    // and the table has no row the code, or the private VPC example, does not produce
    const produced = [...acks, ...acknowledgementsIn(new PrivateVpcStack(new App(), 'InsideOutPrivateVpc', { env: { account: '123456789012', region: 'us-east-1' } }))];
    for (const row of rows) {
      expect({ row: row.id, produced: produced.some((a) => rowMatches(row.id, a.id)) }).toEqual({ row: row.id, produced: true });
    }
  });

  test('the kitchen sink (every option of the four constructs on): the five packs report nothing beyond the posture table', () => {
    expect(nagFindings(kitchenSinkStack(), Object.keys(NAG_PACKS))).toEqual([]);
  });
});
