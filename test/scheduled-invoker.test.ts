import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { HttpProxyApi, HttpProxyTarget, InvokerLayout, InvokerRequest, InvokerSchedule, RequestBody, ResponseArchive, ScheduledInvoker, ScheduledInvokerProps } from '../src';
import { definitionOf } from './support/state-machine-harness';
import { TEST_REGION, testStack } from './support/test-stack';

function setup(props: Partial<ScheduledInvokerProps> = {}, requests?: (f: HttpProxyTarget, o: HttpProxyTarget) => InvokerRequest[]) {
  const stack = testStack();
  const api = new HttpProxyApi(stack, 'Egress');
  const forecast = api.addTarget('forecast', { url: 'https://api.example.com/v1/forecast/{city}', queryParameters: ['days'], timeout: Duration.seconds(10) });
  const orders = api.addTarget('orders', { url: 'https://api.example.com/v1/orders', methods: ['GET', 'POST'] });
  const invoker = new ScheduledInvoker(stack, 'Poller', {
    schedule: InvokerSchedule.rate(Duration.minutes(15)),
    requests: requests ? requests(forecast, orders) : [{ target: forecast, pathParameters: { city: 'paris' }, queryParameters: { days: '3' } }],
    ...props,
  });
  return { stack, api, forecast, orders, invoker, get template() { return Template.fromStack(stack); } };
}

describe('schedule', () => {
  test('GIVEN defaults WHEN synthesized THEN the schedule starts the state machine with the scheduler context, a retry policy and a dead-letter queue', () => {
    const { template } = setup();
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { Ref: Match.stringLikeRegexp('PollerStateMachine') },
        RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('PollerSchedulerRole'), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('PollerDeadLetterQueue'), 'Arn'] } },
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 3 },
        Input: Match.serializedJson({ scheduledTime: '<aws.scheduler.scheduled-time>', executionId: '<aws.scheduler.execution-id>', scheduleArn: '<aws.scheduler.schedule-arn>' }),
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('GIVEN a cron in a time zone, a window, dates and disabled WHEN synthesized THEN all reach the schedule', () => {
    const { template } = setup({
      schedule: InvokerSchedule.cron({ minute: '0', hour: '9', weekDay: 'MON-FRI', timeZone: TimeZone.EUROPE_PARIS }),
      flexibleTimeWindow: Duration.minutes(10),
      scheduleStart: new Date('2027-01-01T00:00:00Z'),
      scheduleEnd: new Date('2027-12-31T00:00:00Z'),
      enabled: false,
      scheduleRetryAttempts: 5,
      scheduleMaxEventAge: Duration.minutes(30),
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 9 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 10 },
      StartDate: '2027-01-01T00:00:00.000Z',
      EndDate: '2027-12-31T00:00:00.000Z',
      State: 'DISABLED',
      Target: Match.objectLike({ RetryPolicy: { MaximumEventAgeInSeconds: 1800, MaximumRetryAttempts: 5 } }),
    });
  });

  test.each([
    [InvokerSchedule.rate(Duration.minutes(1)), 'rate(1 minute)'],
    [InvokerSchedule.rate(Duration.hours(2)), 'rate(2 hours)'],
    [InvokerSchedule.rate(Duration.days(1)), 'rate(1 day)'],
    [InvokerSchedule.once(new Date('2027-03-01T08:30:00Z')), 'at(2027-03-01T08:30:00)'],
    [InvokerSchedule.expression('cron(0/15 * * * ? *)'), 'cron(0/15 * * * ? *)'],
    [InvokerSchedule.expression('cron(0 12 L * ? 2027-2030)'), 'cron(0 12 L * ? 2027-2030)'],
    [InvokerSchedule.expression('cron(0 8 ? * 2#1 *)'), 'cron(0 8 ? * 2#1 *)'],
  ])('GIVEN %p WHEN synthesized THEN the expression is %s', (schedule, expected) => {
    setup({ schedule }).template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: expected });
  });

  test('GIVEN the scheduler role WHEN synthesized THEN only Scheduler of this account may assume it, and it may start only this state machine', () => {
    const { template, stack, invoker } = setup();
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': '123456789012' },
            // the schedule GROUP's ARN, as Scheduler's confused-deputy page requires
            ArnEquals: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:us-east-1:123456789012:schedule-group/default']] } },
          },
        }],
      },
    });
    const policy = stack.resolve((invoker.schedulerRole.node.findChild('DefaultPolicy').node.defaultChild as any).policyDocument);
    expect(policy.Statement).toEqual([
      { Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: stack.getLogicalId(invoker.stateMachine.node.defaultChild as any) } },
      { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: { 'Fn::GetAtt': [stack.getLogicalId(invoker.deadLetterQueue.node.defaultChild as any), 'Arn'] } },
    ]);
  });
});

