import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';

/** How a `ResponseArchive` notices and announces changed responses. */
export interface ChangeDetectionOptions {
  /**
   * A JSONPath inside the response body whose value is hashed instead of the
   * whole body, e.g. `$.prices` to ignore a timestamp beside it. The hashed
   * JSON text must stay under 10,000 characters (the limit of
   * `States.Hash`).
   *
   * @default - the whole body, when API Gateway's Content-Length says it has
   * at most 10,000 bytes; a larger body is stored and its request recorded
   * as `SINK_FAILED` with `Archive.TooLargeToHash`
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
   * `Archive.HashPathNotFound`; so is one for `hashPath`.
   *
   * @default - every target uses `hashPath`
   */
  readonly targetHashPaths?: { [targetId: string]: string };

  /**
   * Store a response only when its hash changed. An unchanged response then
   * leaves no new object.
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
   * @default - the table uses an AWS owned key; a new topic a new customer key
   */
  readonly encryptionKey?: kms.IKey;
}
