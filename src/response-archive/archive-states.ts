import { Aws, Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { archiveKeyExpression } from './archive-key';

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

/** A JSON null in a payload template (a literal null would be dropped when the definition is rendered). */
const JSON_NULL = "States.StringToJson('null')";

/** Seconds each task may take, and its retries. */
const TASK_TIMEOUT_SECONDS = 10;
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
  readLast: 'Archive: read last hash',
  sameAsLast: 'Archive: same as last?',
  store: 'Archive: store',
  compareAndSet: 'Archive: compare and set hash',
  firstSeen: 'Archive: first response?',
  describeFirst: 'Archive: describe first response',
  describeChange: 'Archive: describe change',
  publish: 'Archive: announce on topic',
  putEvent: 'Archive: announce on bus',
  undoFirst: 'Archive: forget first hash',
  undoChange: 'Archive: restore last hash',
  announceFailed: 'Archive: announce failed',
  unchanged: 'Archive: unchanged',
  skipped: 'Archive: unchanged, not stored',
  changed: 'Archive: changed',
  stored: 'Archive: stored',
  sizeKnown: 'Archive: body size known?',
  sizeOf: 'Archive: read Content-Length',
  sizeOfLower: 'Archive: read content-length',
  smallEnough: 'Archive: small enough to hash?',
  textOrJson: 'Archive: text body?',
  hashText: 'Archive: hash text',
  hashJson: 'Archive: hash JSON',
  storeUnhashed: 'Archive: store unhashed',
  tooLargeToHash: 'Archive: too large to hash',
  whichPart: 'Archive: which part to hash?',
  partPresent: 'Archive: part to hash present?',
  storeWithoutPart: 'Archive: store without its part',
  partMissing: 'Archive: part to hash missing',
} as const;

/**
 * The most characters `States.Hash` takes; a longer input is a
 * `States.Runtime` error, which no catcher handles
 * (https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html, States.Hash).
 */
export const HASH_INPUT_LIMIT = 10_000;

/** Where the hash of the response is kept while the archive runs. */
const HASH = '$.hashed.sha256';

/**
 * The per-response states of a `ResponseArchive`:
 *
 *     prepare (key, hash, the stored record)
 *     [storeChangesOnly: read last hash -> same? -> unchanged, not stored]
 *     store (s3:putObject)
 *     [changes: compare and set hash (conditional write) -> unchanged
 *      | describe change -> announce (SNS, EventBridge) -> changed;
 *        an announce that fails restores the last hash, so the next run
 *        announces again, and then fails the sink]
 *
 * Storing comes before the hash is recorded, so a failed write never
 * hides a change; the conditional write decides which of two racing runs
 * announces.
 */
