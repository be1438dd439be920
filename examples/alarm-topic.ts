// Where the examples' alarms notify: an SNS topic encrypted with a rotating
// customer key that CloudWatch may use, reachable over TLS only. Subscribe
// your on-call address to it after deploying.
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { denyGrantsExceptForAwsServices } from './key-policy';

export function createAlarmTopic(scope: Construct): sns.Topic {
  const key = new kms.Key(scope, 'AlarmTopicKey', { description: 'Encrypts the alarm topic', enableKeyRotation: true });
  // CloudWatch publishes alarm notifications to the topic with this key
  key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
  key.addToResourcePolicy(denyGrantsExceptForAwsServices());
  return new sns.Topic(scope, 'Alarms', { masterKey: key, enforceSSL: true });
}
