// A key policy statement the examples' own keys carry, as the library's do.
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';

/**
 * Lets only AWS services create grants on a key, for the resources they
 * encrypt with it (AWS Control Tower's CT.KMS.PR.3, which cfn-guard checks).
 */
export function denyGrantsExceptForAwsServices(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  });
}

/**
 * Lets CloudWatch Logs of the key's account and Region use the key, for log
 * groups of that account and Region only: "CloudWatch Logs now supports
 * encryption context, using kms:EncryptionContext:aws:logs:arn ... to
 * restrict the key to be used with a single account and log group"
 * (CloudWatch Logs user guide, "Encrypt log data in CloudWatch Logs using
 * AWS Key Management Service").
 */
export function allowCloudWatchLogsOfThisAccount(key: kms.IKey): void {
  const stack = Stack.of(key);
  key.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: {
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      },
    },
  }));
}