test('GIVEN an invoker with a sink WHEN synthesized THEN the schedule waits for every policy a run needs (routes, sink, the scheduler role\'s), since a schedule fires as soon as it exists', () => {
  // GIVEN
  const stack = testStack();
  const api = new HttpProxyApi(stack, 'Egress');
  const target = api.addTarget('status', { url: 'https://status.example.com/v1/status' });

  // WHEN
  const invoker = new ScheduledInvoker(stack, 'Poller', {
    schedule: InvokerSchedule.rate(Duration.minutes(5)), requests: [{ target }], sink: new ResponseArchive(stack, 'Archive'),
  });
  const template = Template.fromStack(stack).toJSON();

  // THEN
  const id = (c: any) => stack.getLogicalId(c.node.defaultChild);
  const schedule = template.Resources[id(invoker.schedule)];
  const sinkGrants = Object.keys(template.Resources).filter((k) => /^PollerSinkArchiveGrants/.test(k));
  expect(sinkGrants).toHaveLength(1);
  expect(schedule.DependsOn).toEqual(expect.arrayContaining([
    id(invoker.routeGrants),
    stack.getLogicalId(invoker.schedulerRole.node.findChild('DefaultPolicy').node.defaultChild as any),
    sinkGrants[0],
  ]));
});

test('GIVEN a schedule group WHEN synthesized THEN the schedule is in it and the scheduler role trusts that group only', () => {
  // GIVEN
  const stack = testStack();
  const api = new HttpProxyApi(stack, 'Egress');
  const target = api.addTarget('status', { url: 'https://status.example.com/v1/status' });
  const group = new scheduler.ScheduleGroup(stack, 'Group', { scheduleGroupName: 'pollers' });

  // WHEN
  new ScheduledInvoker(stack, 'Poller', { schedule: InvokerSchedule.rate(Duration.minutes(5)), requests: [{ target }], scheduleGroup: group });
  const template = Template.fromStack(stack);

  // THEN
  const groupId = stack.getLogicalId(group.node.defaultChild as any);
  template.hasResource('AWS::Scheduler::Schedule', { Properties: Match.objectLike({ GroupName: 'pollers' }), DependsOn: Match.arrayWith([groupId]) });
  template.hasResourceProperties('AWS::IAM::Role', {
    AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Condition: Match.objectLike({ ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [groupId, 'Arn'] } } }) })] },
  });
});

