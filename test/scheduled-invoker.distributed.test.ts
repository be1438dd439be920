/**
 * The distributed layout of ScheduledInvoker: when AUTO takes it, the
 * shape of its Amazon States Language, how it sizes its batches, the
 * request list asset, the results bucket and the role's grants.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration, RemovalPolicy, Stack, Stage } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import {
  HttpProxyApi, HttpProxyTarget, InvokerLayout, InvokerRequest, InvokerSchedule, RequestBody, ResponseArchive, ScheduledInvoker,
  ScheduledInvokerProps,
} from '../src';
import { simulate } from './support/iam-simulation';
import { definitionOf, resolveValue, templateRefs } from './support/state-machine-harness';
import { TEST_ACCOUNT, TEST_REGION, testStack } from './support/test-stack';

interface Setup {
  readonly stack: Stack;
  readonly invoker: ScheduledInvoker;
  readonly template: any;
  /** The state machine's definition, Refs resolved (the results bucket is `results-bucket`). */
  readonly definition: any;
}

/** An invoker of `n` requests over a route with a path parameter (and, with `withBody`, one POST). */
function setup(n: number, props: Partial<ScheduledInvokerProps> = {}, options: { withBody?: boolean; archive?: boolean } = {}): Setup {
  const stack = testStack();
  const api = new HttpProxyApi(stack, 'Egress');
  const items = api.addTarget('items', { url: 'https://feed.example.com/v1/items/{item}', queryParameters: ['lang'] });
  const orders = api.addTarget('orders', { url: 'https://partner.example/api/orders', methods: ['POST'] });
  const requests: InvokerRequest[] = [...Array(n).keys()].map((i) => ({ target: items, pathParameters: { item: `item-${i}` }, queryParameters: { lang: 'en' } }));
  if (options.withBody) {
    requests[requests.length - 1] = { target: orders, id: 'order-feed', body: RequestBody.fromObject({ since: 'yesterday' }) };
  }
  const invoker = new ScheduledInvoker(stack, 'Poller', {
    schedule: InvokerSchedule.rate(Duration.hours(1)),
    requests,
    sink: options.archive ? new ResponseArchive(stack, 'Archive') : undefined,
    ...props,
  });
  const template = Template.fromStack(stack).toJSON();
  const refs: Record<string, string> = {};
  if (invoker.resultsBucket) {
    refs[stack.getLogicalId(invoker.resultsBucket.node.defaultChild as any)] = 'results-bucket';
  }
  for (const [id, r] of Object.entries<any>(template.Resources)) {
    if (r.Type === 'AWS::S3::Bucket') refs[id] ??= id.toLowerCase();
  }
  return { stack, invoker, template, definition: definitionOf(template, TEST_REGION, undefined, refs) };
}

const PARENT = ['Invoke each batch', 'Read map run counts', 'Every batch finished?', 'Requests did not finish', 'Summarize run'];

