/**
 * Whether EventBridge Scheduler may assume a schedule's execution role:
 * the role's trust policy (AssumeRolePolicyDocument) evaluated by
 * @cloud-copilot/iam-simulate for `sts:AssumeRole` by the service principal
 * `scheduler.amazonaws.com`, with the request context Scheduler presents.
 *
 * That context (EventBridge Scheduler user guide, "Confused deputy
 * prevention in EventBridge Scheduler",
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html):
 * `aws:SourceAccount` is the schedule's account and `aws:SourceArn` is the
 * ARN of the schedule GROUP, `arn:aws:scheduler:<region>:<account>:schedule-group/<group>`,
 * not the schedule's own ARN. The guide's document history records the
 * change (September 7, 2023, "Changes to execution role and confused
 * deputy prevention": the execution role is applied to a schedule group
 * resource; https://docs.aws.amazon.com/scheduler/latest/UserGuide/doc-history.html).
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';

export const SCHEDULER_SERVICE_PRINCIPAL = 'scheduler.amazonaws.com';

/** The group a schedule without a `GroupName` is in. */
export const DEFAULT_SCHEDULE_GROUP = 'default';

export interface SchedulerAssumeRequest {
  /** The role's trust policy, with its Refs already resolved. */
  readonly trustPolicy: any;
  readonly roleArn: string;
  readonly account: string;
  readonly region: string;
  /** The schedule's group name (`default` when the schedule names none). */
  readonly groupName: string;
}

export interface TrustDecision {
  readonly allowed: boolean;
  /** iam-simulate's overall result: Allowed, ImplicitlyDenied, ExplicitlyDenied. */
  readonly result: string;
  /** The `aws:SourceArn` Scheduler presented. */
  readonly sourceArn: string;
}

/** The ARN of a schedule group: what Scheduler presents as `aws:SourceArn`. */
export function scheduleGroupArn(region: string, account: string, groupName: string): string {
  return `arn:aws:scheduler:${region}:${account}:schedule-group/${groupName}`;
}

/** Evaluates the trust policy for Scheduler's AssumeRole. */
export async function schedulerMayAssume(request: SchedulerAssumeRequest): Promise<TrustDecision> {
  const sourceArn = scheduleGroupArn(request.region, request.account, request.groupName);
  const simulation = await runSimulation({
    request: {
      principal: SCHEDULER_SERVICE_PRINCIPAL,
      action: 'sts:AssumeRole',
      resource: { resource: request.roleArn, accountId: request.account },
      contextVariables: { 'aws:SourceAccount': request.account, 'aws:SourceArn': sourceArn },
    },
    identityPolicies: [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: request.trustPolicy,
  }, {});
  if ('errors' in simulation && simulation.errors) {
    // a trust policy the simulator cannot read is a fault of the test setup, not a denial
    throw new Error(`the trust policy of ${request.roleArn} could not be evaluated: ${JSON.stringify(simulation.errors)}`);
  }
  const result = 'overallResult' in simulation ? String(simulation.overallResult) : 'NoResult';
  return { allowed: result === 'Allowed', result, sourceArn };
}