describe('state machine', () => {
  test('GIVEN defaults WHEN synthesized THEN it is an Express JSONPath machine with X-Ray, ERROR logs without data, a 5 minute timeout and an encrypted log group', () => {
    const { template } = setup();
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'EXPRESS',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ERROR', IncludeExecutionData: false, Destinations: [Match.anyValue()] },
    });
    const definition = definitionOf(template.toJSON(), TEST_REGION);
    expect(definition.TimeoutSeconds).toBe(300);
    expect(JSON.stringify(definition)).not.toContain('JSONata');
    expect(definition.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
    // retained, so its name changes with each creation of the stack: a stack
    // deleted and created again does not collide with the retained group
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: {
        'Fn::Join': ['', [Match.stringLikeRegexp('^/aws/vendedlogs/states/TestStackPoller[A-F0-9]{8}-$'), { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }]],
      },
      RetentionInDays: 365,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('InsideOutGatewayLogKey'), 'Arn'] },
    });
  });

  test('GIVEN STANDARD, ALL with data and a timeout WHEN synthesized THEN they reach the machine', () => {
    const { template } = setup({
      workflowType: sfn.StateMachineType.STANDARD,
      logLevel: sfn.LogLevel.ALL,
      includeExecutionDataInLogs: true,
      executionTimeout: Duration.minutes(30),
    });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
    });
    expect(definitionOf(template.toJSON(), TEST_REGION).TimeoutSeconds).toBe(1800);
  });

  test('GIVEN requests WHEN synthesized THEN one Pass state holds them and one Map state calls them, maxConcurrency at a time', () => {
    const { template } = setup({ maxConcurrency: 4 }, (f, o) => [
      { target: f, pathParameters: { city: 'São Paulo' }, queryParameters: { days: '3' } },
      { target: o, id: 'new-order', method: 'POST', body: RequestBody.fromObject({ sku: 'A' }), headers: { 'Content-Type': 'application/json' } },
    ]);
    const d = definitionOf(template.toJSON(), TEST_REGION);
    expect(d.StartAt).toBe('Plan requests');
    expect(d.States['Plan requests'].Parameters).toEqual({
      'trigger.$': '$',
      // the run, which a sink keys its objects by
      'run': { 'name.$': '$$.Execution.Name', 'id.$': '$$.Execution.Id', 'startTime.$': '$$.Execution.StartTime' },
      'apis': [{ endpoint: 'a1b2c3d4e5.execute-api.us-east-1.amazonaws.com', stage: 'egress' }],
      'requests': [
        { id: 'forecast-1', target: 'forecast', api: 0, method: 'GET', path: '/forecast/S%C3%A3o%20Paulo', query: { days: ['3'] }, headers: {} },
        { id: 'new-order', target: 'orders', api: 0, method: 'POST', path: '/orders', query: {}, headers: { 'Content-Type': ['application/json'] }, body: { sku: 'A' } },
      ],
    });
    const map = d.States['Invoke each request'];
    expect(map).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.requests',
      MaxConcurrency: 4,
      ResultPath: '$.requests',
      ItemSelector: { 'request.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index', 'api.$': 'States.ArrayGetItem($.apis, $$.Map.Item.Value.api)', 'trigger.$': '$.trigger', 'run.$': '$.run' },
    });
    // a mix of requests with and without a body: a Choice and two invoke tasks
    expect(map.ItemProcessor.States['Has body?'].Type).toBe('Choice');
    const invoke = map.ItemProcessor.States['Invoke with body'];
    expect(invoke).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::apigateway:invoke',
      TimeoutSeconds: 30,
      Parameters: { 'AuthType': 'IAM_ROLE', 'ApiEndpoint.$': '$.api.endpoint', 'Stage.$': '$.api.stage', 'Method.$': '$.request.method', 'Path.$': '$.request.path', 'RequestBody.$': '$.request.body' },
      ResultPath: '$.response',
    });
    expect(map.ItemProcessor.States.Invoke.Parameters['RequestBody.$']).toBeUndefined();
    // no sink: only the status code is kept
    expect(invoke.ResultSelector).toEqual({ 'statusCode.$': '$.StatusCode' });
  });

  test('GIVEN a sink WHEN synthesized THEN the invoke and the sink each catch States.DataLimitExceeded by name, before States.ALL (which does not match it)', () => {
    const stack = testStack();
    const api = new HttpProxyApi(stack, 'Egress');
    const t = api.addTarget('prices', { url: 'https://api.example.com/v1/prices' });
    const archive = new ResponseArchive(stack, 'Archive');
    new ScheduledInvoker(stack, 'Poller', { schedule: InvokerSchedule.rate(Duration.hours(1)), requests: [{ target: t }], sink: archive });
    const bucketId = stack.getLogicalId(archive.bucket.node.defaultChild as any);
    const states = definitionOf(Template.fromStack(stack).toJSON(), TEST_REGION, undefined, { [bucketId]: 'archive' }).States['Invoke each request'].ItemProcessor.States;
    expect(states.Invoke.Catch.map((c: any) => [c.ErrorEquals, c.Next])).toEqual([
      [['States.DataLimitExceeded'], 'Record response too large'],
      [['States.ALL'], 'Answered with an error status?'],
    ]);
    expect(states['Deliver to sink'].Catch.map((c: any) => [c.ErrorEquals, c.Next])).toEqual([
      [['States.DataLimitExceeded'], 'Record sink failure'],
      [['States.ALL'], 'Record sink failure'],
    ]);
    expect(states['Record response too large'].Parameters).toMatchObject({ 'id.$': '$.request.id', 'target.$': '$.request.target', 'outcome': 'RESPONSE_TOO_LARGE', 'error.$': '$.error.Error' });
  });

  test('GIVEN retry options WHEN synthesized THEN final answers come first with no retries, then 429, 5XX, timeouts and task failures with backoff and full jitter', () => {
    const { template } = setup({
      retry: { interval: Duration.seconds(3), backoffRate: 1.5, maxAttempts: 4, maxDelay: Duration.seconds(20), jitter: true },
    });
    const retry = definitionOf(template.toJSON(), TEST_REGION).States['Invoke each request'].ItemProcessor.States.Invoke.Retry;
    expect(retry).toHaveLength(2);
    expect(retry[0].MaxAttempts).toBe(0);
    expect(retry[0].ErrorEquals).toEqual(expect.arrayContaining(['ApiGateway.304', 'ApiGateway.400', 'ApiGateway.401', 'ApiGateway.403', 'ApiGateway.404', 'ApiGateway.422']));
    expect(retry[0].ErrorEquals).not.toContain('ApiGateway.429');
    expect(retry[0].ErrorEquals.filter((e: string) => /^ApiGateway\.5/.test(e))).toEqual([]);
    // an answer too large for the payload comes back the same: no retry
    expect(retry[0].ErrorEquals).toContain('States.DataLimitExceeded');
    expect(retry[1]).toEqual({
      ErrorEquals: ['ApiGateway.429', 'ApiGateway.500', 'ApiGateway.502', 'ApiGateway.503', 'ApiGateway.504', 'States.Timeout', 'States.TaskFailed'],
      IntervalSeconds: 3,
      BackoffRate: 1.5,
      MaxAttempts: 4,
      MaxDelaySeconds: 20,
      JitterStrategy: 'FULL',
    });
  });

  test('GIVEN jitter off WHEN synthesized THEN the retrier says NONE', () => {
    const { template } = setup({ retry: { jitter: false } });
    expect(definitionOf(template.toJSON(), TEST_REGION).States['Invoke each request'].ItemProcessor.States.Invoke.Retry[1].JitterStrategy).toBe('NONE');
  });

  test('GIVEN an invoker WHEN its time budget is read THEN it shows how the worst case is made up', () => {
    const { invoker } = setup({ maxConcurrency: 2, requestTimeout: Duration.seconds(5) }, (f) => [1, 2, 3].map((i) => ({ target: f, pathParameters: { city: `c${i}` } })));
    // 2 waves x (4 attempts x 5 s + 2 + 4 + 8 s of waits)
    expect(invoker.timeBudget).toEqual({
      requests: 3,
      maxConcurrency: 2,
      waves: 2,
      attempts: 4,
      requestTimeoutSeconds: 5,
      retryDelaySeconds: 14,
      sinkSeconds: 0,
      perRequestSeconds: 34,
      worstCaseSeconds: 68,
      executionTimeoutSeconds: 300,
    });
  });

  test('GIVEN the default request timeout WHEN synthesized THEN it is the longest target timeout plus one second', () => {
    const { template } = setup({}, (f, o) => [{ target: f, pathParameters: { city: 'x' } }, { target: o }]);
    const states = definitionOf(template.toJSON(), TEST_REGION).States['Invoke each request'].ItemProcessor.States;
    expect(states.Invoke.TimeoutSeconds).toBe(30); // orders keeps the 29 s default; forecast has 10 s
  });
});

