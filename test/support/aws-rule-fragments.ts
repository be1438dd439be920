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
