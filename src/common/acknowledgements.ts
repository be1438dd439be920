import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** Why no WAF guards the stage, in every pack that asks for one. */
const NO_WEB_TRAFFIC_TO_FILTER = 'The API is an egress path for IAM-signed calls from this account; no anonymous web traffic can reach an integration, and targets are fixed at synth time, so WAF web-request rules have nothing to filter.';

/**
 * Every scanner finding this library acknowledges, with the reason a
 * reviewer is given. README's "Security posture" table lists exactly
 * these; a test compares the two.
 */
export const ACKNOWLEDGED_FINDINGS = {
  /** On each method of an HttpProxyApi. */
  cognitoAuthorizer: {
    id: 'AwsSolutions-COG4',
    reason: 'Every method uses AWS_IAM (SigV4) authorization: callers are IAM principals (state machines, workloads), not Cognito users, and each needs an identity grant for its exact route.',
  },
  /** On the stage of an HttpProxyApi. */
  webApplicationFirewall: {
    id: 'AwsSolutions-APIG3',
    reason: NO_WEB_TRAFFIC_TO_FILTER,
  },
  /** On the stage of an HttpProxyApi, for the compliance packs. */
  webApplicationFirewallInCompliancePacks: {
    id: 'APIGWAssociatedWithWAF',
    reason: NO_WEB_TRAFFIC_TO_FILTER,
    packs: ['NIST.800.53.R5', 'PCI.DSS.321'],
  },
  /** On the stage of an HttpProxyApi. */
  responseCache: {
    id: 'APIGWCacheEnabledAndEncrypted',
    reason: 'Polls exist to fetch fresh answers, so caching every method would serve stale copies, and a cache cluster bills by the hour; targets that want a cache opt in with cacheTtl, and their cached data is encrypted.',
    packs: ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'],
  },
  /** On the stage of an HttpProxyApi. */
  backendClientCertificate: {
    id: 'APIGWSSLEnabled',
    reason: 'A stage client certificate lets a backend authenticate API Gateway; the backends here are third-party HTTPS APIs that authenticate callers by their own credentials (header secrets), and do not check it. Calls to them are HTTPS only.',
    packs: ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'],
  },
  /** On the default policy of a ScheduledInvoker's state machine role. */
  stepFunctionsLoggingAndTracing: {
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'Step Functions log delivery and X-Ray need Resource "*": logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery and ListLogDeliveries are permission-only actions with no resource type in the Service Authorization Reference ("If there is no value for this column, you must specify all resources (*)"), and the Step Functions guide ("Logging using CloudWatch Logs", https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html) grants them, PutResourcePolicy, DescribeResourcePolicies and DescribeLogGroups on "*"; xray:PutTraceSegments and related have no resource type either. The route grants are in a separate policy.',
  },
  /**
   * On the route-grant policy of a ScheduledInvoker, once per route whose
   * path has parameters; the finding names the route's ARN.
   */
  routePathParameters: {
    id: 'AwsSolutions-IAM5[Resource::<execute-api ARN of one route, * for each path parameter>]',
    reason: 'execute-api ARNs name a route\'s path parameters (and a {proxy+} path) with *, which in IAM also matches /; HttpProxyApi fails synth when such an ARN matches another of its routes, so the grant covers one method of one route of one stage, and the values sent are fixed in the state machine definition.',
  },
  /** On the state machine of a ScheduledInvoker whose log level is not ALL. */
  logLevelBelowAll: {
    id: 'AwsSolutions-SF1',
    reason: 'Executions log at ERROR by default, without execution data, so response bodies and request headers stay out of CloudWatch Logs and logging cost stays flat as requests grow; set logLevel: LogLevel.ALL to log every event.',
  },
  /** On the dead-letter queue a ScheduledInvoker creates for its schedule. */
  deadLetterQueueOfSchedule: {
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is the dead-letter queue of the EventBridge Scheduler schedule (failed starts land here); a dead-letter queue of a dead-letter queue would have no consumer.',
  },
  /** On the same dead-letter queue, for the Serverless pack. */
  deadLetterQueueOfScheduleRedrive: {
    id: 'Serverless-SQSRedrivePolicy',
    reason: 'This queue is the dead-letter queue of the EventBridge Scheduler schedule (failed starts land here); a dead-letter queue of a dead-letter queue would have no consumer.',
  },

  /** On the archive grants of an invoker's role: the object keys under the archive prefix. */
  archiveObjectKeys: {
    id: 'AwsSolutions-IAM5[Resource::<archive bucket ARN>/<prefix>*]',
    reason: 'Every response is a new object whose key holds the target, date, execution name and request, so the grant is s3:PutObject (only) on the archive prefix; the role cannot read, list or delete.',
  },
  /** On the buckets of a ResponseArchive (NIST 800-53 R5, HIPAA, PCI). */
  bucketReplication: {
    id: 'S3BucketReplicationEnabled',
    reason: 'Cross-Region replication needs a destination bucket in another Region, which a construct in one stack cannot create; objects are versioned and kept by lifecycle rules. Pass an existingBucket with replication when your policy requires it.',
    packs: ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'],
  },
  /** On the server access log buckets of a ResponseArchive and of a distributed ScheduledInvoker's results. */
  accessLogBucketKms: {
    id: 'S3DefaultEncryptionKMS',
    reason: 'S3 server access log delivery supports only SSE-S3 on the destination bucket.',
    packs: ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'],
  },
  /** On the archive bucket when no encryptionKey is given. */
  archiveBucketSseS3: {
    id: 'S3DefaultEncryptionKMS',
    reason: 'The archive bucket uses SSE-S3 by default (no KMS request charge per response); pass encryptionKey to use SSE-KMS with your key.',
    packs: ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'],
  },
  /** On the results bucket of a distributed ScheduledInvoker, and its access log bucket. */
  resultsBucketReplication: {
    id: 'S3BucketReplicationEnabled',
    reason: 'Cross-Region replication needs a destination bucket in another Region, which a construct in one stack cannot create; the results are reports of runs, versioned and expiring after 90 days. Pass a resultsBucket with replication when your policy requires it.',
    packs: ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'],
  },
  /** On the results bucket a distributed ScheduledInvoker creates. */
  resultsBucketSseS3: {
    id: 'S3DefaultEncryptionKMS',
    reason: 'The results bucket uses SSE-S3, so Step Functions writes the results with no KMS permission and no KMS request charge; pass a resultsBucket encrypted with your key (the invoker then grants its role that key) when your policy requires SSE-KMS.',
    packs: ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'],
  },
  /**
   * On the distributed-layout grants of a ScheduledInvoker: the executions
   * of its own state machine.
   */
  distributedMapExecutions: {
    id: 'AwsSolutions-IAM5[Resource::arn:<partition>:states:<region>:<account>:execution:<state machine name>:*]',
    reason: 'A Distributed Map state starts, describes and stops child executions of its own state machine, whose names Step Functions chooses at run time; the grant is states:DescribeExecution and states:StopExecution on executions of this state machine only, as the Step Functions guide writes it ("IAM policies for using Distributed Map states", https://docs.aws.amazon.com/step-functions/latest/dg/iam-policies-eg-dist-map.html).',
  },
  /** On the distributed-layout grants of a ScheduledInvoker: the Map Runs of its Distributed Map state. */
  distributedMapRuns: {
    id: 'AwsSolutions-IAM5[Resource::arn:<partition>:states:<region>:<account>:mapRun:<state machine name>/<label>:*]',
    reason: 'Each run of the Distributed Map state is a Map Run whose id Step Functions chooses at run time; the grant is states:DescribeMapRun (only) on Map Runs of this state machine\'s one labelled Distributed Map state, which the parent reads to count the requests that did not finish.',
  },
  /** On the distributed-layout grants of a ScheduledInvoker: the objects under its results prefix. */
  distributedResultObjects: {
    id: 'AwsSolutions-IAM5[Resource::<results bucket ARN>/<results prefix>/*]',
    reason: 'ResultWriter writes each run\'s manifest and result files under <prefix>/<Map Run id>/, named at run time; the grant is what the Step Functions guide lists for ResultWriter (s3:PutObject, s3:GetObject, s3:ListMultipartUploadParts, s3:AbortMultipartUpload) on that prefix only.',
  },
  /** On the hash table of a ResponseArchive. */
  hashTableBackupPlan: {
    id: 'DynamoDBInBackupPlan',
    reason: 'The hash table has point-in-time recovery (35 days) and holds only hashes and keys that the next run rebuilds; AWS Backup plans are account-level governance this construct does not create.',
    // PCI DSS 3.2.1 has no backup-plan rule
    packs: ['NIST.800.53.R5', 'HIPAA.Security'],
  },
  /** On the VPC of an IsolatedVpc (NIST 800-53 R5, HIPAA, PCI). */
  defaultSecurityGroupOpen: {
    id: 'VPCDefaultSecurityGroupClosed',
    reason: 'Removing the default security group rules takes a Lambda-backed custom resource in CloudFormation, and the pattern has no Lambda; nothing this library creates uses the default group, and the VPC has no way out to reach.',
    packs: ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'],
  },
  /** On the flow log role policy of an IsolatedVpc (NIST 800-53 R5, HIPAA, PCI). */
  flowLogRoleInlinePolicy: {
    id: 'IAMNoInlinePolicy',
    reason: 'aws-cdk-lib writes the flow log role grant as the role\'s own policy; it names only the flow log group and the role is used by nothing else.',
    packs: ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'],
  },
} as const;

