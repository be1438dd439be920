import { CfnResource } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ACKNOWLEDGED_FINDINGS } from './acknowledgements';

/** Why the archive's access log bucket does not log its own access. */
const LOG_BUCKET_IS_THE_LOG = 'This bucket receives the archive bucket\'s server access logs; logging its own access would need another bucket, and that one a third.';

/** Why the results' access log bucket does not log its own access. */
const RESULTS_LOG_BUCKET_IS_THE_LOG = 'This bucket receives the results bucket\'s server access logs; logging its own access would need another bucket, and that one a third.';

/** Why the archive's buckets send no S3 event notifications. */
const CHANGES_ARE_ANNOUNCED_BY_THE_STATE_MACHINE = 'Changes are announced by the invoker\'s state machine (SNS, EventBridge) after comparing hashes; S3 event notifications would announce every stored object, changed or not, and nothing consumes access log deliveries as events.';

/** Why the archive's buckets have no Object Lock. */
const NO_OBJECT_LOCK = 'Object Lock forbids deleting objects before their retention ends, which the archive\'s lifecycle expiry (expireAfter) does; locked retention is a compliance choice, so pass an existingBucket with Object Lock when your policy requires it.';

/**
 * Findings of the scanners that read CloudFormation templates (checkov,
 * cfn-lint, cfn-guard), acknowledged where each tool looks: in the
 * resource's `Metadata` (checkov `skip`, cfn-lint `ignore_checks`, and the
 * `guard.SuppressedRules` convention this library's scan honours for
 * cfn-guard, whose Control Tower rules have no suppression of their own).
 * README's "Security posture" table lists exactly these; a test compares.
 */
