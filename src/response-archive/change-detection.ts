import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';

/** How a `ResponseArchive` notices and announces changed responses. */
export interface ChangeDetectionOptions {
  /**
   * A JSONPath inside the response body whose value is hashed instead of the
   * whole body, e.g. `$.prices` to ignore a timestamp beside it: field
   * names only (letters, digits and `_`).
   *
   * Hashing has no size limit: the JSON text of the value is written under
   * `<prefix>_hash-inputs/` and S3 returns its SHA-256, so a body or part of
   * any size (up to the 256 KiB a state holds) is compared. The hash is the
   * base64 form S3 returns.
   *
   * @default - the whole body
   */
  readonly hashPath?: string;

  /**
   * A JSONPath to hash for some targets, by target id, where their
   * responses differ from the rest: `{ prices: '$.price' }` hashes the
   * price of the `prices` target, and `hashPath` (or the whole body) the
   * others. `$` names the whole body.
   *
   * A response without a value at its path, or whose body is not JSON, is
   * stored and its request recorded as `SINK_FAILED` with
   * `Archive.HashPathNotFound`; so is one for `hashPath`. Paths are field
   * names only, as for `hashPath`.
   *
   * @default - every target uses `hashPath`
   */
  readonly targetHashPaths?: { [targetId: string]: string };

  /**
   * Store a response only when its hash differs from the last one
   * announced. An unchanged response then leaves no new object (its hash
   * input is still written, and kept a day).
   *
   * @default false - every response is stored
   */
  readonly storeChangesOnly?: boolean;

  /**
   * Announce changes on an SNS topic: a new one (encrypted, TLS only) unless
   * `topic` is given.
   *
   * @default true
   */
  readonly announceToTopic?: boolean;

  /**
   * The topic to announce changes on, instead of a new one.
   *
   * @default - a new topic, when `announceToTopic` is true
   */
  readonly topic?: sns.ITopic;

  /**
   * Also put an event on this EventBridge bus for each change (source
   * `cdk-inside-out-gateway`, detail type `Response changed`).
   *
   * @default - no EventBridge event
   */
  readonly eventBus?: events.IEventBus;

  /**
   * KMS key of the hash table and of a new topic.
   *
   * @default - the table uses the AWS managed key for DynamoDB
   * (`aws/dynamodb`, KMS charges apply); a new topic a new customer key
   */
  readonly encryptionKey?: kms.IKey;
}
