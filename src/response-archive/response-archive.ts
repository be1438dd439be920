import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ARCHIVE_PREFIX } from './archive-key';
import { archiveStates } from './archive-states';
import { ChangeDetectionOptions } from './change-detection';
import { acknowledgeInCompliancePacks, acknowledgeWildcardResource } from '../common/acknowledgements';
import { createEncryptionKey } from '../common/encryption-key';
import { invalidProp } from '../common/errors';
import { PRIVATE_BUCKET } from '../common/private-bucket';
import { acknowledgeInTemplate } from '../common/template-acknowledgements';
import { IResponseSink, ResponseSinkBindOptions, ResponseSinkConfig } from '../scheduled-invoker/response-sink';

/** Props of `ResponseArchive`. */
export interface ResponseArchiveProps {
  /**
   * A bucket of yours to write to, instead of a new one. It is used as it
   * is: its encryption, versioning, logging and lifecycle are yours, so
   * `encryptionKey`, `transitionAfter`, `expireAfter` and
   * `noncurrentVersionExpiration` are refused with it.
   *
   * @default - a new versioned, encrypted, TLS-only bucket with access logs
   */
  readonly existingBucket?: s3.IBucket;

  /**
   * Encrypt new objects with this customer key (SSE-KMS, with a bucket key).
   *
   * @default - SSE-S3
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Key prefix of every archived object: segments of letters, digits,
   * `_`, `.`, `=` and `-`, each ending in `/` (or empty).
   *
   * @default 'responses/'
   */
  readonly prefix?: string;

  /**
   * Move objects to S3 Standard-IA after this long (at least 30 days).
   * S3 lifecycle rules do not transition objects under 128 KB unless told
   * to (their default minimum object size), and Standard-IA bills at least
   * 128 KB per object, so most archived responses, which are small, stay in
   * Standard; larger ones move.
   *
   * @default Duration.days(30)
   */
  readonly transitionAfter?: Duration;

  /**
   * Delete objects this long after they are written.
   *
   * The default keeps every response: the archive is the record of what
   * the third party answered (a price history, the versions of a page), and
   * deleting it is a decision about that record. Set it when the responses
   * hold data you must not keep, or only need for a while.
   *
   * @default - never: current objects are kept until you delete them; replaced
   * versions expire after `noncurrentVersionExpiration`, and the buckets are
   * retained when the stack is deleted (`removalPolicy`)
   */
  readonly expireAfter?: Duration;

  /**
   * Delete replaced or deleted versions this long after they stop being
   * current.
   *
   * @default Duration.days(90)
   */
  readonly noncurrentVersionExpiration?: Duration;

  /**
   * Delete server access logs this long after they are written.
   *
   * @default Duration.days(365)
   */
  readonly accessLogsExpiration?: Duration;

  /**
   * Detect changed responses and announce them.
   *
   * @default - off: every response is stored, nothing is compared
   */
  readonly changeDetection?: ChangeDetectionOptions;

  /**
   * What happens to the buckets and the table when the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Keeps every successful response of a `ScheduledInvoker` in S3, written by
 * the state machine itself (`aws-sdk:s3:putObject`, no Lambda), and
 * optionally detects changes with a hash per target and request in
 * DynamoDB and announces each real change, at least once, on SNS and/or EventBridge.
 *
 * @example
 * const archive = new ResponseArchive(this, 'Archive', {
 *   changeDetection: { hashPath: '$.prices' },
 * });
 */
export class ResponseArchive extends Construct implements IResponseSink {
  /** The bucket responses are written to. */
  public readonly bucket: s3.IBucket;

  /** The bucket of the archive bucket's server access logs, when the archive created its bucket. */
  public readonly logBucket?: s3.Bucket;

  /** The last hash per target and request, when changes are detected. */
  public readonly table?: dynamodb.Table;

  /** The topic changes are announced on. */
  public readonly topic?: sns.ITopic;

  /** The bus changes are put on. */
  public readonly eventBus?: events.IEventBus;

  /** The key prefix of archived objects. */
  public readonly prefix: string;

  private readonly changeDetection?: ChangeDetectionOptions;