describe('layout choice', () => {
  test.each([
    // defaults: EXPRESS, maxConcurrency 10, 4 attempts of 30 s + 14 s of waits = 134 s a request: 2 waves fit 300 s
    [20, {}, {}, 'INLINE'],
    [21, {}, {}, 'DISTRIBUTED'],
    // with an archive (18 s of sink): 152 s a request, 1 wave
    [10, {}, { archive: true }, 'INLINE'],
    [11, {}, { archive: true }, 'DISTRIBUTED'],
    // STANDARD: 1 hour by default, 26 waves of 134 s
    [260, { workflowType: sfn.StateMachineType.STANDARD }, {}, 'INLINE'],
    [261, { workflowType: sfn.StateMachineType.STANDARD }, {}, 'DISTRIBUTED'],
    // more than 40 in flight is the distributed layout's
    [1, { maxConcurrency: 80 }, {}, 'DISTRIBUTED'],
    // forced
    [1, { layout: InvokerLayout.DISTRIBUTED }, {}, 'DISTRIBUTED'],
    [20, { layout: InvokerLayout.INLINE }, {}, 'INLINE'],
  ] as Array<[number, Partial<ScheduledInvokerProps>, { archive?: boolean }, string]>)('GIVEN %d request(s), %p and %p WHEN synthesized THEN the layout is %s', (n, props, options, layout) => {
    const { invoker, template } = setup(n, props, options);
    expect(invoker.layout).toBe(layout);
    const machine = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine');
    expect(machine.Properties.StateMachineType).toBe(layout === 'DISTRIBUTED' ? 'STANDARD' : (props.workflowType ?? 'EXPRESS'));
  });

  test('GIVEN requests that fit WHEN synthesized with AUTO and with INLINE THEN the templates are the same', () => {
    // the inline layout is today's, byte for byte
    expect(JSON.stringify(setup(20).template)).toEqual(JSON.stringify(setup(20, { layout: InvokerLayout.INLINE }).template));
  });

  test('GIVEN an inline layout WHEN its properties are read THEN it has no batches, asset or results bucket', () => {
    const { invoker, template } = setup(3);
    const distributedOnly = [
      invoker.batchSize, invoker.batchWorkflowType, invoker.requestListAsset, invoker.resultsBucket, invoker.resultsPrefix, invoker.distributedGrants,
    ];
    expect(distributedOnly.filter((p) => p !== undefined)).toEqual([]);
    expect(Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::S3::Bucket')).toEqual([]);
  });
});

describe('the distributed layout\'s Amazon States Language', () => {
  test('GIVEN 25 requests WHEN synthesized THEN a Distributed Map reads the asset, batches with the API table and the trigger, and writes to the results prefix', () => {
    const { invoker, definition, stack } = setup(25);
    expect(definition.StartAt).toBe('Invoke each batch');
    expect(Object.keys(definition.States).sort()).toEqual([...PARENT].sort());
    const map = definition.States['Invoke each batch'];
    expect(map).toMatchObject({
      Type: 'Map',
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { Bucket: `cdk-hnb659fds-assets-${TEST_ACCOUNT}-${TEST_REGION}`, Key: stack.resolve(invoker.requestListAsset!.s3ObjectKey) },
      },
      ItemBatcher: {
        MaxItemsPerBatch: 20,
        BatchInput: {
          'trigger.$': '$',
          // the parent's own execution: the run a sink keys its objects by
          'run': { 'name.$': '$$.Execution.Name', 'id.$': '$$.Execution.Id', 'startTime.$': '$$.Execution.StartTime' },
          'apis': [{ endpoint: 'a1b2c3d4e5.execute-api.us-east-1.amazonaws.com', stage: 'egress' }],
        },
      },
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: 'Plan batch' },
      MaxConcurrency: 1,
      ToleratedFailurePercentage: 100,
      Label: 'Requests',
      ResultSelector: { 'mapRunArn.$': '$.MapRunArn', 'bucket.$': '$.ResultWriterDetails.Bucket', 'manifestKey.$': '$.ResultWriterDetails.Key' },
      ResultPath: '$.results',
      ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'results-bucket', Prefix: invoker.resultsPrefix } },
      Next: 'Read map run counts',
    });
    expect(invoker.resultsPrefix).toMatch(/^invoker-results\/TestStackPoller[0-9A-F]{8}$/);
    // 248 KiB less the API table as a batch carries it
    expect(map.ItemBatcher.MaxInputBytesPerBatch).toBeGreaterThan(248 * 1024 - 200);
    expect(map.ItemBatcher.MaxInputBytesPerBatch).toBeLessThan(248 * 1024 - 60);
    // reading the list is retried (no request has been sent then); writing the results is not
    expect(map.Retry).toEqual([{ ErrorEquals: ['States.ItemReaderFailed'], IntervalSeconds: 10, MaxAttempts: 3, BackoffRate: 2 }]);
    expect(map.ItemsPath).toBeUndefined();
    expect(map.ItemSelector).toBeUndefined();
    expect(definition.TimeoutSeconds).toBe(2 * 268 + 60);
  });

  test('GIVEN the child executions WHEN their states are read THEN they are the inline layout\'s, but for the first one, which reads the batch', () => {
    // GIVEN the same requests in the two layouts, with and without a body, with an archive
    const distributed = setup(30, {}, { withBody: true, archive: true }).definition.States['Invoke each batch'].ItemProcessor;
    const inlineProps = { layout: InvokerLayout.INLINE, workflowType: sfn.StateMachineType.STANDARD, executionTimeout: Duration.hours(1) };
    const inline = setup(30, inlineProps, { withBody: true, archive: true }).definition;

    // THEN
    expect(distributed.States['Plan batch']).toEqual({
      Type: 'Pass',
      Comment: expect.any(String),
      Parameters: { 'trigger.$': '$.BatchInput.trigger', 'run.$': '$.BatchInput.run', 'apis.$': '$.BatchInput.apis', 'requests.$': '$.Items' },
      Next: 'Invoke each request',
    });
    // the index of a request is its position in the whole list, which its item carries
    expect(distributed.States['Invoke each request'].ItemSelector['index.$']).toBe('$$.Map.Item.Value.index');
    expect(inline.States['Invoke each request'].ItemSelector['index.$']).toBe('$$.Map.Item.Index');
    const comparable = (state: any) => ({ ...state, Comment: undefined, ItemSelector: { ...state.ItemSelector, 'index.$': undefined } });
    // each child calls its batch 10 at a time, as the inline run calls its requests
    expect(comparable(distributed.States['Invoke each request'])).toEqual(comparable(inline.States['Invoke each request']));
    expect(distributed.States.Summarize).toEqual(inline.States.Summarize);
    expect(distributed.States['Invoke each request'].ItemProcessor.States['Has body?'].Type).toBe('Choice');
  });

  test('GIVEN the parent WHEN the map is done THEN it reads the Map Run\'s counts and fails the run when any did not finish, naming the counts and the results', () => {
    const { definition } = setup(25);
    const s = definition.States;
    expect(s['Read map run counts']).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:sfn:describeMapRun',
      Parameters: { 'MapRunArn.$': '$.results.mapRunArn' },
      ResultSelector: { 'items.$': '$.ItemCounts', 'childExecutions.$': '$.ExecutionCounts' },
      ResultPath: '$.counts',
      Retry: [expect.objectContaining({ ErrorEquals: ['States.Timeout', 'States.TaskFailed'], MaxAttempts: 2 })],
      Next: 'Every batch finished?',
    });
    const counts = ['items', 'childExecutions'].flatMap((set) => ['Failed', 'TimedOut', 'Aborted'].map((c) => ({ Variable: `$.counts.${set}.${c}`, NumericGreaterThan: 0 })));
    expect(s['Every batch finished?']).toEqual({
      Type: 'Choice',
      Choices: [{ Or: counts, Next: 'Requests did not finish' }],
      Default: 'Summarize run',
    });
    expect(s['Requests did not finish']).toMatchObject({
      Type: 'Fail',
      Error: 'ScheduledInvoker.RequestsNotFinished',
      CausePath: expect.stringMatching(/^States\.Format\('Map Run items: \{\} failed.*Results: s3:\/\/\{\}\/\{\}', \$\.counts\.items\.Failed, .*\$\.results\.bucket, \$\.results\.manifestKey\)$/),
    });
    expect(s['Summarize run']).toEqual({
      Type: 'Pass',
      Parameters: { 'trigger.$': '$$.Execution.Input', 'requestCount': 25, 'counts.$': '$.counts', 'results.$': '$.results' },
      End: true,
    });
    expect(JSON.stringify(definition)).not.toContain('JSONata');
  });

  test('GIVEN workflowType STANDARD and a forced distributed layout WHEN synthesized THEN the children are STANDARD and their batches are bound by the payload only', () => {
    const { invoker, definition } = setup(3000, { layout: InvokerLayout.DISTRIBUTED, workflowType: sfn.StateMachineType.STANDARD });
    expect(definition.States['Invoke each batch'].ItemProcessor.ProcessorConfig.ExecutionType).toBe('STANDARD');
    expect(invoker.batchWorkflowType).toBe(sfn.StateMachineType.STANDARD);
    // about 150 bytes an item: well over 1,000 items fit 248 KiB
    expect(invoker.batchSize).toBeGreaterThan(1000);
    expect(invoker.batchSize).toBeLessThan(3000);
  });
});

