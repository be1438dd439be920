/**
 * Every example and the kitchen sink, deployed through LocalStack's
 * CloudFormation: each stack must reach CREATE_COMPLETE with every resource
 * CREATE_COMPLETE. Only the resource types of LEFT_OUT_RESOURCE_TYPES are
 * left out (support/lane-template.ts says how what references them is
 * handled), and docs/end-to-end.md lists the same types.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allTemplates, NamedTemplate } from '../support/all-templates';
import { TEST_ACCOUNT, TEST_REGION } from '../support/test-stack';
import { exampleOrigins, LEFT_OUT_RESOURCE_TYPES, NO_PROVIDER_TYPES, prepareForLocalStack } from './support/lane-template';
import { createSecret, deployOnLocalStack, destroyLocalStackClients, localStackClients, localStackResourceProviders } from './support/localstack';

/** The templates the lane deploys: the examples, the quickstart and the kitchen sink. */
const DEPLOYED = /^(examples\/|test\/support\/kitchen-sink)/;

/** Where a template was synthesized: it is deployed in that account and Region. */
function envOf(t: NamedTemplate): { account: string; region: string } {
  if (!t.env) throw new Error(`${t.name} names no account and Region`);
  return t.env;
}

const templates = allTemplates().filter((t) => DEPLOYED.test(t.name));

afterAll(() => destroyLocalStackClients());

describe('every example and the kitchen sink on LocalStack', () => {
  test('GIVEN the lane WHEN it lists what it deploys THEN that is the four examples and the kitchen sink', () => {
    expect(templates.map((t) => t.name)).toEqual([
      'examples/poller PollerStack',
      'examples/fan-out FanOutStack',
      'examples/private-vpc PrivateVpcStack',
      'examples/quickstart/typescript InsideOutQuickstart',
      'test/support/kitchen-sink kitchenSinkStack()',
    ]);
  });

  test('GIVEN docs/end-to-end.md WHEN it lists the resource types the lane leaves out THEN they are the lane\'s, each with its reason', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'end-to-end.md'), 'utf8');
    const section = doc.split('### Left out on LocalStack')[1]?.split(/\n##+ /)[0] ?? '';
    const listed = [...section.matchAll(/^- `(AWS::[A-Za-z0-9:]+)`: /gm)].map((m) => m[1]);
    expect(listed).toEqual(Object.keys(LEFT_OUT_RESOURCE_TYPES));
  });

  test('GIVEN LocalStack\'s resource providers WHEN the lane leaves a type out for want of one THEN LocalStack really has none, and every other type of the templates has one', () => {
    const providers = localStackResourceProviders();
    expect(NO_PROVIDER_TYPES.filter((type) => providers.has(type))).toEqual([]);
    const used = new Set(templates.flatMap((t) => Object.values<any>(t.template.Resources).map((r) => r.Type as string)));
    expect([...used].filter((type) => !providers.has(type) && !(type in LEFT_OUT_RESOURCE_TYPES)).sort()).toEqual([]);
    // and every left-out type is one the templates have
    expect(Object.keys(LEFT_OUT_RESOURCE_TYPES).filter((type) => !used.has(type))).toEqual([]);
  });

  test('GIVEN each template, upstreams on 127.0.0.1 WHEN CloudFormation on LocalStack creates it THEN every resource is CREATE_COMPLETE', async () => {
    // the kitchen sink's route resolves the partner's key, which the user
    // keeps in Secrets Manager before deploying
    await createSecret(localStackClients(TEST_ACCOUNT, TEST_REGION), 'partner/api-key', 'lane-partner-key');
    const results = await Promise.all(templates.map(async (t, i) => {
      const env = envOf(t);
      const stackName = `lane-${t.stackName}`;
      const upstreams = Object.fromEntries(exampleOrigins(t.template).map((o) => [o, 'http://127.0.0.1:9']));
      const prepared = prepareForLocalStack(t.template, { stackName, ...env, upstreams });
      // a little apart, so that the first stacks are not all starting at once
      await new Promise((r) => setTimeout(r, i * 200));
      try {
        const deployed = await deployOnLocalStack({ stackName, template: prepared.template, ...env });
        return {
          name: t.name,
          created: deployed.resources.length,
          expected: Object.keys(prepared.template.Resources).length,
          leftOut: [...new Set(prepared.leftOut.map((r) => r.type))],
          seconds: deployed.seconds,
        };
      } catch (e: any) {
        return { name: t.name, error: e.message as string };
      }
    }));
    // one line per stack in the lane's output
    for (const r of results) {
      console.log(r.error ? `${r.name}: FAILED\n${r.error}` : `${r.name}: ${r.created} resources CREATE_COMPLETE in ${r.seconds!.toFixed(1)} s; left out: ${r.leftOut!.join(', ') || 'none'}`);
    }
    expect(results.filter((r) => r.error).map((r) => r.error)).toEqual([]);
    for (const r of results) {
      expect(r.created).toBe(r.expected);
    }
  }, 300_000);
});
