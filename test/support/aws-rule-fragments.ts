/**
 * Small hand-written template fragments for the rules of test/aws-rules:
 * the shapes our old templates had, and the compliant shapes beside them.
 */

/**
 * A template with one state machine whose DefinitionString is an Fn::Join
 * with a token in it, as aws-cdk-lib writes it: each `<<Api>>` in the
 * definition becomes `{ Ref: 'Api' }`.
 */
export function machineTemplate(asl: any, properties: Record<string, any> = {}, resources: Record<string, any> = {}): any {
  const parts = JSON.stringify(asl).split('<<Api>>');
  const joined = parts.flatMap((p, i) => (i === 0 ? [p] : [{ Ref: 'Api' }, p]));
  return {
    Resources: {
      Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'egress' } },
      Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: { DefinitionString: { 'Fn::Join': ['', joined] }, ...properties } },
      ...resources,
    },
  };
}

/** A Pass state with Parameters, ending the machine. */
export function pass(parameters: Record<string, any>): any {
  return { Type: 'Pass', Parameters: parameters, End: true };
}

/** A Map state whose ItemProcessor holds the given states (the first one starts). */
export function map(states: Record<string, any>): any {
  return { Type: 'Map', ItemProcessor: { StartAt: Object.keys(states)[0], States: states }, End: true };
}

/** A Parallel state with one branch holding the given states. */
export function parallel(states: Record<string, any>): any {
  return { Type: 'Parallel', Branches: [{ StartAt: Object.keys(states)[0], States: states }], End: true };
}

/** A definition starting at its first state. */
export function definition(states: Record<string, any>): any {
  return { StartAt: Object.keys(states)[0], States: states };
}

/**
 * The `latencyMs.$` field of the old `Record …` states: the latency of a
 * request worked out from two timestamps with intrinsics alone (hours from
 * a table, minutes from a range, seconds and milliseconds parsed).
 */
export function oldLatencyExpression(): string {
  const now = '$$.State.EnteredTime';
  const start = '$.clock.startedAt';
  const field = (at: string, i: number) => `States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit(${at}, 'T'), 1), ':'), ${i})`;
  const diff = (i: number, wrap: number) =>
    `States.MathAdd(States.MathAdd(States.StringToJson(States.Format('1{}', ${field(now, i)})), States.StringToJson(States.Format('-1{}', ${field(start, i)}))), ${wrap})`;
  const hourly = [...Array(23).keys()].map((h) => (h + 1) * 3600000);
  const hours = `States.ArrayGetItem(States.Array(${[...hourly, 0, ...hourly].join(', ')}), ${diff(0, 23)})`;
  const minutes = `States.ArrayGetItem(States.ArrayRange(-3540000, 3540000, 60000), ${diff(1, 59)})`;
  const seconds = (at: string) => `States.Format('{}.000', States.ArrayGetItem(States.StringSplit(${field(at, 2)}, 'Z'), 0))`;
  const part = (at: string, i: number) => `States.ArrayGetItem(States.StringSplit(${seconds(at)}, '.'), ${i})`;
  const millis = `States.MathAdd(States.StringToJson(States.Format('1{}{}', ${part(now, 0)}, ${part(now, 1)})), States.StringToJson(States.Format('-1{}{}', ${part(start, 0)}, ${part(start, 1)})))`;
  return `States.MathAdd(States.MathAdd(${hours}, ${minutes}), ${millis})`;
}

/** The example of "Intrinsic functions for JSONPath states": nine calls, five deep. */
export const NINE_NESTED_INTRINSICS = "States.Format('{}.{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), "
  + "States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1))";

/** A role EventBridge Scheduler assumes, with this aws:SourceArn condition. */
export function schedulerRoleTemplate(sourceArn: any): any {
  return {
    Resources: {
      SchedulerRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [{
              Action: 'sts:AssumeRole',
              Effect: 'Allow',
              Principal: { Service: 'scheduler.amazonaws.com' },
              Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' }, ArnLike: { 'aws:SourceArn': sourceArn } },
            }],
          },
        },
      },
    },
  };
}