describe('batch sizing', () => {
  test('GIVEN the defaults WHEN 1,000 requests are sized THEN each EXPRESS child takes 2 waves of 10 and one child runs at a time', () => {
    const { invoker } = setup(1000);
    expect(invoker.timeBudget).toEqual({
      requests: 1000,
      maxConcurrency: 10,
      waves: 100,
      attempts: 4,
      requestTimeoutSeconds: 30,
      retryDelaySeconds: 14,
      sinkSeconds: 0,
      perRequestSeconds: 134,
      batchSize: 20,
      batches: 50,
      batchConcurrency: 10,
      parallelBatches: 1,
      batchWorstCaseSeconds: 268,
      worstCaseSeconds: 50 * 268 + 60,
      executionTimeoutSeconds: 50 * 268 + 60,
    });
    expect(invoker.batchSize).toBe(20);
  });

  test.each([
    // maxConcurrency 80: 40 in flight in each of 2 children at once
    [{ maxConcurrency: 80 }, { batchConcurrency: 40, parallelBatches: 2, batchSize: 80 }],
    // maxConcurrency 400,000: 40 in each of 10,000 children
    [{ maxConcurrency: 400_000 }, { batchConcurrency: 40, parallelBatches: 10_000, batchSize: 80 }],
    // short timeouts: 4 x 6 s + 14 s = 38 s a request, 7 waves of 5
    [{ maxConcurrency: 5, requestTimeout: Duration.seconds(6) }, { batchConcurrency: 5, parallelBatches: 1, batchSize: 35 }],
  ] as Array<[Partial<ScheduledInvokerProps>, object]>)('GIVEN %p WHEN sized THEN %p', (props, expected) => {
    const { invoker, definition } = setup(500, { layout: InvokerLayout.DISTRIBUTED, ...props });
    expect(invoker.timeBudget).toMatchObject(expected);
    const budget = invoker.timeBudget;
    // requests in flight never exceed maxConcurrency
    expect(budget.batchConcurrency! * budget.parallelBatches!).toBeLessThanOrEqual(budget.maxConcurrency);
    // an EXPRESS child's worst case fits 5 minutes
    expect(budget.batchWorstCaseSeconds).toBeLessThanOrEqual(300);
    const map = definition.States['Invoke each batch'];
    expect([map.MaxConcurrency, map.ItemBatcher.MaxItemsPerBatch, map.ItemProcessor.States['Invoke each request'].MaxConcurrency])
      .toEqual([budget.parallelBatches, budget.batchSize, budget.batchConcurrency]);
  });

  test('GIVEN large bodies WHEN sized THEN a batch and its results fit one state', () => {
    // GIVEN requests of about 20 KiB each as the states read them
    const stack = testStack();
    const orders = new HttpProxyApi(stack, 'Egress').addTarget('orders', { url: 'https://partner.example/api/orders', methods: ['POST'] });
    const invoker = new ScheduledInvoker(stack, 'Poller', {
      schedule: InvokerSchedule.rate(Duration.hours(1)),
      layout: InvokerLayout.DISTRIBUTED,
      workflowType: sfn.StateMachineType.STANDARD,
      requests: [...Array(100).keys()].map((i) => ({ target: orders, id: `o${i}`, body: RequestBody.fromObject({ text: 'é'.repeat(10_000) }) })),
    });
    // THEN 'é' is 2 bytes in UTF-8: a 20 KiB item, 12 of them fit 248 KiB less the API table
    expect(invoker.batchSize).toBe(12);
  });

  test('GIVEN a given executionTimeout WHEN it fits the worst case THEN the parent takes it', () => {
    const { invoker, definition } = setup(100, { layout: InvokerLayout.DISTRIBUTED, executionTimeout: Duration.hours(2) });
    expect(definition.TimeoutSeconds).toBe(7200);
    expect(invoker.timeBudget.executionTimeoutSeconds).toBe(7200);
  });
});

