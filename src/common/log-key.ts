import { ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { createEncryptionKey } from './encryption-key';

/** The id of the stack's shared log key, at the stack's root. */
const STACK_LOG_KEY_ID = 'InsideOutGatewayLogKey';

/**
 * The one log key of a stack that the library's constructs share when the
 * user passes none: a customer managed key costs $1 a month whatever it
 * encrypts, and the policy below already allows every log group of the
 * account and region, so one per stack keeps the posture at a third of the
 * price of one per construct.
 */
export function stackLogEncryptionKey(scope: Construct): kms.IKey {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(STACK_LOG_KEY_ID);
  if (existing) {
    return existing as kms.Key;
  }
  return createLogEncryptionKey(stack, STACK_LOG_KEY_ID,
    'Encrypts the logs of the cdk-inside-out-gateway constructs of this stack (API access and execution logs, state machine logs, VPC flow logs)');
}

/**
 * A KMS key with rotation that CloudWatch Logs of this account and region
 * may use, and only for log groups (checked by encryption context). The
 * encryption context is CloudWatch Logs' own confused-deputy guard for a
 * key: "CloudWatch Logs now supports encryption context, using
 * kms:EncryptionContext:aws:logs:arn as the key and the ARN of the log
 * group as the value for that key" (CloudWatch Logs user guide, "Encrypt
 * log data in CloudWatch Logs using AWS Key Management Service",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html);
 * the pattern pins the account and region. The key is shared by every log
 * group of the stack, so the pattern cannot name one group.
 */
function createLogEncryptionKey(scope: Construct, id: string, description: string): kms.Key {
  const key = createEncryptionKey(scope, id, description);
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchLogsOfThisAccount',
    principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: {
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': Stack.of(scope).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: '*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    },
  }));
  return key;
}
