/**
 * Every CloudFormation template the repository synthesizes, by a name that
 * says where it comes from: the example apps, the quickstart, the kitchen
 * sink, the distributed-layout invoker, and the committed snapshots of the integration tests (which the
 * build verifies equal to what their code synthesizes). Suites that check
 * a property of "every template we ship or test" take their list here.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { distributedInvokerStack } from './distributed-invoker';
import { kitchenSinkStack } from './kitchen-sink';
import { availabilityZonesContext, TEST_ACCOUNT, TEST_REGION } from './test-stack';
import { FanOutStack } from '../../examples/fan-out/stack';
import { PollerStack } from '../../examples/poller/stack';
import { PrivateVpcStack } from '../../examples/private-vpc/stack';

const ROOT = path.resolve(__dirname, '..', '..');
const ENV = { account: TEST_ACCOUNT, region: TEST_REGION };

/** One synthesized template and where it comes from. */
export interface NamedTemplate {
  /** e.g. `examples/poller PollerStack` or `test/integ/integ.poller.ts.snapshot/InsideOutIntegPoller.template.json` */
  readonly name: string;
  /** the stack's name */
  readonly stackName: string;
  /** the template as JSON */
  readonly template: any;
  /** the account and Region the stack was synthesized for, when it names them */
  readonly env?: { readonly account: string; readonly region: string };
}

function fromStack(name: string, stack: Stack): NamedTemplate {
  return { name, stackName: stack.stackName, template: Template.fromStack(stack).toJSON(), env: { account: stack.account, region: stack.region } };
}

/**
 * The quickstart app builds its own App and calls synth() when loaded; it is
 * loaded with CDK_OUTDIR pointing at a scratch directory, and the templates
 * are read from the cloud assembly written there.
 */
export function quickstartTemplates(): NamedTemplate[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'quickstart-'));
  const previous = process.env.CDK_OUTDIR;
  try {
    process.env.CDK_OUTDIR = outdir;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(path.join(ROOT, 'examples', 'quickstart', 'typescript', 'app.ts'));
    });
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    return Object.entries<any>(manifest.artifacts ?? {})
      .filter(([, a]) => a.type === 'aws:cloudformation:stack')
      .map(([stackName, a]) => {
        const [, account, region] = String(a.environment).match(/^aws:\/\/(\d{12})\/([a-z0-9-]+)$/) ?? [];
        return {
          name: `examples/quickstart/typescript ${stackName}`,
          stackName,
          template: JSON.parse(fs.readFileSync(path.join(outdir, a.properties.templateFile), 'utf8')),
          ...(account ? { env: { account, region } } : {}),
        };
      });
  } finally {
    if (previous === undefined) {
      delete process.env.CDK_OUTDIR;
    } else {
      process.env.CDK_OUTDIR = previous;
    }
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** The committed snapshots of the integration tests, each stack's template. */
export function integSnapshotTemplates(): NamedTemplate[] {
  const integ = path.join(ROOT, 'test', 'integ');
  return fs.readdirSync(integ).filter((d) => d.endsWith('.snapshot')).sort().flatMap((dir) =>
    fs.readdirSync(path.join(integ, dir)).filter((f) => f.endsWith('.template.json')).sort().map((file) => ({
      name: `test/integ/${dir}/${file}`,
      stackName: file.replace(/\.template\.json$/, ''),
      template: JSON.parse(fs.readFileSync(path.join(integ, dir, file), 'utf8')),
    })),
  );
}

/** Every template: the examples, the quickstart, the kitchen sink, the distributed invoker and the integration tests' snapshots. */
export function allTemplates(): NamedTemplate[] {
  return [
    fromStack('examples/poller PollerStack', new PollerStack(new App(), 'InsideOutPoller', { env: ENV })),
    fromStack('examples/fan-out FanOutStack', new FanOutStack(new App(), 'InsideOutFanOut', { env: ENV })),
    // with the zones `cdk synth` would have looked up, as a deployed template has them
    fromStack('examples/private-vpc PrivateVpcStack', new PrivateVpcStack(new App({ context: availabilityZonesContext(ENV.account, ENV.region) }), 'InsideOutPrivateVpc', { env: ENV })),
    ...quickstartTemplates(),
    fromStack('test/support/kitchen-sink kitchenSinkStack()', kitchenSinkStack()),
    fromStack('test/support/distributed-invoker distributedInvokerStack()', distributedInvokerStack()),
    ...integSnapshotTemplates(),
  ];
}
