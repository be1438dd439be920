import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeInCompliancePacks } from '../common/acknowledgements';
import { PRIVATE_BUCKET } from '../common/private-bucket';
import { acknowledgeInTemplate } from '../common/template-acknowledgements';

/** How long the results of a run are kept in a bucket the invoker creates. */
export const RESULTS_EXPIRATION = Duration.days(90);

/**
 * The bucket the distributed layout's ResultWriter writes each run's
 * results to, when the user gives none: SSE-S3 (ResultWriter then needs no
 * KMS permission), TLS only, public access blocked, objects owned by the
 * bucket owner, versioned, results expiring after 90 days, and server
 * access logs delivered under a bucket policy into a log bucket of its own
 * (as ResponseArchive's buckets).
 */
export function createResultsBucket(scope: Construct, removalPolicy: RemovalPolicy): { bucket: s3.Bucket; logBucket: s3.Bucket } {
  const logBucket = new s3.Bucket(scope, 'ResultsAccessLogs', {
    // log delivery writes with SSE-S3 only
    ...PRIVATE_BUCKET,
    lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
    removalPolicy,
  });
  acknowledgeInCompliancePacks(logBucket, 'accessLogBucketKms');
  acknowledgeInCompliancePacks(logBucket, 'resultsBucketReplication');
  for (const finding of ['resultsLogBucketLogging', 'resultsLogBucketLoggingGuard', 'accessLogBucketKmsGuard', 'resultsEventNotifications', 'resultsObjectLock'] as const) {
    acknowledgeInTemplate(logBucket, finding);
  }

  const bucket = new s3.Bucket(scope, 'Results', {
    ...PRIVATE_BUCKET,
    // ResultWriter uploads in parts (it needs s3:AbortMultipartUpload and
    // s3:ListMultipartUploadParts): the parts of an upload a failed run left
    // unfinished are billed until aborted
    lifecycleRules: [{
      expiration: RESULTS_EXPIRATION,
      noncurrentVersionExpiration: Duration.days(30),
      abortIncompleteMultipartUploadAfter: Duration.days(1),
    }],
    removalPolicy,
  });
  // server access logs under a bucket policy, whatever the app's feature
  // flags (as ResponseArchive does)
  const prefix = 'results/';
  (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = { destinationBucketName: logBucket.bucketName, logFilePrefix: prefix };
  logBucket.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'S3ServerAccessLogsOfTheResults',
    principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
    actions: ['s3:PutObject'],
    resources: [logBucket.arnForObjects(`${prefix}*`)],
    conditions: {
      ArnLike: { 'aws:SourceArn': bucket.bucketArn },
      StringEquals: { 'aws:SourceAccount': Stack.of(scope).account },
    },
  }));
  acknowledgeInCompliancePacks(bucket, 'resultsBucketReplication');
  acknowledgeInCompliancePacks(bucket, 'resultsBucketSseS3');
  for (const finding of ['resultsEventNotifications', 'resultsObjectLock', 'resultsBucketSseS3Guard'] as const) {
    acknowledgeInTemplate(bucket, finding);
  }
  return { bucket, logBucket };
}