export function archiveStates(scope: Construct, props: ArchiveStatesProps): { chain: sfn.IChainable; maxDuration: Duration } {
  const n = ARCHIVE_STATE_NAMES;
  const detect = props.tableName !== undefined;

  const prepare = new sfn.Pass(scope, n.prepare, {
    comment: 'Builds the key and the record; the response is kept only inside the record',
    parameters: {
      'key.$': archiveKeyExpression(props.prefix),
      'item.$': "States.Format('{}#{}', $.request.target, $.request.id)",
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
        'execution.$': '$$.Execution.Name',
        'trigger.$': '$.trigger',
        'body.$': '$.response.body',
      },
    },
  });

  const store = task(scope, n.store, 's3:putObject', storeParameters(props), true);

  const stored = new sfn.Pass(scope, n.stored, { parameters: { 'key.$': '$.key', 'changed.$': JSON_NULL } });
  if (!detect) {
    prepare.next(store.next(stored));
    return { chain: prepare, maxDuration: Duration.seconds(TASK_WORST_SECONDS) };
  }

  const tableName = props.tableName!;
  const keyOf = { pk: { 'S.$': '$.item' } };
  const unchanged = new sfn.Pass(scope, n.unchanged, { parameters: { 'key.$': '$.key', 'changed': false } });
  const changed = new sfn.Pass(scope, n.changed, { parameters: { 'key.$': '$.key', 'changed': true } });

  const compareAndSet = new sfn.CustomState(scope, n.compareAndSet, {
    stateJson: {
      Type: 'Task',
      Comment: 'Records the new hash unless it is the last one; of two racing runs, only one succeeds',
      Resource: `arn:${Aws.PARTITION}:states:::dynamodb:updateItem`,
      Parameters: {
        TableName: tableName,
        Key: keyOf,
        UpdateExpression: 'SET #hash = :hash, #key = :key, #at = :at',
        ConditionExpression: 'attribute_not_exists(#hash) OR #hash <> :hash',
        ExpressionAttributeNames: { '#hash': 'hash', '#key': 'lastKey', '#at': 'changedAt' },
        ExpressionAttributeValues: { ':hash': { 'S.$': HASH }, ':key': { 'S.$': '$.key' }, ':at': { 'S.$': '$$.State.EnteredTime' } },
        ReturnValues: 'UPDATED_OLD',
      },
      TimeoutSeconds: TASK_TIMEOUT_SECONDS,
      ResultPath: '$.last',
    },
  });
  compareAndSet.addRetry({ ...TASK_RETRY, errors: [sfn.Errors.TIMEOUT, 'DynamoDB.ProvisionedThroughputExceededException', 'DynamoDB.RequestLimitExceeded', 'DynamoDB.InternalServerErrorException'] });
  compareAndSet.addCatch(unchanged, { errors: ['DynamoDB.ConditionalCheckFailedException'], resultPath: sfn.JsonPath.DISCARD });

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
  const describeChange = change(n.describeChange, '$.last.Attributes.hash.S');

  // an announce that fails gives the change back, so the next run announces it
  const announceFailed = new sfn.Fail(scope, n.announceFailed, { error: 'Archive.AnnounceFailed', cause: 'The change was stored but could not be announced; its hash was restored so the next run announces it' });
  const restore = (name: string, update: Record<string, unknown>) => {
    const undo = new sfn.CustomState(scope, name, {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${Aws.PARTITION}:states:::dynamodb:updateItem`,
        Parameters: {
          TableName: tableName,
          Key: keyOf,
          ConditionExpression: '#hash = :hash',
          ...update,
        },
        TimeoutSeconds: TASK_TIMEOUT_SECONDS,
        ResultPath: sfn.JsonPath.DISCARD,
      },
    });
    undo.addRetry(TASK_RETRY);
    undo.addCatch(announceFailed, { errors: [sfn.Errors.ALL], resultPath: sfn.JsonPath.DISCARD });
    return undo.next(announceFailed);
  };
  const undoFirst = restore(n.undoFirst, {
    UpdateExpression: 'REMOVE #hash',
    ExpressionAttributeNames: { '#hash': 'hash' },
    ExpressionAttributeValues: { ':hash': { 'S.$': HASH } },
  });
  const undoChange = restore(n.undoChange, {
    UpdateExpression: 'SET #hash = :previous',
    ExpressionAttributeNames: { '#hash': 'hash' },
    ExpressionAttributeValues: { ':hash': { 'S.$': HASH }, ':previous': { 'S.$': '$.change.previousHash' } },
  });
  const undo = new sfn.Choice(scope, `${n.announceFailed}?`)
    .when(sfn.Condition.isNull('$.change.previousHash'), undoFirst)
    .otherwise(undoChange);

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
  let announce: sfn.IChainable = changed;
  for (const a of [...announcers].reverse()) {
    a.addCatch(undo, { errors: [sfn.Errors.ALL], resultPath: '$.announceError' });
    announce = a.next(announce);
  }
  describeFirst.next(announce);
  describeChange.next(announce);
  const firstSeen = new sfn.Choice(scope, n.firstSeen)
    .when(sfn.Condition.isPresent('$.last.Attributes.hash.S'), describeChange)
    .otherwise(describeFirst);
  const afterStore = store.next(compareAndSet).next(firstSeen);

  let maxTasks = 1 + 1 + announcers.length + 1;
  let compare: sfn.IChainable;
  if (props.storeChangesOnly) {
    const readLast = new sfn.CustomState(scope, n.readLast, {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${Aws.PARTITION}:states:::dynamodb:getItem`,
        Parameters: { TableName: tableName, Key: keyOf, ProjectionExpression: '#hash', ExpressionAttributeNames: { '#hash': 'hash' } },
        TimeoutSeconds: TASK_TIMEOUT_SECONDS,
        ResultPath: '$.stored',
      },
    });
    readLast.addRetry(TASK_RETRY);
    const skipped = new sfn.Pass(scope, n.skipped, { parameters: { 'key.$': JSON_NULL, 'changed': false } });
    const same = new sfn.Choice(scope, n.sameAsLast)
      .when(sfn.Condition.and(sfn.Condition.isPresent('$.stored.Item.hash.S'), sfn.Condition.stringEqualsJsonPath('$.stored.Item.hash.S', HASH)), skipped)
      .otherwise(afterStore);
    compare = readLast.next(same);
    maxTasks += 1;
  } else {
    compare = afterStore;
  }
  prepare.next(hashStates(scope, props, compare));
  return { chain: prepare, maxDuration: Duration.seconds(maxTasks * TASK_WORST_SECONDS) };
}

/**
 * Hashes the body, or the part `hashPath` (or the target's entry in
 * `targetHashPaths`) names, into `$.hashed.sha256`, then goes on to `next`.
 *
 * `States.Hash` takes at most 10,000 characters and fails the execution
 * beyond that. A whole body is hashed only when API Gateway's
 * Content-Length says it has at most 10,000 bytes: a text body is hashed
 * as it is, and a JSON body as its compact serialization, neither of which
 * is longer than the bytes received. A larger body, or one of unknown size,
 * is stored and the request fails with `Archive.TooLargeToHash`, so nothing
 * is lost and the cause is on the request's record.
 */
