// A key policy statement the examples' own keys carry, as the library's do.
import * as iam from 'aws-cdk-lib/aws-iam';

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
