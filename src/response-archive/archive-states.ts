import { Aws, Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { archiveKeyExpression, hashInputKeyExpression } from './archive-key';
import { JSON_NULL } from '../common/json-null';
import { stateName } from '../common/state-name';

/** What the archive's states need to know. */
export interface ArchiveStatesProps {
  readonly bucketName: string;
  readonly prefix: string;
  /** The hash table, when changes are detected. */
  readonly tableName?: string;
  /** JSONPath below the body to hash (`$` for the whole body). */
  readonly hashPath?: string;
  /** JSONPaths to hash instead, by target id. */
  readonly targetHashPaths?: Record<string, string>;
  readonly storeChangesOnly: boolean;
  readonly topicArn?: string;
  readonly eventBusArn?: string;
}

/** Event detail and SNS message of one change. */
export const CHANGE_EVENT_SOURCE = 'cdk-inside-out-gateway';
export const CHANGE_EVENT_DETAIL_TYPE = 'Response changed';

/**
 * Seconds each task may take: S3, DynamoDB, SNS and EventBridge answer
 * these single-item calls in well under a second, and the sink's worst case
 * (3 attempts of up to 6 tasks) must leave room in an Express run's 5
 * minutes for the request itself.
 */
const TASK_TIMEOUT_SECONDS = 5;
/**
 * Retries of every task: any error but a refused condition, which is an
 * answer, not a fault. The DynamoDB integration names its errors after the
 * SDK's exception classes, and a transient one under another name than
 * expected must still be retried, so the catch-all `States.TaskFailed` is
 * used rather than a list of names (Step Functions developer guide, "Error
 * handling": States.TaskFailed matches any task failure but a timeout).
 */
const CONDITION_REFUSED = 'DynamoDB.ConditionalCheckFailedException';
const TASK_RETRY: sfn.RetryProps = {
  errors: [sfn.Errors.TIMEOUT, sfn.Errors.TASKS_FAILED],
  interval: Duration.seconds(1),
  backoffRate: 2,
  maxAttempts: 2,
  jitterStrategy: sfn.JitterType.FULL,
};
/** One task's worst case: 3 attempts and the waits between them. */
const TASK_WORST_SECONDS = 3 * TASK_TIMEOUT_SECONDS + 1 + 2;

/** The states' names, as they show in the execution history. */
export const ARCHIVE_STATE_NAMES = {
  prepare: 'Archive: prepare',
  whichPart: 'Archive: which part to hash?',
  partPresent: 'Archive: part to hash present?',
  hashBody: 'Archive: hash body',
  hashPart: 'Archive: hash part',
  storeWithoutPart: 'Archive: store without its part',
  partMissing: 'Archive: part to hash missing',
  readLast: 'Archive: read last announced hash',
  sameAsAnnounced: 'Archive: same as last announced?',
  skipped: 'Archive: unchanged, not stored',
  store: 'Archive: store',
  stored: 'Archive: stored',
  recordHash: 'Archive: record hash unless announced',
  unchanged: 'Archive: unchanged',
  firstSeen: 'Archive: first change?',
  describeFirst: 'Archive: describe first response',
  describeChange: 'Archive: describe change',
  publish: 'Archive: announce on topic',
  putEvent: 'Archive: announce on bus',
  announceFailed: 'Archive: announce failed',
  recordAnnounced: 'Archive: record announcement',
  changed: 'Archive: changed',
} as const;

/** Where the SHA-256 of the hashed text (base64, as S3 returns it) is kept while the archive runs. */
const HASH = '$.hashed.sha256';

/**
 * The per-response states of a `ResponseArchive`:
 *
 *     prepare (key, the stored record)
 *     [changes: hash (S3 returns the SHA-256 of the hashed text)]
 *     [storeChangesOnly: read last announced hash -> same? -> unchanged, not stored]
 *     store (s3:putObject)
 *     [changes: record hash unless it is the last announced one (conditional
 *      write; refused -> unchanged) -> describe -> announce (SNS,
 *      EventBridge) -> record announcement -> changed]
 *
 * Delivery of announcements is at least once. The table keeps the last
 * hash recorded (`hash`) and the last hash announced (`announcedHash`); a
 * response is a change while its hash is not the announced one, so every
 * run that sees it announces it until an announcement is recorded. A task
 * retried after it committed, an execution run again, a run that failed
 * or timed out between recording and announcing, and an announcement that
 * failed are all announced by that run or the next one, never lost; the
 * price is that an announcement may repeat. Storing comes before recording,
 * so a failed write never hides a change.
 */
export function archiveStates(scope: Construct, props: ArchiveStatesProps): { chain: sfn.IChainable; maxDuration: Duration } {
  const n = ARCHIVE_STATE_NAMES;
  const detect = props.tableName !== undefined;

  const prepare = new sfn.Pass(scope, n.prepare, {
    comment: 'Builds the keys and the record; the response is kept only inside the record',
    parameters: {
      'key.$': archiveKeyExpression(props.prefix),
      ...(detect ? { 'hashInputKey.$': hashInputKeyExpression(props.prefix), 'item.$': "States.Format('{}#{}', $.request.target, $.request.id)" } : {}),
      'record': {
        'target.$': '$.request.target',
        'request': {
          'id.$': '$.request.id',
          'method.$': '$.request.method',
          'path.$': '$.request.path',
          'query.$': '$.request.query',
        },
        'statusCode.$': '$.response.statusCode',
        'headers.$': '$.response.headers',
        'requestedAt.$': '$.clock.startedAt',
        'archivedAt.$': '$$.State.EnteredTime',
        'execution.$': '$.run.name',
        'executionArn.$': '$.run.id',
        'trigger.$': '$.trigger',
        'body.$': '$.response.body',
      },
    },
  });

  const store = task(scope, n.store, 's3:putObject', storeParameters(props, '$.key'));
  const stored = new sfn.Pass(scope, n.stored, { parameters: { 'key.$': '$.key', 'changed.$': JSON_NULL } });
  if (!detect) {
    prepare.next(store.next(stored));
    return { chain: prepare, maxDuration: Duration.seconds(TASK_WORST_SECONDS) };
  }

  const tableName = props.tableName!;
  const keyOf = { pk: { 'S.$': '$.item' } };
  const unchanged = new sfn.Pass(scope, n.unchanged, { parameters: { 'key.$': '$.key', 'changed': false } });
  const changed = new sfn.Pass(scope, n.changed, { parameters: { 'key.$': '$.key', 'changed': true } });

  // refused when the hash is the last announced one: that is "unchanged";
  // accepted again by a retry or a re-run, so those announce too
  const recordHash = new sfn.CustomState(scope, n.recordHash, {
    stateJson: {
      Type: 'Task',
      Comment: 'Records the new hash unless it is the last one announced; returns the old item for the previous hash',
      Resource: `arn:${Aws.PARTITION}:states:::dynamodb:updateItem`,
      Parameters: {
        TableName: tableName,
        Key: keyOf,
        UpdateExpression: 'SET #hash = :hash, #key = :key, #at = :at',
        ConditionExpression: 'attribute_not_exists(#announced) OR #announced <> :hash',
        ExpressionAttributeNames: { '#hash': 'hash', '#announced': 'announcedHash', '#key': 'lastKey', '#at': 'changedAt' },
        ExpressionAttributeValues: { ':hash': { 'S.$': HASH }, ':key': { 'S.$': '$.key' }, ':at': { 'S.$': '$$.State.EnteredTime' } },
        ReturnValues: 'ALL_OLD',
      },
      TimeoutSeconds: TASK_TIMEOUT_SECONDS,
      // the whole (small) answer: Attributes is absent for a new item, and a
      // ResultSelector path that selects nothing would fail the execution
      ResultPath: '$.last',
    },
  });
  addRetries(recordHash);
  recordHash.addCatch(unchanged, { errors: [CONDITION_REFUSED], resultPath: sfn.JsonPath.DISCARD });

  const change = (name: string, previous: string | null) => new sfn.Pass(scope, name, {
    parameters: {
      'key.$': '$.key',
      'hashed': { 'sha256.$': HASH },
      'item.$': '$.item',
      'change': {
        'target.$': '$.record.target',
        'request.$': '$.record.request',
        'previousHash.$': previous ?? JSON_NULL,
        'hash.$': HASH,
        'bucket': props.bucketName,
        'key.$': '$.key',
        'changedAt.$': '$$.State.EnteredTime',
      },
    },
  });
  const describeFirst = change(n.describeFirst, null);
  const describeChange = change(n.describeChange, '$.last.Attributes.announcedHash.S');

  // The announcement is recorded only once it went out; until then every
  // run that sees this response announces it again.
  const announceFailed = new sfn.Fail(scope, n.announceFailed, {
    error: 'Archive.AnnounceFailed',
    cause: 'The change was stored and its hash recorded, but it could not be announced; the next run that sees the same response announces it',
  });
  const recordAnnounced = new sfn.CustomState(scope, n.recordAnnounced, {
    stateJson: {
      Type: 'Task',
      Comment: 'Notes that this hash was announced, unless a newer one was recorded meanwhile',
      Resource: `arn:${Aws.PARTITION}:states:::dynamodb:updateItem`,
      Parameters: {
        TableName: tableName,
        Key: keyOf,
        UpdateExpression: 'SET #announced = :hash, #at = :at',
        ConditionExpression: '#hash = :hash',
        ExpressionAttributeNames: { '#hash': 'hash', '#announced': 'announcedHash', '#at': 'announcedAt' },
        ExpressionAttributeValues: { ':hash': { 'S.$': HASH }, ':at': { 'S.$': '$$.State.EnteredTime' } },
      },
      TimeoutSeconds: TASK_TIMEOUT_SECONDS,
      ResultPath: sfn.JsonPath.DISCARD,
    },
  });
  addRetries(recordAnnounced);
  // the change went out; if it cannot be noted, the next run repeats it
  recordAnnounced.addCatch(changed, { errors: [sfn.Errors.ALL], resultPath: '$.recordError' });

  const announcers: sfn.CustomState[] = [];
  if (props.topicArn) {
    announcers.push(task(scope, n.publish, 'sns:publish', {
      'TopicArn': props.topicArn,
      'Subject': 'Response changed',
      'Message.$': 'States.JsonToString($.change)',
    }, false));
  }
  if (props.eventBusArn) {
    announcers.push(task(scope, n.putEvent, 'events:putEvents', {
      Entries: [{ 'Source': CHANGE_EVENT_SOURCE, 'DetailType': CHANGE_EVENT_DETAIL_TYPE, 'Detail.$': '$.change', 'EventBusName': props.eventBusArn }],
    }, false));
  }
  let announce: sfn.IChainable = recordAnnounced.next(changed);
  for (const a of [...announcers].reverse()) {
    a.addCatch(announceFailed, { errors: [sfn.Errors.ALL], resultPath: '$.announceError' });
    announce = a.next(announce);
  }
  describeFirst.next(announce);
  describeChange.next(announce);
  const firstSeen = new sfn.Choice(scope, n.firstSeen)
    .when(sfn.Condition.isPresent('$.last.Attributes.announcedHash.S'), describeChange)
    .otherwise(describeFirst);
  const afterHash = store.next(recordHash).next(firstSeen);

  let maxTasks = 1 + 1 + 1 + announcers.length + 1;
  let next: sfn.IChainable = afterHash;
  if (props.storeChangesOnly) {
    const readLast = new sfn.CustomState(scope, n.readLast, {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${Aws.PARTITION}:states:::dynamodb:getItem`,
        Parameters: { TableName: tableName, Key: keyOf, ProjectionExpression: '#announced', ExpressionAttributeNames: { '#announced': 'announcedHash' }, ConsistentRead: true },
        TimeoutSeconds: TASK_TIMEOUT_SECONDS,
        ResultPath: '$.stored',
      },
    });
    // a read has no condition to refuse
    readLast.addRetry(TASK_RETRY);
    const skipped = new sfn.Pass(scope, n.skipped, { parameters: { 'key.$': JSON_NULL, 'changed': false } });
    const same = new sfn.Choice(scope, n.sameAsAnnounced)
      .when(sfn.Condition.and(
        sfn.Condition.isPresent('$.stored.Item.announcedHash.S'),
        sfn.Condition.stringEqualsJsonPath('$.stored.Item.announcedHash.S', HASH),
      ), skipped)
      .otherwise(afterHash);
    next = readLast.next(same);
    maxTasks += 1;
  }
  prepare.next(hashStates(scope, props, next));
  return { chain: prepare, maxDuration: Duration.seconds(maxTasks * TASK_WORST_SECONDS) };
}

/**
 * Hashes the body, or the part `hashPath` (or the target's entry in
 * `targetHashPaths`) names, into `$.hashed.sha256`, then goes on to `next`.
 *
 * The text (a JSON serialization, `States.JsonToString`) is written to a
 * key of its own with `ChecksumAlgorithm: SHA256`, and S3 answers with its
 * SHA-256 (`ChecksumSHA256`, "the base64-encoded, 256-bit SHA-256 digest
 * of the object"; Amazon S3 API reference, PutObject, and the user guide,
 * "Checking object integrity"). Step Functions stores that text as a JSON
 * string literal (see storeParameters), which is as deterministic, so equal
 * parts still hash equal. `States.Hash` is not used: it takes at most 10,000
 * characters and fails the whole execution with an uncatchable error
 * beyond that, and no intrinsic tells a string's length beforehand.
 */
function hashStates(scope: Construct, props: ArchiveStatesProps, next: sfn.IChainable): sfn.IChainable {
  const n = ARCHIVE_STATE_NAMES;
  const hash = (name: string, value: string) => {
    const state = new sfn.CustomState(scope, name, {
      stateJson: {
        Type: 'Task',
        Comment: 'S3 computes the SHA-256 of the hashed text',
        Resource: `arn:${Aws.PARTITION}:states:::aws-sdk:s3:putObject`,
        Parameters: {
          'Bucket': props.bucketName,
          'Key.$': '$.hashInputKey',
          'ContentType': 'application/json',
          'ChecksumAlgorithm': 'SHA256',
          'Body.$': `States.JsonToString(${value})`,
        },
        TimeoutSeconds: TASK_TIMEOUT_SECONDS,
        ResultSelector: { 'sha256.$': '$.ChecksumSHA256' },
        ResultPath: '$.hashed',
      },
    });
    state.addRetry(TASK_RETRY);
    return state.next(next);
  };

  // A path that reads nothing would be an uncatchable States.Runtime error
  // and end the whole execution, so presence is checked first: a body
  // without the part (or not JSON at all) is stored, and its request fails.
  let storeWithoutPart: sfn.IChainable | undefined;
  const partOf = (path: string, target?: string) => {
    storeWithoutPart ??= task(scope, n.storeWithoutPart, 's3:putObject', storeParameters(props, '$.key')).next(new sfn.Fail(scope, n.partMissing, {
      error: 'Archive.HashPathNotFound',
      cause: 'The response was stored, but its body has no value at the JSONPath to hash (changeDetection.hashPath or targetHashPaths), or is not JSON',
    }));
    // the path is checked at synth: field names only, no reserved character
    const value = `$.record.body${path.slice(1)}`;
    const named = (base: string) => target === undefined ? base : stateName(base, target);
    return new sfn.Choice(scope, named(n.partPresent))
      .when(sfn.Condition.isPresent(value), hash(named(n.hashPart), value))
      .otherwise(storeWithoutPart);
  };
  const isPart = (path?: string): path is string => path !== undefined && path !== '$';

  let wholeBody: sfn.IChainable | undefined;
  const whole = () => wholeBody ??= hash(n.hashBody, '$.record.body');
  const byDefault = isPart(props.hashPath) ? partOf(props.hashPath) : whole();
  const targets = Object.entries(props.targetHashPaths ?? {});
  if (targets.length === 0) {
    return byDefault;
  }
  const which = new sfn.Choice(scope, n.whichPart);
  for (const [target, path] of targets) {
    which.when(sfn.Condition.stringEquals('$.record.target', target), isPart(path) ? partOf(path, target) : whole());
  }
  return which.otherwise(byDefault);
}

/**
 * The putObject parameters of one archived response. The record goes in as
 * an object: Step Functions' AWS SDK integration serializes a Body given as
 * JSON itself, an object as its JSON text and a string as a JSON string
 * literal (quotes included), so a record first turned into text with
 * States.JsonToString would be stored as one quoted string, not as the JSON
 * object Athena and readers expect. (Recorded against AWS by LocalStack's
 * AWS-validated snapshot test `test_s3_put_object`; see
 * test/support/aws-peers.ts, stepFunctionsPutObject.)
 */
function storeParameters(props: ArchiveStatesProps, key: string): Record<string, unknown> {
  return {
    'Bucket': props.bucketName,
    'Key.$': key,
    'ContentType': 'application/json',
    'Body.$': '$.record',
  };
}

/** Retries a task on any fault, but not on a refused condition. */
function addRetries(state: sfn.CustomState): void {
  state.addRetry({ errors: [CONDITION_REFUSED], maxAttempts: 0 });
  state.addRetry(TASK_RETRY);
}

/** A Task state of an optimized or SDK integration, with timeout and retries. */
function task(scope: Construct, name: string, action: string, parameters: Record<string, unknown>, sdk = true): sfn.CustomState {
  const state = new sfn.CustomState(scope, name, {
    stateJson: {
      Type: 'Task',
      Resource: `arn:${Aws.PARTITION}:states:::${sdk ? 'aws-sdk:' : ''}${action}`,
      Parameters: parameters,
      TimeoutSeconds: TASK_TIMEOUT_SECONDS,
      ResultPath: sfn.JsonPath.DISCARD,
    },
  });
  state.addRetry(TASK_RETRY);
  return state;
}
