/**
 * state-name-length: state names and state machine names are at most 80
 * characters.
 *
 * Amazon States Language (https://states-language.net/spec.html),
 * "States": "The state name MUST be unique within the scope of the entire
 * state machine, and its length MUST BE less than or equal to 80 Unicode
 * characters." Step Functions service quotas, "General quotas": "Names of
 * state machines, executions, and activity tasks must not exceed 80
 * characters in length."
 *
 * Unicode characters are counted as code points. A state machine name is
 * checked only when the template gives it literally.
 */
import { Finding, Rule } from './rule';
import { stateLocation, stateMachinesOf, statesOf } from './state-machines';

export const MAX_NAME_LENGTH = 80;

export const stateNameLength: Rule = {
  id: 'state-name-length',
  description: `State names and literal state machine names are at most ${MAX_NAME_LENGTH} characters`,
  url: 'https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html#service-limits-general',
  check(template, stack) {
    const findings: Finding[] = [];
    for (const machine of stateMachinesOf(template)) {
      if (machine.nameIsLiteral && [...machine.name!].length > MAX_NAME_LENGTH) {
        findings.push({
          rule: this.id,
          stack,
          resource: machine.logicalId,
          location: 'StateMachineName',
          message: `state machine name ${JSON.stringify(machine.name)} has ${[...machine.name!].length} characters (at most ${MAX_NAME_LENGTH})`,
        });
      }
      for (const visited of statesOf(machine.definition)) {
        const length = [...visited.name].length;
        if (length > MAX_NAME_LENGTH) {
          findings.push({
            rule: this.id,
            stack,
            resource: machine.logicalId,
            location: stateLocation(visited),
            message: `state name has ${length} characters (at most ${MAX_NAME_LENGTH})`,
          });
        }
      }
    }
    return findings;
  },
};
