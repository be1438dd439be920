/**
 * Does LocalStack's Step Functions interpreter run JSONata? A tiny JSONata
 * state machine, created directly (CreateStateMachine), run once with
 * StartSyncExecution. Each field stands for one intrinsic-function
 * workaround in src/ (docs/end-to-end.md, "JSONata"):
 *
 * - `status`: the status code out of `ApiGateway.<status>`, which the
 *   invoker reads with States.StringToJson(States.ArrayGetItem(
 *   States.StringSplit(...), 1));
 * - `date`: the execution's start date, which the archive key takes with
 *   States.ArrayGetItem(States.StringSplit($$.Execution.StartTime, 'T'), 0);
 * - `nothing`: a JSON null, which JSONPath templates make with
 *   States.StringToJson('null') (src/common/json-null.ts);
 * - `latencyMs`: date arithmetic on `$$.State.EnteredTime`, which the
 *   invoker gave up in JSONPath (more than 10 nested intrinsics);
 * - `count`: States.ArrayLength.
 *
 * The answer is recorded, not a migration: the library stays on JSONPath,
 * since the local harness's interpreter (aws-local-stepfunctions) ignores
 * JSONata.
 */
import { CreateStateMachineCommand } from '@aws-sdk/client-sfn';
import { destroyLocalStackClients, localStackClients, startSyncExecution } from './support/localstack';
import { TEST_ACCOUNT, TEST_REGION } from '../support/test-stack';

const DEFINITION = {
  QueryLanguage: 'JSONata',
  StartAt: 'Compute',
  States: {
    Compute: {
      Type: 'Pass',
      Output: {
        status: "{% $number($split($states.input.error, '.')[1]) %}",
        date: "{% $split($states.context.Execution.StartTime, 'T')[0] %}",
        nothing: '{% null %}',
        latencyMs: '{% $toMillis($states.context.State.EnteredTime) - $toMillis($states.input.startedAt) %}',
        count: '{% $count($states.input.requests) %}',
      },
      End: true,
    },
  },
};

afterAll(() => destroyLocalStackClients());

test('GIVEN a JSONata state machine WHEN LocalStack runs it THEN each expression gives what the intrinsic workaround gives, and $toMillis reads LocalStack\'s EnteredTime', async () => {
  // GIVEN
  const clients = localStackClients(TEST_ACCOUNT, TEST_REGION);
  const { stateMachineArn } = await clients.sfn.send(new CreateStateMachineCommand({
    name: 'lane-jsonata-probe',
    type: 'EXPRESS',
    definition: JSON.stringify(DEFINITION),
    roleArn: `arn:aws:iam::${TEST_ACCOUNT}:role/lane-jsonata-probe`,
  }));

  // WHEN
  const startedAt = new Date(Date.now() - 1_500).toISOString();
  const run = await startSyncExecution(clients, stateMachineArn!, { error: 'ApiGateway.404', startedAt, requests: [1, 2, 3] }, 'probe-1');

  // THEN (LocalStack evaluates JSONata with the Java library dashjoin/jsonata
  // on Java 21: without the one scripts/with-localstack.sh provides, this
  // fails with States.Runtime "Installation of java 21 failed")
  expect({ status: run.status, error: run.error, cause: run.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
  expect(run.output).toEqual({ status: 404, date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), nothing: null, count: 3, latencyMs: expect.any(Number) });
  expect(run.output.latencyMs).toBeGreaterThanOrEqual(1_500);
  expect(run.output.latencyMs).toBeLessThan(60_000);
}, 60_000);