describe('IAM', () => {
  test('GIVEN requests on two methods of one route and one of another WHEN synthesized THEN the role may invoke exactly those methods', () => {
    const { stack, invoker } = setup({}, (f, o) => [
      { target: f, pathParameters: { city: 'a' } },
      { target: f, pathParameters: { city: 'b' } },
      { target: o, method: 'POST' },
    ]);
    const doc = stack.resolve((invoker.routeGrants.node.defaultChild as any).policyDocument);
    const arn = (method: string, path: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':execute-api:us-east-1:123456789012:', { Ref: Match.stringLikeRegexp('EgressApi') }, '/', { Ref: Match.stringLikeRegexp('EgressApiDeploymentStage') }, `/${method}${path}`]],
    });
    expect(doc.Statement).toHaveLength(2);
    const tpl = Template.fromStack(stack);
    tpl.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: Match.stringLikeRegexp('PollerRole') }],
      PolicyDocument: {
        Statement: [
          { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: arn('GET', '/forecast/*') },
          { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: arn('POST', '/orders') },
        ],
      },
    });
    // the role's default policy holds only logging and tracing, and like
    // every policy of both roles it is a managed one (no IAMNoInlinePolicy)
    const roles = [invoker.role, invoker.schedulerRole].map((r) => stack.getLogicalId(r.node.defaultChild as any));
    const inline = Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy')).filter((p) => p.Properties.Roles.some((r: any) => roles.includes(r.Ref)));
    expect(inline).toEqual([]);
    expect((invoker.role.node.findChild('DefaultPolicy').node.defaultChild as any).cfnResourceType).toBe('AWS::IAM::ManagedPolicy');
    const defaultPolicy = stack.resolve((invoker.role.node.findChild('DefaultPolicy').node.defaultChild as any).policyDocument);
    const actions = defaultPolicy.Statement.flatMap((s: any) => [s.Action].flat());
    expect(actions.every((a: string) => /^(logs|xray|kms):/.test(a))).toBe(true);
  });

  test('GIVEN a grantee WHEN grantStartExecution THEN it may start this state machine only', () => {
    const { stack, invoker } = setup();
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    invoker.grantStartExecution(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('Caller') }],
      PolicyDocument: { Statement: [{ Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: Match.stringLikeRegexp('PollerStateMachine') } }] },
    });
  });
});