describe('the request list asset', () => {
  test('GIVEN 25 requests WHEN synthesized THEN the asset holds the objects the inline Plan state would hold, one a line', () => {
    // GIVEN
    const distributed = setup(25, {}, { withBody: true });
    const inline = setup(25, { layout: InvokerLayout.INLINE, workflowType: sfn.StateMachineType.STANDARD }, { withBody: true });
    // WHEN the staged asset is read
    const file = path.join(Stage.of(distributed.stack)!.outdir, distributed.invoker.requestListAsset!.assetPath);
    const text = fs.readFileSync(file, 'utf8');
    // THEN
    // the inline Plan state's objects, each with its position in the list
    expect(JSON.parse(text)).toEqual(inline.definition.States['Plan requests'].Parameters.requests.map((r: any, index: number) => ({ ...r, index })));
    expect(text.split('\n')).toHaveLength(25 + 1);
    expect(JSON.parse(text)[24]).toEqual({ id: 'order-feed', target: 'orders', api: 0, method: 'POST', path: '/orders', query: {}, headers: {}, body: { since: 'yesterday' }, index: 24 });
  });

  test('GIVEN the same requests synthesized twice WHEN the templates are compared THEN the asset key is the same, and no machine path is in the template', () => {
    const a = setup(30);
    const b = setup(30);
    expect(a.stack.resolve(a.invoker.requestListAsset!.s3ObjectKey)).toEqual(b.stack.resolve(b.invoker.requestListAsset!.s3ObjectKey));
    expect(JSON.stringify(a.template)).toEqual(JSON.stringify(b.template));
    const text = JSON.stringify(a.template);
    expect(text).not.toContain(os.tmpdir());
    expect(text).not.toContain(process.cwd());
    // and no Lambda, custom resource or deployment of any kind
    expect(Object.values<any>(a.template.Resources).map((r) => r.Type).filter((t) => /Lambda|Custom::|CloudFormation::CustomResource/.test(t))).toEqual([]);
  });

  test('GIVEN different requests WHEN synthesized THEN the asset key differs', () => {
    const key = ({ stack, invoker }: Setup) => stack.resolve(invoker.requestListAsset!.s3ObjectKey);
    expect(key(setup(30))).not.toEqual(key(setup(31)));
  });
});

