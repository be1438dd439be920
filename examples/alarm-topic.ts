// Where the examples' alarms notify: an SNS topic encrypted with a rotating
// customer key, reachable over TLS only, that this account's CloudWatch
// alarms in this Region may publish to. Subscribe your on-call address to it
// after deploying.
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { denyGrantsExceptForAwsServices } from './key-policy';

export function createAlarmTopic(scope: Construct): sns.Topic {
  const stack = Stack.of(scope);
  const cloudWatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
  // CloudWatch acts for an alarm: allow it only for this account's alarms in
  // this Region (confused deputy), by the alarm's account and ARN
  const onlyForThisAccountsAlarms = {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
  };

  // SNS uses the topic's key for every message a publisher sends, so the
  // key policy must let CloudWatch generate and decrypt data keys, or each
  // notification is refused ("CloudWatch Alarms does not have authorization
  // to access the SNS topic encryption key"):
  // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
  // https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns
  const key = new kms.Key(scope, 'AlarmTopicKey', { description: 'Encrypts the alarm topic', enableKeyRotation: true });
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchAlarmsOfThisAccount',
    principals: [cloudWatch],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    resources: ['*'],
    conditions: onlyForThisAccountsAlarms,
  }));
  key.addToResourcePolicy(denyGrantsExceptForAwsServices());

  // enforceSSL gives the topic a policy of its own, which replaces SNS's
  // default one: without a statement for CloudWatch, every alarm action is
  // refused ("... is not authorized to perform: SNS:Publish"):
  // https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger
  // https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html
  const topic = new sns.Topic(scope, 'Alarms', { masterKey: key, enforceSSL: true });
  topic.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchAlarmsOfThisAccount',
    principals: [cloudWatch],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
    conditions: onlyForThisAccountsAlarms,
  }));
  return topic;
}
