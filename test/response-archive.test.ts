import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { HttpProxyApi, InvokerSchedule, ResponseArchive, ResponseArchiveProps, ScheduledInvoker } from '../src';
import { definitionOf } from './support/state-machine-harness';
import { TEST_REGION, testStack } from './support/test-stack';

function setup(props: ResponseArchiveProps = {}, extra?: (stack: Stack) => void) {
  const stack = testStack();
  const api = new HttpProxyApi(stack, 'Egress');
  const prices = api.addTarget('prices', { url: 'https://api.example.com/v1/prices/{sku}' });
  const archive = new ResponseArchive(stack, 'Archive', props);
  const invoker = new ScheduledInvoker(stack, 'Poller', {
    schedule: InvokerSchedule.rate(Duration.minutes(15)),
    requests: [{ target: prices, pathParameters: { sku: 'a' } }],
    sink: archive,
  });
  extra?.(stack);
  const id = (c: any) => stack.getLogicalId(c.node.defaultChild);
  return { stack, archive, invoker, id, get template() { return Template.fromStack(stack); } };
}

/** The archive's states, with every resource reference written `<LogicalId>`. */
function archiveStates(template: Template) {
  const json = template.toJSON();
  const refs = Object.fromEntries(Object.keys(json.Resources).map((k) => [k, `<${k}>`]));
  return definitionOf(json, TEST_REGION, undefined, refs).States['Invoke each request'].ItemProcessor.States['Deliver to sink'].Branches[0].States;
}