describe('the results bucket', () => {
  test('GIVEN defaults WHEN synthesized THEN a new bucket is encrypted, TLS only, private, versioned, expires results after 90 days and logs its access', () => {
    const { template, invoker, stack } = setup(25);
    const t = Template.fromJSON(template);
    t.resourceCountIs('AWS::S3::Bucket', 2);
    const bucketId = stack.getLogicalId(invoker.resultsBucket!.node.defaultChild as any);
    expect(template.Resources[bucketId]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        VersioningConfiguration: { Status: 'Enabled' },
        // ResultWriter uploads in parts: what a failed run leaves unfinished is aborted after a day
        LifecycleConfiguration: { Rules: [{ ExpirationInDays: 90, NoncurrentVersionExpiration: { NoncurrentDays: 30 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }] },
        LoggingConfiguration: { DestinationBucketName: { Ref: expect.stringMatching(/^PollerDistributedResultsAccessLogs/) }, LogFilePrefix: 'results/' },
      },
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('GIVEN resultsRemovalPolicy DESTROY WHEN synthesized THEN both buckets are deleted with the stack', () => {
    const { template } = setup(25, { resultsRemovalPolicy: RemovalPolicy.DESTROY });
    expect(Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::S3::Bucket').map((r) => r.DeletionPolicy)).toEqual(['Delete', 'Delete']);
  });

  test('GIVEN a bucket of the user with a key and a prefix WHEN synthesized THEN the results go there, the key is granted, and no bucket is created', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const bucket = new s3.Bucket(stack, 'Mine', { encryptionKey: key, enforceSSL: true });
    const t = new HttpProxyApi(stack, 'Egress').addTarget('items', { url: 'https://feed.example.com/v1/items/{item}' });
    const invoker = new ScheduledInvoker(stack, 'Poller', {
      schedule: InvokerSchedule.rate(Duration.hours(1)),
      requests: [...Array(30).keys()].map((i) => ({ target: t, pathParameters: { item: `i${i}` } })),
      resultsBucket: bucket,
      resultsPrefix: 'polls/results',
    });
    const template = Template.fromStack(stack).toJSON();
    expect(invoker.resultsBucket).toBe(bucket);
    expect(invoker.resultsPrefix).toBe('polls/results');
    expect(Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::S3::Bucket')).toHaveLength(1);
    const statements = stack.resolve((invoker.distributedGrants!.node.defaultChild as any).policyDocument).Statement;
    expect(statements).toContainEqual({ Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as any), 'Arn'] } });
    expect(statements).toContainEqual(expect.objectContaining({
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [stack.getLogicalId(bucket.node.defaultChild as any), 'Arn'] }, '/polls/results/*']] },
    }));
  });
});

