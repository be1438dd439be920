/**
 * scheduler-source-arn: a role EventBridge Scheduler assumes scopes
 * aws:SourceArn to a schedule group, never to a schedule.
 *
 * EventBridge Scheduler User Guide, "Confused deputy prevention in
 * EventBridge Scheduler": "The value of aws:SourceArn must be your
 * EventBridge Scheduler schedule group ARN to which you want to scope this
 * condition." and "Do not scope the aws:SourceArn statement to a specific
 * schedule or a schedule name prefix. The ARN you specify must be a
 * schedule group." Scheduler assumes the role with the group's ARN as the
 * source, so a condition on a schedule ARN (or `…:schedule/<group>/*`)
 * never matches and the schedule cannot start its target.
 *
 * Values may be Fn::Join or Fn::Sub with pseudo parameters; they are read
 * as text, each deploy-time value standing for one ARN field. The page's
 * own examples use `*` for an unknown region or group name, so those pass.
 */
import { Finding, Rule } from './rule';
import { listOf, resourcesOf, servicePrincipals, textOf } from './template';

const SCHEDULER = 'scheduler.amazonaws.com';

/** `arn:<partition>:scheduler:<region>:<account>:schedule-group/<name>`; placeholders hold no colon or slash. */
const SCHEDULE_GROUP_ARN = /^arn:[^:/]+:scheduler:[^:/]*:[^:/]+:schedule-group\/[^:/]+$/;

/** Why a SourceArn value is not a schedule group ARN, or undefined if it is one. */
export function sourceArnProblem(arn: string): string | undefined {
  if (SCHEDULE_GROUP_ARN.test(arn)) {
    return undefined;
  }
  if (/:scheduler:[^:]*:[^:]*:schedule\//.test(arn)) {
    return `${arn} is a schedule ARN or prefix, not a schedule group ARN`;
  }
  return `${arn} is not a schedule group ARN (arn:<partition>:scheduler:<region>:<account>:schedule-group/<name>)`;
}

export const schedulerSourceArn: Rule = {
  id: 'scheduler-source-arn',
  description: 'Roles trusted by scheduler.amazonaws.com scope aws:SourceArn to a schedule group ARN',
  url: 'https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html',
  check(template, stack) {
    const findings: Finding[] = [];
    for (const [id, role] of resourcesOf(template, 'AWS::IAM::Role')) {
      listOf(role.Properties?.AssumeRolePolicyDocument?.Statement).forEach((statement: any, index: number) => {
        if (statement?.Effect !== 'Allow' || !servicePrincipals(statement.Principal).includes(SCHEDULER)) {
          return;
        }
        for (const [operator, keys] of Object.entries<any>(statement.Condition ?? {})) {
          for (const [key, values] of Object.entries<any>(keys ?? {})) {
            if (key.toLowerCase() !== 'aws:sourcearn') {
              continue;
            }
            for (const value of listOf(values)) {
              const problem = sourceArnProblem(textOf(value));
              if (problem) {
                findings.push({
                  rule: this.id,
                  stack,
                  resource: id,
                  location: `AssumeRolePolicyDocument.Statement[${index}].Condition.${operator}.${key}`,
                  message: problem,
                });
              }
            }
          }
        }
      });
    }
    return findings;
  },
};