function hashStates(scope: Construct, props: ArchiveStatesProps, next: sfn.IChainable): sfn.IChainable {
  const n = ARCHIVE_STATE_NAMES;
  const hash = (name: string, input: string) => new sfn.Pass(scope, name, {
    parameters: { 'sha256.$': `States.Hash(${input}, 'SHA-256')` },
    resultPath: '$.hashed',
  });

  // A path that reads nothing would be an uncatchable States.Runtime error
  // and end the whole execution, so presence is checked first: a body
  // without the part (or not JSON at all) is stored, and its request fails.
  let storeWithoutPart: sfn.IChainable | undefined;
  const partOf = (path: string, suffix: string) => {
    storeWithoutPart ??= task(scope, n.storeWithoutPart, 's3:putObject', storeParameters(props), true).next(new sfn.Fail(scope, n.partMissing, {
      error: 'Archive.HashPathNotFound',
      cause: 'The response was stored, but its body has no value at the JSONPath to hash (changeDetection.hashPath or targetHashPaths), or is not JSON',
    }));
    const value = `$.record.body${path.slice(1)}`;
    // the user chose the part; it must stay under the intrinsic's limit
    return new sfn.Choice(scope, `${n.partPresent}${suffix}`)
      .when(sfn.Condition.isPresent(value), hash(`${n.hashJson}${suffix}`, `States.JsonToString(${value})`).next(next))
      .otherwise(storeWithoutPart);
  };
  const isPart = (path?: string): path is string => path !== undefined && path !== '$';

  const byDefault = isPart(props.hashPath) ? partOf(props.hashPath, '') : wholeBodyHash(scope, props, hash, next);
  const targets = Object.entries(props.targetHashPaths ?? {});
  if (targets.length === 0) {
    return byDefault;
  }
  const which = new sfn.Choice(scope, n.whichPart);
  for (const [target, path] of targets) {
    which.when(sfn.Condition.stringEquals('$.record.target', target), isPart(path) ? partOf(path, ` (${target})`) : wholeBodyHash(scope, props, hash, next, ` (${target})`));
  }
  return which.otherwise(byDefault);
}

/**
 * The whole body's hash. `States.Hash` takes at most 10,000 characters and
 * fails the execution beyond that, so API Gateway's Content-Length decides
 * (see hashStates).
 */
function wholeBodyHash(scope: Construct, props: ArchiveStatesProps, hash: (name: string, input: string) => sfn.Pass, next: sfn.IChainable, suffix = ''): sfn.IChainable {
  const n = Object.fromEntries(Object.entries(ARCHIVE_STATE_NAMES).map(([k, v]) => [k, `${v}${suffix}`])) as Record<keyof typeof ARCHIVE_STATE_NAMES, string>;
  const textOrJson = new sfn.Choice(scope, n.textOrJson)
    .when(sfn.Condition.isString('$.record.body'), hash(n.hashText, '$.record.body').next(next))
    .otherwise(hash(n.hashJson, 'States.JsonToString($.record.body)').next(next));

  const storeUnhashed = task(scope, n.storeUnhashed, 's3:putObject', storeParameters(props), true);
  storeUnhashed.next(new sfn.Fail(scope, n.tooLargeToHash, {
    error: 'Archive.TooLargeToHash',
    cause: `The response was stored, but its body has more than ${HASH_INPUT_LIMIT} bytes (or no Content-Length), the most States.Hash takes; set changeDetection.hashPath to the part that matters`,
  }));
  const smallEnough = new sfn.Choice(scope, n.smallEnough)
    .when(sfn.Condition.numberLessThanEquals('$.bodySize.bytes', HASH_INPUT_LIMIT), textOrJson)
    .otherwise(storeUnhashed);
  // API Gateway's header name, in either spelling (HTTP/2 lowercases it)
  const sizeOf = (name: string, header: string) => new sfn.Pass(scope, name, {
    parameters: { 'bytes.$': `States.StringToJson(States.ArrayGetItem($.record.headers['${header}'], 0))` },
    resultPath: '$.bodySize',
  }).next(smallEnough);
  return new sfn.Choice(scope, n.sizeKnown)
    .when(sfn.Condition.isPresent("$.record.headers['Content-Length']"), sizeOf(n.sizeOf, 'Content-Length'))
    .when(sfn.Condition.isPresent("$.record.headers['content-length']"), sizeOf(n.sizeOfLower, 'content-length'))
    .otherwise(storeUnhashed);
}

/** The putObject parameters of one archived response. */
function storeParameters(props: ArchiveStatesProps): Record<string, unknown> {
  return {
    'Bucket': props.bucketName,
    'Key.$': '$.key',
    'ContentType': 'application/json',
    'Body.$': 'States.JsonToString($.record)',
  };
}

/** A Task state of an optimized or SDK integration, with timeout and retries. */
function task(scope: Construct, name: string, action: string, parameters: Record<string, unknown>, sdk: boolean): sfn.CustomState {
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