describe('IAM of the distributed layout', () => {
  test('GIVEN the layout WHEN its grants are read THEN they are exactly: the asset object, the results prefix, this state machine, its executions and its Map Runs', () => {
    const { stack, invoker } = setup(25);
    const sm = stack.getLogicalId(invoker.stateMachine.node.defaultChild as any);
    const results = stack.getLogicalId(invoker.resultsBucket!.node.defaultChild as any);
    const states = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:states:${TEST_REGION}:${TEST_ACCOUNT}:${rest.split('<name>')[0]}`, { 'Fn::GetAtt': [sm, 'Name'] }, rest.split('<name>')[1]]] });
    expect(stack.resolve((invoker.distributedGrants!.node.defaultChild as any).policyDocument).Statement).toEqual([
      {
        Action: 's3:GetObject',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::cdk-hnb659fds-assets-${TEST_ACCOUNT}-${TEST_REGION}/${stack.resolve(invoker.requestListAsset!.s3ObjectKey)}`]] },
      },
      {
        Action: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [results, 'Arn'] }, `/${invoker.resultsPrefix}/*`]] },
      },
      { Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: sm } },
      { Action: ['states:DescribeExecution', 'states:StopExecution'], Effect: 'Allow', Resource: states('execution:<name>:*') },
      { Action: 'states:DescribeMapRun', Effect: 'Allow', Resource: states('mapRun:<name>/Requests:*') },
    ]);
  });

  test('GIVEN the layout WHEN the role\'s policies are read THEN none is inline (CDK\'s Distributed Map policy is replaced), and its default policy holds logging and tracing only', () => {
    const { stack, invoker, template } = setup(25);
    const role = stack.getLogicalId(invoker.role.node.defaultChild as any);
    const attached = Object.entries<any>(template.Resources).filter(([, r]) => (r.Properties?.Roles ?? []).some((x: any) => x.Ref === role));
    expect(attached.map(([, r]) => r.Type)).toEqual(['AWS::IAM::ManagedPolicy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::ManagedPolicy']);
    const defaultPolicy = stack.resolve((invoker.role.node.findChild('DefaultPolicy').node.defaultChild as any).policyDocument);
    expect(defaultPolicy.Statement.flatMap((s: any) => [s.Action].flat()).every((a: string) => /^(logs|xray):/.test(a))).toBe(true);
  });

  test('GIVEN the schedule WHEN synthesized THEN it waits for the grants, so no run starts before the role may read its request list', () => {
    const { stack, invoker, template } = setup(25);
    const schedule = template.Resources[stack.getLogicalId(invoker.schedule.node.defaultChild as any)];
    expect(schedule.DependsOn).toContain(stack.getLogicalId(invoker.distributedGrants!.node.defaultChild as any));
  });

  describe('simulated', () => {
    const { stack, invoker, template } = setup(25);
    const sm = stack.getLogicalId(invoker.stateMachine.node.defaultChild as any);
    const results = stack.getLogicalId(invoker.resultsBucket!.node.defaultChild as any);
    const name = 'PollerStateMachine-abc123';
    const smArn = `arn:aws:states:${TEST_REGION}:${TEST_ACCOUNT}:stateMachine:${name}`;
    const refs = { ...templateRefs(template, TEST_REGION), [sm]: smArn, [`${sm}.Name`]: name, [`${results}.Arn`]: 'arn:aws:s3:::results-bucket' };
    const role = stack.getLogicalId(invoker.role.node.defaultChild as any);
    const policies = Object.entries<any>(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy' && r.Properties.Roles.some((x: any) => x.Ref === role))
      .map(([id, r]) => ({ name: id, policy: resolveValue(r.Properties.PolicyDocument, refs) }));
    const key = stack.resolve(invoker.requestListAsset!.s3ObjectKey);
    const assets = `arn:aws:s3:::cdk-hnb659fds-assets-${TEST_ACCOUNT}-${TEST_REGION}`;
    const prefix = `arn:aws:s3:::results-bucket/${invoker.resultsPrefix}`;
    const cases: Array<[string, string, string]> = [
      ['s3:GetObject', `${assets}/${key}`, 'Allowed'],
      ['s3:GetObject', `${assets}/another-asset.json`, 'ImplicitlyDenied'],
      ['s3:PutObject', `${prefix}/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/manifest.json`, 'Allowed'],
      ['s3:PutObject', 'arn:aws:s3:::results-bucket/elsewhere/manifest.json', 'ImplicitlyDenied'],
      ['s3:DeleteObject', `${prefix}/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/manifest.json`, 'ImplicitlyDenied'],
      ['states:StartExecution', smArn, 'Allowed'],
      ['states:StartExecution', `arn:aws:states:${TEST_REGION}:${TEST_ACCOUNT}:stateMachine:Other`, 'ImplicitlyDenied'],
      ['states:StopExecution', `arn:aws:states:${TEST_REGION}:${TEST_ACCOUNT}:execution:${name}:run-1`, 'Allowed'],
      ['states:StopExecution', `arn:aws:states:${TEST_REGION}:${TEST_ACCOUNT}:execution:Other:run-1`, 'ImplicitlyDenied'],
      ['states:DescribeMapRun', `arn:aws:states:${TEST_REGION}:${TEST_ACCOUNT}:mapRun:${name}/Requests:0f1e2d3c`, 'Allowed'],
      ['states:DescribeMapRun', `arn:aws:states:${TEST_REGION}:${TEST_ACCOUNT}:mapRun:Other/Requests:0f1e2d3c`, 'ImplicitlyDenied'],
      ['states:RedriveExecution', `arn:aws:states:${TEST_REGION}:${TEST_ACCOUNT}:execution:${name}/Requests:run-1`, 'ImplicitlyDenied'],
    ];
    test.each(cases)('GIVEN the role WHEN it asks %s on %s THEN it is %s', async (action, resource, expected) => {
      expect(await simulate({
        request: { principal: `arn:aws:iam::${TEST_ACCOUNT}:role/PollerRole`, action, resource: { resource, accountId: TEST_ACCOUNT }, contextVariables: {} },
        identityPolicies: policies,
      })).toBe(expected);
    });
  });
});

