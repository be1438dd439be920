/**
 * The Step Functions rules the harness adds to aws-local-stepfunctions
 * (support/state-machine-harness.ts), each on a small hand-written
 * definition.
 */
import { MAX_STATE_NAME_LENGTH, runDefinition, validateDefinition } from './support/state-machine-harness';

describe('H1: what CreateStateMachine rejects is rejected before a run', () => {
  const named = (name: string) => ({ StartAt: name, States: { [name]: { Type: 'Pass', End: true } } });

  test(`GIVEN a state name of ${MAX_STATE_NAME_LENGTH} characters WHEN validated THEN it is accepted`, () => {
    expect(() => validateDefinition(named('s'.repeat(MAX_STATE_NAME_LENGTH)))).not.toThrow();
  });

  test(`GIVEN a state name of ${MAX_STATE_NAME_LENGTH + 1} characters WHEN run THEN the run is refused with an error naming the state`, async () => {
    const name = `Archive: ${'x'.repeat(MAX_STATE_NAME_LENGTH + 1 - 'Archive: '.length)}`;
    await expect(runDefinition(named(name), {}, { tasks: {} })).rejects.toThrow(`state '${name}' (at the top level) is 81 characters long; Step Functions allows at most 80`);
  });

  test('GIVEN a too long name inside a Map and inside a Parallel branch WHEN validated THEN each is named with where it is', () => {
    const long = 'n'.repeat(81);
    const map = { StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, ...named(long) }, End: true } } };
    const parallel = { StartAt: 'P', States: { P: { Type: 'Parallel', Branches: [named('ok'), named(long)], End: true } } };
    expect(() => validateDefinition(map)).toThrow(`state '${long}' (in the Map state 'M')`);
    expect(() => validateDefinition(parallel)).toThrow(`state '${long}' (in branch 1 of the Parallel state 'P')`);
  });

});