const ROOT = { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:root']] } };

/** A customer key whose policy holds the account-root statement and these. */
export function key(...statements: any[]): any {
  return {
    Type: 'AWS::KMS::Key',
    Properties: { KeyPolicy: { Version: '2012-10-17', Statement: [{ Action: 'kms:*', Effect: 'Allow', Principal: ROOT, Resource: '*' }, ...statements] } },
  };
}

/** The key policy statement examples/alarm-topic.ts adds for CloudWatch. */
export const CLOUDWATCH_KEY_USE = { Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Resource: '*' };

/** The old alarm topic: encrypted with a key, its topic policy only denying publishes without TLS. */
export function alarmTopicTemplate(keyStatements: any[], extraTopicStatements: any[] = []): any {
  return {
    Resources: {
      AlarmTopicKey: key(...keyStatements),
      Alarms: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: { 'Fn::GetAtt': ['AlarmTopicKey', 'Arn'] } } },
      AlarmsPolicy: {
        Type: 'AWS::SNS::TopicPolicy',
        Properties: {
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              { Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Effect: 'Deny', Principal: '*', Resource: { Ref: 'Alarms' }, Sid: 'AllowPublishThroughSSLOnly' },
              ...extraTopicStatements,
            ],
          },
          Topics: [{ Ref: 'Alarms' }],
        },
      },
      FailedAlarm: {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: { AlarmActions: [{ Ref: 'Alarms' }], ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1, Threshold: 1 },
      },
    },
  };
}

/** A topic policy statement letting CloudWatch publish. */
export const CLOUDWATCH_PUBLISH = { Action: 'sns:Publish', Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Resource: { Ref: 'Alarms' } };

/** The private-vpc example's caller: a role, its managed policy, and its dead-letter queue under a customer key. */
export function callerTemplate(grantStatements: any[], keyStatements: any[] = []): any {
  return {
    Resources: {
      CallerKey: key(...keyStatements),
      CallerRole: {
        Type: 'AWS::IAM::Role',
        Properties: { AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }] } },
      },
      CallerRoleGrants: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: {
          PolicyDocument: { Version: '2012-10-17', Statement: [{ Action: 'sqs:SendMessage', Effect: 'Allow', Resource: { 'Fn::GetAtt': ['CallerDeadLetters', 'Arn'] } }, ...grantStatements] },
          Roles: [{ Ref: 'CallerRole' }],
        },
      },
      CallerDeadLetters: { Type: 'AWS::SQS::Queue', Properties: { KmsMasterKeyId: { 'Fn::GetAtt': ['CallerKey', 'Arn'] } } },
    },
  };
}

/** The private-vpc example's caller security group, with its one separate egress rule. */
export function callerSecurityGroupTemplate(inlineEgress?: any[]): any {
  return {
    Resources: {
      CallerSecurityGroup: {
        Type: 'AWS::EC2::SecurityGroup',
        Properties: { GroupDescription: 'The caller function: HTTPS to the execute-api endpoint only', VpcId: { Ref: 'Vpc' }, SecurityGroupEgress: inlineEgress },
      },
      CallerSecurityGroupToEndpoint: {
        Type: 'AWS::EC2::SecurityGroupEgress',
        Properties: {
          GroupId: { 'Fn::GetAtt': ['CallerSecurityGroup', 'GroupId'] },
          DestinationSecurityGroupId: { 'Fn::GetAtt': ['EndpointSecurityGroup', 'GroupId'] },
          FromPort: 443,
          ToPort: 443,
          IpProtocol: 'tcp',
        },
      },
    },
  };
}

/** What aws-cdk-lib writes inline for `allowAllOutbound: false`. */
export const CDK_NO_EGRESS_PLACEHOLDER = [{ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic', FromPort: 252, IpProtocol: 'icmp', ToPort: 86 }];

/**
 * The invoker's shape: requests planned in a Pass state, each one's headers
 * passed to apigateway:invoke (or, given taskHeaders, literal ones instead).
 */
export function invokerDefinition(requestHeaders: Record<string, any>, taskHeaders?: Record<string, any>): any {
  return definition({
    'Plan requests': {
      Type: 'Pass',
      Parameters: { requests: [{ id: 'a', method: 'GET', path: '/a', headers: requestHeaders }] },
      Next: 'Invoke each request',
    },
    'Invoke each request': {
      ...map({
        Invoke: {
          Type: 'Task',
          Resource: 'arn:aws:states:::apigateway:invoke',
          Parameters: {
            'ApiEndpoint': '<<Api>>.execute-api.us-east-1.amazonaws.com',
            'Method.$': '$.method',
            'Path.$': '$.path',
            ...(taskHeaders ? { Headers: taskHeaders } : { 'Headers.$': '$.headers' }),
            'AuthType': 'IAM_ROLE',
          },
          End: true,
        },
      }),
      ItemsPath: '$.requests',
    },
  });
}