describe('alarms', () => {
  test('GIVEN the distributed layout WHEN synthesized THEN the failed-executions alarm watches the parent and each route keeps its error-rate alarm', () => {
    const { stack, invoker, template } = setup(25, {}, { withBody: true });
    const t = Template.fromJSON(template);
    // failed executions, dead-lettered starts, and one per route and method (items GET, orders POST)
    t.resourceCountIs('AWS::CloudWatch::Alarm', 4);
    expect(invoker.targetErrorRateAlarms).toHaveLength(2);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({
        Id: 'failed',
        MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'ExecutionsFailed', Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: stack.getLogicalId(invoker.stateMachine.node.defaultChild as any) } }] }) }),
      })]),
    });
  });
});

describe('scale', () => {
  /** A default invoker of n requests over 10 targets of one API; its synth time, template size and resources. */
  function scaled(n: number, archive = false) {
    const started = Date.now();
    const stack = testStack();
    const api = new HttpProxyApi(stack, 'Egress');
    const targets: HttpProxyTarget[] = [...Array(10).keys()].map((i) => api.addTarget(`feed${i}`, { url: `https://feed${i}.example.com/v1/items/{item}` }));
    const invoker = new ScheduledInvoker(stack, 'Poller', {
      schedule: InvokerSchedule.rate(Duration.minutes(15)),
      requests: [...Array(n).keys()].map((i) => ({ target: targets[i % 10], pathParameters: { item: `item-${i}` } })),
      sink: archive ? new ResponseArchive(stack, 'Archive') : undefined,
    });
    const json = Template.fromStack(stack).toJSON();
    return { layout: invoker.layout, ms: Date.now() - started, bytes: JSON.stringify(json).length, resources: Object.keys(json.Resources).length };
  }

  test('GIVEN 21, 1,000 and 100,000 requests on the defaults WHEN synthesized THEN each takes the distributed layout, 100,000 in under 5 s with a template under 150 KiB, and the resources do not grow', () => {
    const [few, thousand, hundredThousand] = [21, 1000, 100_000].map((n) => scaled(n));
    expect([few.layout, thousand.layout, hundredThousand.layout]).toEqual(['DISTRIBUTED', 'DISTRIBUTED', 'DISTRIBUTED']);
    expect(hundredThousand.ms).toBeLessThan(5000);
    expect(hundredThousand.bytes).toBeLessThan(150 * 1024);
    expect(hundredThousand.resources).toBe(thousand.resources);
  });

  test('GIVEN 1,000 requests with a ResponseArchive WHEN synthesized THEN they take the distributed layout', () => {
    const archived = scaled(1000, true);
    expect(archived.layout).toBe('DISTRIBUTED');
    expect(archived.bytes).toBeLessThan(150 * 1024);
  });
});