describe('alarms and metrics', () => {
  test('GIVEN a topic WHEN synthesized THEN failed executions, dead-lettered starts and each route error rate alarm to it', () => {
    const stack = testStack();
    const topic = new sns.Topic(stack, 'Alerts');
    const api = new HttpProxyApi(stack, 'Egress');
    const f = api.addTarget('forecast', { url: 'https://api.example.com/v1/forecast/{city}' });
    const o = api.addTarget('orders', { url: 'https://api.example.com/v1/orders', methods: ['GET', 'POST'] });
    const invoker = new ScheduledInvoker(stack, 'Poller', {
      schedule: InvokerSchedule.rate(Duration.hours(1)),
      requests: [{ target: f, pathParameters: { city: 'x' } }, { target: o, method: 'POST' }, { target: o, method: 'GET' }],
      alarmTopic: topic,
      errorRateThreshold: 0.25,
    });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::CloudWatch::Alarm', 5);
    expect(invoker.targetErrorRateAlarms).toHaveLength(3);
    const actions = [{ Ref: Match.stringLikeRegexp('Alerts') }];
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: actions,
      Threshold: 1,
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)' })]),
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: actions, MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS', Statistic: 'Maximum', Threshold: 1,
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: actions,
      Threshold: 0.25,
      TreatMissingData: 'notBreaching',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'errors / requests' }),
        Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ Namespace: 'InsideOutGateway', MetricName: 'RouteErrorResponses', Dimensions: Match.arrayWith([{ Name: 'HttpMethod', Value: 'POST' }, { Name: 'ResourcePath', Value: '/orders' }]) }) }) }),
      ]),
    });
    // the route metrics are counted by two metric filters on the API's access log
    t.resourceCountIs('AWS::Logs::MetricFilter', 2);
    t.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ ($.status = "4*") || ($.status = "5*") }',
      MetricTransformations: [Match.objectLike({ MetricName: 'RouteErrorResponses', MetricNamespace: 'InsideOutGateway', Dimensions: Match.arrayWith([{ Key: 'ApiId', Value: '$.apiId' }]) })],
    });
  });

  test('GIVEN alarms off WHEN synthesized THEN there is no alarm and no metric filter', () => {
    const { template, invoker } = setup({ alarms: false });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.resourceCountIs('AWS::Logs::MetricFilter', 0);
    expect(invoker.executionsFailedAlarm).toBeUndefined();
  });

  test('GIVEN an invoker WHEN its metric helpers are read THEN they name the state machine and the queue', () => {
    const { stack, invoker } = setup();
    const m = invoker.metricExecutionsFailed();
    expect(m.metricName).toBe('ExecutionsFailed');
    expect(m.namespace).toBe('AWS/States');
    expect(stack.resolve(m.dimensions)).toEqual({ StateMachineArn: { Ref: stack.getLogicalId(invoker.stateMachine.node.defaultChild as any) } });
    expect(invoker.metricExecutionTime().statistic).toBe('Average');
    expect(invoker.metricDeadLetterQueueDepth().metricName).toBe('ApproximateNumberOfMessagesVisible');
  });
});