export const TEMPLATE_ACKNOWLEDGEMENTS = {
  /** On the stage of an HttpProxyApi. */
  stageCache: { tool: 'checkov', id: 'CKV_AWS_120', reason: ACKNOWLEDGED_FINDINGS.responseCache.reason },
  /** On the dead-letter queue a ScheduledInvoker creates for its schedule. */
  deadLetterQueueSseSqs: {
    tool: 'checkov',
    id: 'CKV_AWS_27',
    reason: 'The queue is encrypted at rest with SSE-SQS (SqsManagedSseEnabled); this check counts only a KMS key. A KMS key would add a request charge and a key policy Scheduler must be allowed by.',
  },
  deadLetterQueueOfDeadLetters: { tool: 'cfn-guard', id: 'sqs_dlq_check', reason: ACKNOWLEDGED_FINDINGS.deadLetterQueueOfSchedule.reason },
  /** On the state machine of a ScheduledInvoker. */
  stateMachineRoleDependency: {
    tool: 'cfn-lint',
    id: 'W3005',
    reason: 'aws-cdk-lib\'s StateMachine depends on its role and the role\'s policy explicitly as well as through Fn::GetAtt; the repeated DependsOn is redundant and harmless.',
  },
  /** On the access log bucket of a ResponseArchive. */
  accessLogBucketLogging: { tool: 'checkov', id: 'CKV_AWS_18', reason: LOG_BUCKET_IS_THE_LOG },
  accessLogBucketLoggingGuard: { tool: 'cfn-guard', id: 's3_bucket_logging_enabled_check', reason: LOG_BUCKET_IS_THE_LOG },
  accessLogBucketKmsGuard: { tool: 'cfn-guard', id: 's3_bucket_default_encryption_kms_check', reason: ACKNOWLEDGED_FINDINGS.accessLogBucketKms.reason },
  /** On both buckets of a ResponseArchive. */
  eventNotifications: { tool: 'cfn-guard', id: 's3_event_notifications_enabled_check', reason: CHANGES_ARE_ANNOUNCED_BY_THE_STATE_MACHINE },
  objectLock: { tool: 'cfn-guard', id: 's3_bucket_object_lock_enabled_check', reason: NO_OBJECT_LOCK },
  /** On the archive bucket when no encryptionKey is given. */
  archiveBucketSseS3Guard: { tool: 'cfn-guard', id: 's3_bucket_default_encryption_kms_check', reason: ACKNOWLEDGED_FINDINGS.archiveBucketSseS3.reason },
  /** On the hash table when changeDetection has no encryptionKey. */
  hashTableAwsOwnedKey: {
    tool: 'checkov',
    id: 'CKV_AWS_119',
    reason: 'The hash table holds only hashes and object keys and is encrypted with the AWS managed key aws/dynamodb by default (SSEEnabled; KMS request charges apply, no key to manage); pass changeDetection.encryptionKey to use your customer managed key.',
  },
  /** On the access log bucket of a distributed ScheduledInvoker's results bucket. */
  resultsLogBucketLogging: { tool: 'checkov', id: 'CKV_AWS_18', reason: RESULTS_LOG_BUCKET_IS_THE_LOG },
  resultsLogBucketLoggingGuard: { tool: 'cfn-guard', id: 's3_bucket_logging_enabled_check', reason: RESULTS_LOG_BUCKET_IS_THE_LOG },
  /** On both buckets a distributed ScheduledInvoker creates for its results. */
  resultsEventNotifications: {
    tool: 'cfn-guard',
    id: 's3_event_notifications_enabled_check',
    reason: 'Each run\'s output names its results (bucket and manifest key), and a run with requests that did not finish fails and raises the invoker\'s alarm; S3 event notifications of every result file and access log delivery would have no consumer.',
  },
  resultsObjectLock: {
    tool: 'cfn-guard',
    id: 's3_bucket_object_lock_enabled_check',
    reason: 'Object Lock forbids deleting objects before their retention ends, which the results\' lifecycle expiry does; pass a resultsBucket with Object Lock when your policy requires it.',
  },
  /** On the results bucket a distributed ScheduledInvoker creates. */
  resultsBucketSseS3Guard: { tool: 'cfn-guard', id: 's3_bucket_default_encryption_kms_check', reason: ACKNOWLEDGED_FINDINGS.resultsBucketSseS3.reason },
  /** On each subnet of an IsolatedVpc in a stack that names its environment. */
  subnetAvailabilityZone: {
    tool: 'cfn-lint',
    id: 'W3010',
    reason: 'A stack that names its account and Region gets the Region\'s availability zones from cdk.context.json, and aws-cdk-lib writes their names into each subnet; an environment-agnostic stack gets Fn::GetAZs instead.',
  },
} as const;

export type TemplateAcknowledgement = keyof typeof TEMPLATE_ACKNOWLEDGEMENTS;

/** Where each tool reads its acknowledgements in a resource's Metadata. */
const METADATA_PATH: Record<string, string[]> = {
  'checkov': ['checkov', 'skip'],
  'cfn-lint': ['cfn-lint', 'config', 'ignore_checks'],
  'cfn-guard': ['guard', 'SuppressedRules'],
};

/** Acknowledges one template scanner finding on exactly one resource (a construct's default child). */
export function acknowledgeInTemplate(scope: IConstruct, finding: TemplateAcknowledgement): void {
  const resource = CfnResource.isCfnResource(scope) ? scope : scope.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource)) {
    throw new Error(`${scope.node.path} has no CloudFormation resource to acknowledge ${finding} on`);
  }
  const entry = TEMPLATE_ACKNOWLEDGEMENTS[finding];
  const [key, ...path] = METADATA_PATH[entry.tool];
  const root = resource.getMetadata(key) ?? {};
  let node = root;
  for (const step of path.slice(0, -1)) {
    node = node[step] ??= {};
  }
  const last = path[path.length - 1];
  const item = entry.tool === 'checkov' ? { id: entry.id, comment: entry.reason } : entry.id;
  node[last] = [...(node[last] ?? []), item];
  resource.addMetadata(key, root);
}
