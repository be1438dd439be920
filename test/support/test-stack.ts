import { App, Stack } from 'aws-cdk-lib';

export const TEST_ACCOUNT = '123456789012';
export const TEST_REGION = 'us-east-1';

/**
 * The context entry in which `cdk synth` keeps the availability zones it
 * looked up for an account and Region (cdk.context.json); a stack with an
 * explicit env reads its zones from it, and falls back to the placeholders
 * `dummy1a`, `dummy1b`, ... without it, which no Region has.
 */
export function availabilityZonesContext(account: string, region: string, zones = ['a', 'b', 'c']): Record<string, string[]> {
  return { [`availability-zones:account=${account}:region=${region}`]: zones.map((z) => `${region}${z}`) };
}

/**
 * A deterministic stack for tests: fixed account, region and availability
 * zones, and no version-reporting metadata.
 */
export function testStack(id = 'TestStack'): Stack {
  const app = new App({
    context: {
      'aws:cdk:version-reporting': false,
      ...availabilityZonesContext(TEST_ACCOUNT, TEST_REGION),
    },
  });
  return new Stack(app, id, { env: { account: TEST_ACCOUNT, region: TEST_REGION } });
}

/** Runs the construct validations and returns their messages (synth would throw them). */
export function validationErrors(stack: Stack): string[] {
  return stack.node.findAll().flatMap((c) => c.node.validate());
}