  constructor(scope: Construct, id: string, props: ResponseArchiveProps = {}) {
    super(scope, id);
    this.prefix = props.prefix ?? 'responses/';
    if (Token.isUnresolved(this.prefix) || !ARCHIVE_PREFIX.test(this.prefix)) {
      throw invalidProp(this, 'prefix', this.prefix, 'segments of letters, digits, "_", ".", "=" and "-", each ending in "/" (e.g. "responses/"), or ""');
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    if (props.existingBucket) {
      for (const prop of ['encryptionKey', 'transitionAfter', 'expireAfter', 'noncurrentVersionExpiration', 'accessLogsExpiration'] as const) {
        if (props[prop] !== undefined) {
          throw invalidProp(this, prop, 'given with existingBucket', `either existingBucket or ${prop}: an existing bucket keeps its own settings`);
        }
      }
      this.bucket = props.existingBucket;
    } else {
      const transitionAfter = days(this, 'transitionAfter', props.transitionAfter ?? Duration.days(30), 30);
      const expireAfter = props.expireAfter && days(this, 'expireAfter', props.expireAfter, 1);
      if (expireAfter && expireAfter.toDays() <= transitionAfter.toDays()) {
        throw invalidProp(this, 'expireAfter', expireAfter.toHumanString(), `longer than transitionAfter (${transitionAfter.toHumanString()})`);
      }
      this.logBucket = new s3.Bucket(this, 'AccessLogs', {
        // log delivery writes with SSE-S3 only
        ...PRIVATE_BUCKET,
        lifecycleRules: [{
          expiration: days(this, 'accessLogsExpiration', props.accessLogsExpiration ?? Duration.days(365), 1),
          noncurrentVersionExpiration: Duration.days(30),
        }],
        removalPolicy,
      });
      acknowledgeInCompliancePacks(this.logBucket, 'accessLogBucketKms');
      acknowledgeInCompliancePacks(this.logBucket, 'bucketReplication');
      for (const finding of ['accessLogBucketLogging', 'accessLogBucketLoggingGuard', 'accessLogBucketKmsGuard', 'eventNotifications', 'objectLock'] as const) {
        acknowledgeInTemplate(this.logBucket, finding);
      }
      const bucket = new s3.Bucket(this, 'Bucket', {
        encryption: props.encryptionKey ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
        encryptionKey: props.encryptionKey,
        bucketKeyEnabled: props.encryptionKey ? true : undefined,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        versioned: true,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        lifecycleRules: [{
          transitions: [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter }],
          expiration: expireAfter,
          noncurrentVersionExpiration: days(this, 'noncurrentVersionExpiration', props.noncurrentVersionExpiration ?? Duration.days(90), 1),
        }, ...(props.changeDetection ? [{
          // the text each run hashes, rewritten by the next run: kept a day
          id: 'HashInputs',
          prefix: `${this.prefix}_hash-inputs/`,
          expiration: Duration.days(1),
          noncurrentVersionExpiration: Duration.days(1),
        }] : [])],
        removalPolicy,
      });
      this.enableAccessLogs(bucket, this.logBucket);
      acknowledgeInCompliancePacks(bucket, 'bucketReplication');
      acknowledgeInTemplate(bucket, 'eventNotifications');
      acknowledgeInTemplate(bucket, 'objectLock');
      if (!props.encryptionKey) {
        acknowledgeInCompliancePacks(bucket, 'archiveBucketSseS3');
        acknowledgeInTemplate(bucket, 'archiveBucketSseS3Guard');
      }
      this.bucket = bucket;
    }

    const cd = props.changeDetection;
    if (cd) {
      this.changeDetection = cd;
      const paths = { 'changeDetection.hashPath': cd.hashPath, ...Object.fromEntries(Object.entries(cd.targetHashPaths ?? {}).map(([t, p]) => [`changeDetection.targetHashPaths.${t}`, p])) };
      for (const [prop, path] of Object.entries(paths)) {
        if (path !== undefined && (Token.isUnresolved(path) || !/^\$(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(path))) {
          throw invalidProp(this, prop, Token.isUnresolved(path) ? 'a token' : path, 'a JSONPath of field names below the body, such as "$.prices" or "$.data.items"');
        }
      }
      if (cd.topic && cd.announceToTopic === false) {
        throw invalidProp(this, 'changeDetection.topic', 'given with announceToTopic: false', 'either a topic or announceToTopic: false');
      }
      this.table = new dynamodb.Table(this, 'Hashes', {
        partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: cd.encryptionKey ? dynamodb.TableEncryption.CUSTOMER_MANAGED : dynamodb.TableEncryption.AWS_MANAGED,
        encryptionKey: cd.encryptionKey,
        removalPolicy,
      });
      acknowledgeInCompliancePacks(this.table, 'hashTableBackupPlan');
      if (!cd.encryptionKey) {
        acknowledgeInTemplate(this.table, 'hashTableAwsOwnedKey');
      }
      if (cd.announceToTopic ?? true) {
        this.topic = cd.topic ?? this.createTopic(cd.encryptionKey);
      }
      this.eventBus = cd.eventBus;
    }
  }

  /**
   * Creates the archive's states for one invoker and grants its role
   * exactly what they need.
   *
   * @param scope the scope to create the states in
   * @param options the invoker's role and targets
   */
  public bindToInvoker(scope: Construct, options: ResponseSinkBindOptions): ResponseSinkConfig {
    if (Stack.of(scope).region !== Stack.of(this).region && !Token.isUnresolved(Stack.of(this).region)) {
      throw invalidProp(scope, 'sink', `a ResponseArchive in ${Stack.of(this).region}`, `a ResponseArchive in the invoker's region (${Stack.of(scope).region})`);
    }
    const unknown = Object.keys(this.changeDetection?.targetHashPaths ?? {}).filter((t) => !options.targetIds.includes(t));
    if (unknown.length > 0) {
      throw invalidProp(this, 'changeDetection.targetHashPaths', unknown.join(', '), `ids of targets the invoker calls: ${options.targetIds.join(', ')}`);
    }
    this.grantStates(scope, options.role);
    const states = archiveStates(scope, {
      bucketName: this.bucket.bucketName,
      prefix: this.prefix,
      tableName: this.table?.tableName,
      hashPath: this.changeDetection?.hashPath,
      targetHashPaths: this.changeDetection?.targetHashPaths,
      storeChangesOnly: this.changeDetection?.storeChangesOnly ?? false,
      topicArn: this.topic?.topicArn,
      eventBusArn: this.eventBus?.eventBusArn,
    });
    return { ...states, resultFields: { key: '$.key', changed: '$.changed' } };
  }

  /**
   * Exactly what the states do, in a policy of their own: put objects under
   * the prefix, update (and read) the hash table, publish to the topic, put
   * events on the bus, and use the keys that encrypt them.
   */
  private grantStates(scope: Construct, role: iam.IRole): iam.ManagedPolicy {
    const objects = this.bucket.arnForObjects(`${this.prefix}*`);
    const statements = [new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [objects] })];
    if (this.bucket.encryptionKey) {
      statements.push(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [this.bucket.encryptionKey.keyArn] }));
    }
    if (this.table) {
      const actions = ['dynamodb:UpdateItem', ...(this.changeDetection?.storeChangesOnly ? ['dynamodb:GetItem'] : [])];
      statements.push(new iam.PolicyStatement({ actions, resources: [this.table.tableArn] }));
      if (this.table.encryptionKey) {
        statements.push(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [this.table.encryptionKey.keyArn] }));
      }
    }
    if (this.topic) {
      statements.push(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [this.topic.topicArn] }));
      if (this.topic.masterKey) {
        statements.push(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [this.topic.masterKey.keyArn] }));
      }
    }
    if (this.eventBus) {
      statements.push(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [this.eventBus.eventBusArn] }));
    }
    const policy = new iam.ManagedPolicy(scope, 'ArchiveGrants', { roles: [role], statements, description: 'What the ResponseArchive states of one invoker do' });
    acknowledgeWildcardResource(policy, objects, 'archiveObjectKeys');
    return policy;
  }

  /**
   * Allows the grantee to read archived responses (and decrypt them when a
   * customer key encrypts the bucket).
   *
   * @param grantee the principal
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.bucket.grantRead(grantee, `${this.prefix}*`);
  }

  /** Changes announced on the topic (sum over 5 minutes). */
  public metricChangesAnnounced(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!this.topic) {
      throw invalidProp(this, 'metricChangesAnnounced', 'called', 'a ResponseArchive with changeDetection that announces to a topic');
    }
    return this.topic.metricNumberOfMessagesPublished(props);
  }

  /** Responses found unchanged: conditional writes of the hash table that were refused (sum over 5 minutes). */
  public metricUnchangedResponses(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!this.table) {
      throw invalidProp(this, 'metricUnchangedResponses', 'called', 'a ResponseArchive with changeDetection');
    }
    return this.table.metricConditionalCheckFailedRequests({ statistic: 'Sum', ...props });
  }

  /**
   * Server access logs delivered under a bucket policy (S3's recommended
   * way), whatever the app's feature flags: `serverAccessLogsBucket` would
   * switch the log bucket to ACLs in apps without
   * `@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy`.
   */
  private enableAccessLogs(bucket: s3.Bucket, logBucket: s3.Bucket): void {
    const prefix = 'archive/';
    (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
      destinationBucketName: logBucket.bucketName,
      logFilePrefix: prefix,
    };
    logBucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'S3ServerAccessLogsOfTheArchive',
      principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [logBucket.arnForObjects(`${prefix}*`)],
      conditions: {
        ArnLike: { 'aws:SourceArn': bucket.bucketArn },
        StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
      },
    }));
  }

  private createTopic(key: kms.IKey | undefined): sns.Topic {
    const masterKey = key ?? createEncryptionKey(this, 'TopicKey', 'Encrypts the change topic of a ResponseArchive');
    return new sns.Topic(this, 'Changes', {
      displayName: 'Changed responses',
      masterKey,
      enforceSSL: true,
    });
  }
}

function days(scope: Construct, prop: string, d: Duration, min: number): Duration {
  const value = d.isUnresolved() ? NaN : d.toMilliseconds() / 86_400_000;
  if (!Number.isInteger(value) || value < min) {
    throw invalidProp(scope, prop, d.isUnresolved() ? 'a token' : d.toHumanString(), `whole days, at least ${min}`);
  }
  return d;
}
