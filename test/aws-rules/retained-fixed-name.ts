/**
 * retained-fixed-name: no retained resource has a physical name that would
 * be the same when its stack is deleted and deployed again.
 *
 * CloudFormation, "DeletionPolicy attribute": "To keep a resource when its
 * stack is deleted, specify Retain for that resource." A retained resource
 * outlives its stack, and UpdateReplacePolicy Retain keeps the old one when
 * an update replaces it. If its name is fixed, the next create of the same
 * name fails because the name is taken: CloudWatch Logs API, CreateLogGroup:
 * "Log group names must be unique within a Region for an AWS account."
 * (the CloudFormation page for LogGroupName itself says only "If you don't
 * specify a name, AWS CloudFormation generates a unique ID for the log
 * group."); CloudFormation, "Name type": "Resource names must be unique
 * across all your active stacks."
 *
 * When a name counts as fixed: a literal is fixed; so is a name built
 * (Fn::Join, Fn::Sub) from literals, pseudo parameters that stay the same
 * for a stack of the same name in the same account and region
 * (AWS::StackName, AWS::Region, AWS::AccountId, AWS::Partition,
 * AWS::URLSuffix) and template parameters. A reference to a resource that
 * is not retained makes the name change: that resource is created anew,
 * with a new generated id, when the stack is deployed again (for example
 * `API-Gateway-Execution-Logs_<RestApi id>/<stage>`). A reference to a
 * retained resource is treated as fixed, on the safe side: the retained
 * resource keeps its id across a replacement of the named one, and may
 * itself have a fixed name. AWS::StackId changes with every new stack, so
 * it makes the name change too.
 */
import { Finding, Rule } from './rule';
import { referencedNames, resourcesOf, textOf } from './template';

/** The property that holds the unique physical name, by resource type. */
export const NAME_PROPERTIES: Record<string, string> = {
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::IAM::User': 'UserName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::Events::EventBus': 'Name',
  'AWS::Scheduler::Schedule': 'Name',
  'AWS::Scheduler::ScheduleGroup': 'Name',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::SSM::Parameter': 'Name',
  'AWS::KMS::Alias': 'AliasName',
  'AWS::Kinesis::Stream': 'Name',
  'AWS::ECR::Repository': 'RepositoryName',
  'AWS::CloudWatch::Alarm': 'AlarmName',
};

/** Names that change when the stack is deleted and created again. */
const CHANGING_PSEUDO = new Set(['AWS::StackId']);

function retained(resource: any): boolean {
  return resource?.DeletionPolicy === 'Retain' || resource?.UpdateReplacePolicy === 'Retain';
}

/** Why a name value is fixed, or undefined if it changes on delete-and-recreate. */
export function fixedNameReason(template: any, name: any): string | undefined {
  const refs = [...referencedNames(name)];
  const changing = refs.filter((r) => CHANGING_PSEUDO.has(r) || (template.Resources?.[r] && !retained(template.Resources[r])));
  if (changing.length > 0) {
    return undefined;
  }
  if (refs.length === 0) {
    return 'a literal';
  }
  return `built only from literals and ${refs.join(', ')}, which stay the same`;
}

export const retainedFixedName: Rule = {
  id: 'retained-fixed-name',
  description: 'Resources with DeletionPolicy or UpdateReplacePolicy Retain have no fixed physical name',
  url: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html',
  check(template, stack) {
    const findings: Finding[] = [];
    for (const [id, r] of resourcesOf(template)) {
      const property = NAME_PROPERTIES[r.Type];
      const name = property && r.Properties?.[property];
      if (!retained(r) || name === undefined) {
        continue;
      }
      const reason = fixedNameReason(template, name);
      if (reason) {
        const policies = ['DeletionPolicy', 'UpdateReplacePolicy'].filter((p) => r[p] === 'Retain').join(' and ');
        findings.push({
          rule: this.id,
          stack,
          resource: id,
          location: property,
          message: `${r.Type} with ${policies} Retain is named ${JSON.stringify(textOf(name))}, ${reason}: deploying the stack again after a delete or a replacement finds the name taken`,
        });
      }
    }
    return findings;
  },
};
