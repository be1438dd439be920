import { App, Stack } from 'aws-cdk-lib';

export const TEST_ACCOUNT = '123456789012';
export const TEST_REGION = 'us-east-1';

/**
 * A deterministic stack for tests: fixed account, region and availability
 * zones, and no version-reporting metadata.
 */
export function testStack(id = 'TestStack'): Stack {
  const app = new App({
    context: {
      'aws:cdk:version-reporting': false,
      [`availability-zones:account=${TEST_ACCOUNT}:region=${TEST_REGION}`]: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    },
  });
  return new Stack(app, id, { env: { account: TEST_ACCOUNT, region: TEST_REGION } });
}

/** Runs the construct validations and returns their messages (synth would throw them). */
export function validationErrors(stack: Stack): string[] {
  return stack.node.findAll().flatMap((c) => c.node.validate());
}
