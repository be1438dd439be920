import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

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
    reason: 'The API is an egress path for IAM-signed calls from this account; no anonymous web traffic can reach an integration, and targets are fixed at synth time, so WAF web-request rules have nothing to filter.',
  },
} as const;

export type AcknowledgedFinding = keyof typeof ACKNOWLEDGED_FINDINGS;

/** Acknowledges one finding on exactly one construct. */
export function acknowledge(scope: IConstruct, finding: AcknowledgedFinding): void {
  Validations.of(scope).acknowledge(ACKNOWLEDGED_FINDINGS[finding]);
}