describe('scale', () => {
  /** Requests spread over 10 targets of one API, as a fan-out would be. */
  function scaled(n: number, layout?: InvokerLayout): { resources: number; bytes: number; stack: Stack } {
    const stack = testStack();
    const api = new HttpProxyApi(stack, 'Egress');
    const targets = [...Array(10).keys()].map((i) => api.addTarget(`feed${i}`, { url: `https://feed${i}.example.com/v1/items/{item}` }));
    new ScheduledInvoker(stack, 'Poller', {
      schedule: InvokerSchedule.rate(Duration.minutes(15)),
      workflowType: sfn.StateMachineType.STANDARD,
      executionTimeout: Duration.hours(24),
      maxConcurrency: 40,
      requests: [...Array(n).keys()].map((i) => ({ target: targets[i % 10], pathParameters: { item: `item-${i}` } })),
      layout,
    });
    const json = Template.fromStack(stack).toJSON();
    return { resources: Object.keys(json.Resources).length, bytes: JSON.stringify(json).length, stack };
  }

  test('GIVEN 1, 10, 100 and 1,000 requests WHEN synthesized THEN the resource count does not grow with requests and the template stays far below 1 MB', () => {
    // the measured figures, beside a hand-written baseline, are npx projen bench's (docs/benchmarks.md)
    const counts = [1, 10, 100, 1000].map((n) => ({ n, ...scaled(n) }));
    // the 1-request stack calls one target (one alarm); from 10 on all 10 targets
    expect(counts[1].resources).toBe(counts[2].resources);
    expect(counts[2].resources).toBe(counts[3].resources);
    expect(counts[3].resources).toBeLessThan(100);
    expect(counts[3].bytes).toBeLessThan(400 * 1024);
  });

  test('GIVEN requests whose results near the 256 KiB state payload WHEN synthesized THEN a warning says what comes next; well below it, none', () => {
    // each result carries its start and finish times; the bench measures the most that fit (docs/benchmarks.md)
    const near = scaled(950).stack;
    const forced = scaled(950, InvokerLayout.INLINE).stack;
    const far = scaled(700).stack;

    // AUTO: past the limit the invoker takes the distributed layout
    const warnings = Annotations.fromStack(near).findWarning('/TestStack/Poller', Match.stringLikeRegexp('nearPayloadLimit'));
    expect(warnings.map((w) => w.entry.data)).toEqual([
      expect.stringMatching(/^requests: 950 requests make the results about 2\d\d KiB of the 248 KiB a state may carry .*a few more and the invoker takes the distributed layout/),
    ]);
    // a forced inline layout: past the limit synth fails
    expect(Annotations.fromStack(forced).findWarning('/TestStack/Poller', Match.stringLikeRegexp('nearPayloadLimit')).map((w) => w.entry.data)).toEqual([
      expect.stringMatching(/^requests: 950 requests make the results about 2\d\d KiB .*a few more and synth fails\. Split the requests over several invokers/),
    ]);
    expect(Annotations.fromStack(far).findWarning('*', Match.stringLikeRegexp('nearPayloadLimit'))).toEqual([]);
  });
});

describe('tracing', () => {
  test('GIVEN defaults WHEN synthesized THEN X-Ray is on; GIVEN tracing false THEN it is off', () => {
    setup().template.hasResourceProperties('AWS::StepFunctions::StateMachine', { TracingConfiguration: { Enabled: true } });
    const off = setup({ tracing: false }).template;
    const machine = Object.values<any>(off.findResources('AWS::StepFunctions::StateMachine'))[0];
    expect(machine.Properties.TracingConfiguration?.Enabled ?? false).toBe(false);
  });
});
