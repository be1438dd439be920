/**
 * alarm-topic-publishable: CloudWatch can publish to every SNS topic an
 * alarm notifies.
 *
 * (a) A topic policy replaces the default policy, which lets principals of
 * the topic owner's account publish; CloudWatch publishes as the service
 * principal cloudwatch.amazonaws.com, so a topic with an AWS::SNS::TopicPolicy
 * (or TopicInlinePolicy) needs a statement allowing it sns:Publish. AWS
 * re:Post knowledge center, "Why didn't I receive an SNS notification for
 * my CloudWatch alarm trigger?": "SNS uses access policies to restrict the
 * sources that can publish messages to the topic. If a permissions error
 * occurs, then add the following permissions under the Statement section
 * of the SNS access policy." (a statement allowing cloudwatch.amazonaws.com
 * sns:Publish). https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger
 *
 * (b) A topic encrypted with a customer key of the template needs that
 * key's policy to let cloudwatch.amazonaws.com use kms:Decrypt and
 * kms:GenerateDataKey*. AWS re:Post knowledge center, "How do I configure a
 * CloudWatch alarm with an encrypted SNS topic?" (cited): its resolution
 * edits the key policy with a statement (Sid Allow_CloudWatch_for_CMK)
 * allowing cloudwatch.amazonaws.com "kms:Decrypt" and
 * "kms:GenerateDataKey*"; Amazon SNS Developer Guide, "Key management",
 * "Enable compatibility between event sources from AWS services and
 * encrypted topics": "Several AWS services publish events to Amazon SNS
 * topics. To allow these event sources to work with encrypted topics, you
 * must perform the following steps." The rule requires the actions SNS
 * calls, kms:Decrypt and kms:GenerateDataKey, to be covered.
 */
import { Finding, Rule } from './rule';
import { actionCovers, customerKeyOf, listOf, principalAdmitsService, refTarget, resourceCovers, resourcesOf } from './template';

const CLOUDWATCH = 'cloudwatch.amazonaws.com';
const ACTION_FIELDS = ['AlarmActions', 'OKActions', 'InsufficientDataActions'];

/** The topic policies of the template that apply to a topic, each with its statements. */
function topicPolicies(template: any, topic: string): Array<[string, any[]]> {
  return resourcesOf(template).flatMap(([id, r]): Array<[string, any[]]> => {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::SNS::TopicPolicy' && listOf(p.Topics).some((t) => refTarget(t) === topic)) {
      return [[id, listOf(p.PolicyDocument?.Statement)]];
    }
    if (r.Type === 'AWS::SNS::TopicInlinePolicy' && refTarget(p.TopicArn) === topic) {
      return [[id, listOf(p.PolicyDocument?.Statement)]];
    }
    return [];
  });
}

/** Whether a statement allows CloudWatch an action on a resource (key policies use `*`). */
function allowsCloudWatch(statement: any, action: string, resource?: string): boolean {
  return statement?.Effect === 'Allow' && principalAdmitsService(statement.Principal, CLOUDWATCH)
    && actionCovers(statement.Action, action) && (resource === undefined || resourceCovers(statement.Resource, resource));
}

export const alarmTopicPublishable: Rule = {
  id: 'alarm-topic-publishable',
  description: 'Topics that alarms notify let cloudwatch.amazonaws.com publish, through the topic policy and the key policy',
  url: 'https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns',
  check(template, stack) {
    const findings: Finding[] = [];
    const topics = new Map<string, string[]>();
    for (const [alarm, r] of resourcesOf(template, 'AWS::CloudWatch::Alarm')) {
      for (const field of ACTION_FIELDS) {
        for (const action of listOf(r.Properties?.[field])) {
          const topic = refTarget(action);
          if (topic && template.Resources[topic]?.Type === 'AWS::SNS::Topic') {
            topics.set(topic, [...(topics.get(topic) ?? []), `${alarm}.${field}`]);
          }
        }
      }
    }
    for (const [topic, usedBy] of topics) {
      const notifiedBy = `notified by ${usedBy.length} alarm action(s), e.g. ${usedBy[0]}`;
      for (const [policy, statements] of topicPolicies(template, topic)) {
        if (!statements.some((s) => allowsCloudWatch(s, 'sns:Publish', topic))) {
          findings.push({
            rule: this.id,
            stack,
            resource: topic,
            location: `topic policy ${policy}`,
            message: `${notifiedBy}; the topic policy replaces the default one and allows ${CLOUDWATCH} no sns:Publish`,
          });
        }
      }
      const key = customerKeyOf(template, template.Resources[topic].Properties?.KmsMasterKeyId);
      if (key) {
        const statements = listOf(template.Resources[key].Properties?.KeyPolicy?.Statement);
        const missing = ['kms:Decrypt', 'kms:GenerateDataKey'].filter((a) => !statements.some((s) => allowsCloudWatch(s, a)));
        if (missing.length > 0) {
          findings.push({
            rule: this.id,
            stack,
            resource: topic,
            location: `KmsMasterKeyId ${key}`,
            message: `${notifiedBy}; the key policy of ${key} does not allow ${CLOUDWATCH} ${missing.join(', ')}`,
          });
        }
      }
    }
    return findings;
  },
};