describe('S3', () => {
  test('GIVEN defaults WHEN synthesized THEN the bucket is versioned, SSE-S3, private, TLS-only, logged and has a lifecycle', () => {
    const { template, id, archive } = setup();
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: id(archive.logBucket) }, LogFilePrefix: 'archive/' },
      LifecycleConfiguration: {
        Rules: [Match.objectLike({
          Status: 'Enabled',
          Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }],
          NoncurrentVersionExpiration: { NoncurrentDays: 90 },
        })],
      },
    });
    // TLS only, on both buckets
    template.resourcePropertiesCountIs('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    }, 2);
    // retained by default
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ LoggingConfiguration: Match.anyValue() }) });
  });

  test('GIVEN the log bucket WHEN synthesized THEN it is private, TLS-only, expires logs, and only S3 logging of the archive bucket may write to it', () => {
    const { template, id, archive } = setup({ accessLogsExpiration: Duration.days(90) });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true }),
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90 })] },
      LoggingConfiguration: Match.absent(),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id(archive.logBucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Sid: 'S3ServerAccessLogsOfTheArchive',
          Effect: 'Allow',
          Principal: { Service: 'logging.s3.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id(archive.logBucket), 'Arn'] }, '/archive/*']] },
          Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [id(archive.bucket), 'Arn'] } }, StringEquals: { 'aws:SourceAccount': '123456789012' } },
        }]),
      },
    });
  });

  test('GIVEN a customer key and an expiry WHEN synthesized THEN objects use SSE-KMS with a bucket key and expire', () => {
    const { template } = setup({ expireAfter: Duration.days(400) }, undefined);
    template.hasResourceProperties('AWS::S3::Bucket', { LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 400 })] } });
    const withKey = testStack();
    const key = new kms.Key(withKey, 'Key', { enableKeyRotation: true });
    new ResponseArchive(withKey, 'Archive', { encryptionKey: key });
    Template.fromStack(withKey).hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() } }] },
    });
  });

  test('GIVEN an existing bucket WHEN synthesized THEN no bucket is created and the grants name it', () => {
    const stack = testStack();
    const existing = s3.Bucket.fromBucketName(stack, 'Existing', 'my-archive');
    const archive = new ResponseArchive(stack, 'Archive', { existingBucket: existing, prefix: 'polls/' });
    expect(archive.bucket).toBe(existing);
    expect(archive.logBucket).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::S3::Bucket', 0);
  });
});

describe('change detection', () => {
  test('GIVEN change detection WHEN synthesized THEN the table is on-demand with PITR and encryption, and the topic is KMS-encrypted and TLS-only', () => {
    const { template } = setup({ changeDetection: {}, removalPolicy: RemovalPolicy.DESTROY });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ArchiveTopicKey'), 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });

  test('GIVEN change detection WHEN synthesized THEN the states hash through S3, store, record the hash unless it was announced, announce, then note the announcement', () => {
    const s = archiveStates(setup({ changeDetection: { hashPath: '$.prices' } }).template);
    // unique per execution: an Express name may repeat, its ARN does not
    expect(s['Archive: prepare'].Parameters['key.$']).toBe(
      "States.Format('responses/target={}/date={}/{}-{}/{}-{}.json', $.request.target, States.ArrayGetItem(States.StringSplit($.run.startTime, 'T'), 0), $.run.name, States.Hash($.run.id, 'MD5'), $.index, $.request.id)");
    expect(s['Archive: prepare'].Parameters['hashInputKey.$']).toBe("States.Format('responses/_hash-inputs/target={}/{}.json', $.request.target, $.request.id)");
    expect(s['Archive: prepare'].Next).toBe('Archive: part to hash present?');
    // a path that reads nothing would fail the whole execution (States.Runtime)
    expect(s['Archive: part to hash present?']).toMatchObject({
      Type: 'Choice', Choices: [{ Variable: '$.record.body.prices', IsPresent: true, Next: 'Archive: hash part' }], Default: 'Archive: store without its part',
    });
    expect(s['Archive: store without its part']).toMatchObject({ Resource: 'arn:aws:states:::aws-sdk:s3:putObject', Next: 'Archive: part to hash missing' });
    expect(s['Archive: part to hash missing']).toMatchObject({ Type: 'Fail', Error: 'Archive.HashPathNotFound' });
    // S3 computes the SHA-256: no 10,000-character limit, no States.Hash over the body
    expect(s['Archive: hash part']).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:s3:putObject',
      Parameters: { 'Key.$': '$.hashInputKey', 'ChecksumAlgorithm': 'SHA256', 'Body.$': 'States.JsonToString($.record.body.prices)' },
      ResultSelector: { 'sha256.$': '$.ChecksumSHA256' },
      ResultPath: '$.hashed',
      Next: 'Archive: store',
    });
    expect(s['Archive: store']).toMatchObject({ Resource: 'arn:aws:states:::aws-sdk:s3:putObject', Parameters: { 'Body.$': '$.record', 'ContentType': 'application/json' }, Next: 'Archive: record hash unless announced' });
    expect(s['Archive: record hash unless announced']).toMatchObject({
      Resource: 'arn:aws:states:::dynamodb:updateItem',
      Parameters: { ConditionExpression: 'attribute_not_exists(#announced) OR #announced <> :hash', ReturnValues: 'ALL_OLD' },
      // a refused condition is the answer "unchanged": never retried; every other error is
      Retry: [{ ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], MaxAttempts: 0 }, { ErrorEquals: ['States.Timeout', 'States.TaskFailed'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 2, JitterStrategy: 'FULL' }],
      Catch: [{ ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], Next: 'Archive: unchanged' }],
    });
    expect(s['Archive: announce on topic']).toMatchObject({ Resource: 'arn:aws:states:::sns:publish', Next: 'Archive: record announcement', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Archive: announce failed' }] });
    expect(s['Archive: announce failed']).toMatchObject({ Type: 'Fail', Error: 'Archive.AnnounceFailed' });
    expect(s['Archive: record announcement']).toMatchObject({
      Parameters: { UpdateExpression: 'SET #announced = :hash, #at = :at', ConditionExpression: '#hash = :hash' },
      Next: 'Archive: changed',
    });
    expect(JSON.stringify(s)).not.toContain('JSONata');
    expect(JSON.stringify(s)).not.toContain('States.Hash($.record');
  });

  test('GIVEN change detection WHEN synthesized THEN the hash inputs, rewritten by every run, expire after a day', () => {
    const { template } = setup({ changeDetection: {} });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([{ Id: 'HashInputs', Prefix: 'responses/_hash-inputs/', Status: 'Enabled', ExpirationInDays: 1, NoncurrentVersionExpiration: { NoncurrentDays: 1 } }]),
      },
    });
  });

  test('GIVEN a hash path for one target WHEN synthesized THEN that target hashes its part and the others their whole body', () => {
    const s = archiveStates(setup({ changeDetection: { targetHashPaths: { prices: '$.price' } } }).template);
    expect(s['Archive: prepare'].Next).toBe('Archive: which part to hash?');
    expect(s['Archive: which part to hash?']).toMatchObject({
      Choices: [{ Variable: '$.record.target', StringEquals: 'prices', Next: 'Archive: part to hash present? (prices)' }],
      Default: 'Archive: hash body',
    });
    expect(s['Archive: hash part (prices)'].Parameters['Body.$']).toBe('States.JsonToString($.record.body.price)');
    expect(s['Archive: hash body'].Parameters['Body.$']).toBe('States.JsonToString($.record.body)');
  });

  test('GIVEN a target id of 63 characters with its own hash path WHEN synthesized THEN every state name stays within the 80 characters Step Functions accepts', () => {
    // GIVEN
    const stack = testStack();
    const api = new HttpProxyApi(stack, 'Egress');
    const id = `prices-${'x'.repeat(56)}`;
    const t = api.addTarget(id, { url: 'https://api.example.com/v1/prices' });
    const archive = new ResponseArchive(stack, 'Archive', { changeDetection: { targetHashPaths: { [id]: '$.price' } } });

    // WHEN
    new ScheduledInvoker(stack, 'Poller', { schedule: InvokerSchedule.rate(Duration.hours(1)), requests: [{ target: t }], sink: archive });

    // THEN
    const names = Object.keys(archiveStates(Template.fromStack(stack)));
    expect(names.filter((n) => n.length > 80)).toEqual([]);
    expect(names.filter((n) => n.startsWith('Archive: part to hash present? (prices-xxx'))).toHaveLength(1);
  });

  test('GIVEN an event bus and no topic WHEN synthesized THEN changes go to EventBridge only', () => {
    const stack = testStack();
    const bus = new events.EventBus(stack, 'Bus');
    const api = new HttpProxyApi(stack, 'Egress');
    const t = api.addTarget('prices', { url: 'https://api.example.com/v1/prices' });
    const archive = new ResponseArchive(stack, 'Archive', { changeDetection: { announceToTopic: false, eventBus: bus } });
    new ScheduledInvoker(stack, 'Poller', { schedule: InvokerSchedule.rate(Duration.hours(1)), requests: [{ target: t }], sink: archive });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    const states = archiveStates(template);
    expect(states['Archive: announce on bus'].Parameters.Entries[0]).toMatchObject({ 'Source': 'cdk-inside-out-gateway', 'DetailType': 'Response changed', 'Detail.$': '$.change' });
    expect(states['Archive: announce on topic']).toBeUndefined();
  });

  test('GIVEN no change detection WHEN synthesized THEN there is no table and the states only store', () => {
    const { template } = setup();
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    expect(Object.keys(archiveStates(template)).sort()).toEqual(['Archive: prepare', 'Archive: store', 'Archive: stored']);
  });
});

describe('IAM', () => {
  test('GIVEN an archive with change detection WHEN bound THEN the role may only put objects under the prefix, update its table and publish to its topic', () => {
    const { stack, archive, invoker, id } = setup({ changeDetection: {} });
    const policy = invoker.node.findChild('Sink').node.findChild('ArchiveGrants') as iam.ManagedPolicy;
    const doc = stack.resolve((policy.node.defaultChild as iam.CfnManagedPolicy).policyDocument);
    expect(doc.Statement).toEqual([
      { Action: 's3:PutObject', Effect: 'Allow', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id(archive.bucket), 'Arn'] }, '/responses/*']] } },
      { Action: 'dynamodb:UpdateItem', Effect: 'Allow', Resource: { 'Fn::GetAtt': [id(archive.table), 'Arn'] } },
      { Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: id(archive.topic) } },
      { Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [id(archive.topic!.masterKey), 'Arn'] } },
    ]);
    expect(stack.resolve((policy.node.defaultChild as iam.CfnManagedPolicy).roles)).toEqual([{ Ref: id(invoker.role) }]);
    // no read, list or delete anywhere
    expect(JSON.stringify(doc)).not.toMatch(/s3:(Get|List|Delete)|dynamodb:(Scan|Query|DeleteItem)/);
  });

  test('GIVEN a reader WHEN grantRead THEN it may read objects under the prefix', () => {
    const { stack, archive } = setup();
    const reader = new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() });
    archive.grantRead(reader);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('Analyst') }],
      PolicyDocument: { Statement: [Match.objectLike({ Action: Match.arrayWith(['s3:GetObject*', 's3:List*']) })] },
    });
  });
});

describe('metrics', () => {
  test('GIVEN change detection WHEN the metric helpers are read THEN they name the topic and the table', () => {
    const { stack, archive, id } = setup({ changeDetection: {} });
    expect(archive.metricChangesAnnounced().metricName).toBe('NumberOfMessagesPublished');
    expect(stack.resolve(archive.metricChangesAnnounced().dimensions)).toEqual({ TopicName: { 'Fn::GetAtt': [id(archive.topic), 'TopicName'] } });
    expect(archive.metricUnchangedResponses().metricName).toBe('ConditionalCheckFailedRequests');
  });
});
