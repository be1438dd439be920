import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * The key policy statement that lets only AWS services create grants on a
 * key (for the resources they encrypt with it): anyone else's
 * kms:CreateGrant is denied. AWS Control Tower's proactive control
 * CT.KMS.PR.3, checked by cfn-guard, asks for it.
 */
export function denyGrantsExceptForAwsServices(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DenyGrantsExceptForAwsServices',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  });
}

/** A customer managed key with yearly rotation, whose grants only AWS services may create. */
export function createEncryptionKey(scope: Construct, id: string, description: string): kms.Key {
  const key = new kms.Key(scope, id, { description, enableKeyRotation: true });
  key.addToResourcePolicy(denyGrantsExceptForAwsServices());
  return key;
}