export type AcknowledgedFinding = keyof typeof ACKNOWLEDGED_FINDINGS;

/** Acknowledges one finding on exactly one construct. */
export function acknowledge(scope: IConstruct, finding: AcknowledgedFinding): void {
  Validations.of(scope).acknowledge(ACKNOWLEDGED_FINDINGS[finding]);
}

/** Acknowledges one compliance-pack rule, in each pack that has it (the entry's `packs`), on exactly one construct. */
export function acknowledgeInCompliancePacks(scope: IConstruct, finding: AcknowledgedFinding): void {
  const entry: { id: string; reason: string; packs?: readonly string[] } = ACKNOWLEDGED_FINDINGS[finding];
  if (!entry.packs) {
    throw new Error(`${finding} names no compliance packs`);
  }
  Validations.of(scope).acknowledge(...entry.packs.map((pack) => ({ id: `${pack}-${entry.id}`, reason: entry.reason })));
}

/**
 * Acknowledges the wildcard-resource finding (AwsSolutions-IAM5) of one
 * resource ARN on one policy, with the finding id cdk-nag gives it: the ARN
 * with references written `<LogicalId>`.
 */
export function acknowledgeWildcardResource(policy: IConstruct, arn: string, finding: AcknowledgedFinding): void {
  const flat = flattenReference(Stack.of(policy).resolve(arn));
  // Validations.acknowledge() refuses ids with more than one '::', which
  // every ARN with a pseudo parameter (`<AWS::Partition>`) has; the same
  // metadata entry it would write is recorded directly.
  const existing = policy.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).pop()?.data ?? {};
  policy.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, {
    ...existing,
    [`AwsSolutions-IAM5[Resource::${flat}]`]: ACKNOWLEDGED_FINDINGS[finding].reason,
  });
}

function flattenReference(node: any): string {
  if (typeof node === 'string') {
    return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  }
  if (node?.['Fn::Join']) {
    const [delimiter, items] = node['Fn::Join'];
    return items.map(flattenReference).join(delimiter);
  }
  if (node?.['Fn::GetAtt']) {
    const [resource, attribute] = node['Fn::GetAtt'];
    return `<${resource}.${attribute}>`;
  }
  if (node?.Ref) {
    return `<${node.Ref}>`;
  }
  if (node?.['Fn::ImportValue']) {
    return flattenReference(node['Fn::ImportValue']);
  }
  return JSON.stringify(node);
}
