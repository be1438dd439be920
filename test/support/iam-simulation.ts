/**
 * One request through `@cloud-copilot/iam-simulate`, the IAM policy
 * evaluation the tests use, with no service control or resource control
 * policies unless given. A simulation that cannot run (a policy the
 * simulator cannot read) fails the test: that is a fault of the test's
 * setup, not a denial.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';

type SimulationInput = Parameters<typeof runSimulation>[0];

/** The overall result: `Allowed`, `ImplicitlyDenied` or `ExplicitlyDenied`. */
export async function simulate(
  input: Omit<SimulationInput, 'serviceControlPolicies' | 'resourceControlPolicies'> & Partial<Pick<SimulationInput, 'serviceControlPolicies' | 'resourceControlPolicies'>>,
): Promise<string> {
  const result = await runSimulation({ serviceControlPolicies: [], resourceControlPolicies: [], ...input }, {});
  if ('errors' in result && result.errors) {
    throw new Error(`the simulation could not run: ${JSON.stringify(result.errors)}`);
  }
  return 'overallResult' in result ? String(result.overallResult) : 'NoResult';
}
