/**
 * customer-key-sender-access: whoever may send to a queue or publish to a
 * topic encrypted with a customer key of the template may also use the key.
 *
 * Amazon SQS Developer Guide, "Key management", "Configure AWS KMS
 * permissions for producers": "Therefore, the producer must have the
 * kms:Decrypt and kms:GenerateDataKey permissions for the KMS key."
 * Amazon SNS Developer Guide, "Key management", "Allow a user to send
 * messages to a topic with SSE": "The publisher must have the
 * kms:GenerateDataKey and kms:Decrypt permissions for the customer master
 * key (CMK)."
 *
 * Senders are the roles of the template whose identity policies allow
 * sqs:SendMessage on the queue or sns:Publish on the topic (a Lambda
 * function's or a schedule's dead-letter queue is sent to with its role).
 * The key use may come from the same role's identity policies (on the key
 * or `*`) or from a statement of the key policy naming the role. The
 * account-root statement of a key policy only lets IAM policies grant use
 * of the key; it grants the role nothing by itself.
 */
import { Finding, Rule } from './rule';
import { actionCovers, customerKeyOf, identityStatements, listOf, referencedNames, resourceCovers, resourcesOf } from './template';

const SEND: Record<string, string> = { 'AWS::SQS::Queue': 'sqs:SendMessage', 'AWS::SNS::Topic': 'sns:Publish' };
const KEY_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'];

function allows(statement: any, action: string, resource: string): boolean {
  return statement?.Effect === 'Allow' && actionCovers(statement.Action, action) && resourceCovers(statement.Resource, resource);
}

export const customerKeySenderAccess: Rule = {
  id: 'customer-key-sender-access',
  description: 'Roles that may send to a queue or topic encrypted with a customer key may use kms:GenerateDataKey and kms:Decrypt on it',
  url: 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html',
  check(template, stack) {
    const findings: Finding[] = [];
    const statements = identityStatements(template);
    for (const [target, r] of resourcesOf(template)) {
      const action = SEND[r.Type];
      const key = action && customerKeyOf(template, r.Properties?.KmsMasterKeyId);
      if (!key) {
        continue;
      }
      const keyPolicy = listOf(template.Resources[key].Properties?.KeyPolicy?.Statement);
      const senders = new Set(statements.filter((s) => allows(s.statement, action, target)).flatMap((s) => s.roles));
      for (const role of senders) {
        const own = statements.filter((s) => s.roles.includes(role)).map((s) => s.statement);
        const missing = KEY_ACTIONS.filter((a) => !own.some((s) => allows(s, a, key))
          && !keyPolicy.some((s) => s?.Effect === 'Allow' && actionCovers(s.Action, a)
            && listOf(s.Principal?.AWS).some((p) => referencedNames(p).has(role))));
        if (missing.length > 0) {
          findings.push({
            rule: this.id,
            stack,
            resource: role,
            location: `${action} on ${target}`,
            message: `${target} is encrypted with the customer key ${key}, but ${role} may not use ${missing.join(', ')} on it (neither its policies nor the key policy allow it)`,
          });
        }
      }
    }
    return findings;
  },
};
