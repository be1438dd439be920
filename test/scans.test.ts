/**
 * The template scanners a security review runs, over every example app, the
 * kitchen sink and the distributed-layout invoker:
 * - cfn-lint and checkov from PyPI, pinned with every dependency in
 *   test/scans/ and installed into .venv-scan by `npx projen scan:tools`
 *   (the build runs it before the tests);
 * - cfn-guard 3.1.1 with the AWS Control Tower proactive rules that
 *   @cdklabs/cdk-validator-cfnguard bundles.
 * A finding fails the test unless the resource's Metadata acknowledges it
 * (checkov `skip`, cfn-lint `ignore_checks`, and `guard.SuppressedRules`,
 * which this suite honours since the Control Tower rules have none), and
 * every acknowledgement must be a README posture row with the same reason.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { distributedInvokerStack } from './support/distributed-invoker';
import { kitchenSinkStack } from './support/kitchen-sink';
import { FanOutStack } from '../examples/fan-out/stack';
import { PollerStack } from '../examples/poller/stack';
import { EXAMPLE_ACKNOWLEDGEMENTS, PrivateVpcStack } from '../examples/private-vpc/stack';
import { TEMPLATE_ACKNOWLEDGEMENTS } from '../src/common/template-acknowledgements';

const ROOT = path.join(__dirname, '..');
const VENV = path.join(ROOT, '.venv-scan', 'bin');
const ENV = { account: '123456789012', region: 'us-east-1' };

const stacks: Record<string, () => Stack> = {
  KitchenSink: kitchenSinkStack,
  DistributedInvoker: distributedInvokerStack,
  InsideOutPoller: () => new PollerStack(new App(), 'InsideOutPoller', { env: ENV }),
  InsideOutFanOut: () => new FanOutStack(new App(), 'InsideOutFanOut', { env: ENV }),
  InsideOutPrivateVpc: () => new PrivateVpcStack(new App(), 'InsideOutPrivateVpc', { env: ENV }),
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scans-'));
const templates: Record<string, any> = {};
for (const [name, make] of Object.entries(stacks)) {
  templates[name] = Template.fromStack(make()).toJSON();
  fs.writeFileSync(path.join(dir, `${name}.template.json`), JSON.stringify(templates[name], null, 1));
}
const files = Object.keys(stacks).map((name) => path.join(dir, `${name}.template.json`));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const postureRows = readme.split('\n')
  .map((l) => l.match(/^\| (checkov|cfn-lint|cfn-guard) \| `([^`]+)` \| (.+) \| (.+) \|$/))
  .filter((m): m is RegExpMatchArray => m !== null)
  .map(([, tool, id, resource, reason]) => ({ tool, id, resource, reason }));

/** Every acknowledgement in the templates' Metadata: tool, id, resource and (for checkov) its comment. */
const acknowledged = Object.entries(templates).flatMap(([stack, t]) => Object.entries<any>(t.Resources).flatMap(([id, r]) => [
  ...(r.Metadata?.checkov?.skip ?? []).map((s: any) => ({ tool: 'checkov', id: s.id, stack, resource: id, comment: s.comment })),
  ...(r.Metadata?.['cfn-lint']?.config?.ignore_checks ?? []).map((c: string) => ({ tool: 'cfn-lint', id: c, stack, resource: id })),
  ...(r.Metadata?.guard?.SuppressedRules ?? []).map((c: string) => ({ tool: 'cfn-guard', id: c, stack, resource: id })),
]));

/** Counts per tool, printed for the record. */
const tally: Record<string, unknown> = {};
afterAll(() => console.log(`scans: ${JSON.stringify(tally)}`));

describe('template scanners over the examples and the kitchen sink', () => {
  test('cfn-lint finds nothing that is not acknowledged', () => {
    const rules = execFileSync(path.join(VENV, 'cfn-lint'), ['--list-rules'], { encoding: 'utf8' }).split('\n').filter((l) => /^[EWI]\d{4}:/.test(l));
    const run = spawnSync(path.join(VENV, 'cfn-lint'), [...files, '--format', 'json'], { encoding: 'utf8' });
    const matches = JSON.parse(run.stdout || '[]').map((m: any) => `${path.basename(m.Filename)} ${m.Rule.Id} ${m.Location?.Path?.join('/')}: ${m.Message}`);
    tally['cfn-lint'] = {
      version: execFileSync(path.join(VENV, 'cfn-lint'), ['--version'], { encoding: 'utf8' }).trim(),
      rules: rules.length,
      findings: matches.length,
      acknowledged: acknowledged.filter((a) => a.tool === 'cfn-lint').length,
    };
    expect(rules.length).toBeGreaterThan(100);
    expect(matches).toEqual([]);
  });

  test('checkov (CloudFormation framework) fails no check that is not acknowledged', () => {
    const run = spawnSync(path.join(VENV, 'checkov'), ['-d', dir, '--framework', 'cloudformation', '-o', 'json', '--skip-download', '--compact'], {
      encoding: 'utf8', env: { ...process.env, BC_SKIP_MAPPING: 'TRUE', CHECKOV_RUN_SCA_PACKAGE_SCAN_V2: 'false' },
    });
    const report = JSON.parse(run.stdout);
    const failed = report.results.failed_checks.map((c: any) => `${c.file_path} ${c.check_id} ${c.resource}`);
    const all = [...report.results.passed_checks, ...report.results.failed_checks, ...report.results.skipped_checks];
    tally.checkov = { ...report.summary, checks: new Set(all.map((c: any) => c.check_id)).size };
    expect(report.summary.passed).toBeGreaterThan(200);
    expect(failed).toEqual([]);
    // and every skip it honoured is one of ours
    expect(report.summary.skipped).toBe(acknowledged.filter((a) => a.tool === 'checkov').length);
  });

  test('cfn-guard (AWS Control Tower rules) reports nothing that is not acknowledged', () => {
    const rulesDir = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules');
    const ruleFiles = execFileSync('find', [rulesDir, '-name', '*.guard'], { encoding: 'utf8' }).trim().split('\n');
    const report = new CfnGuardValidator({}).validate({ templatePaths: files });
    const suppressed = (rule: string, templatePath: string, logicalId?: string) => acknowledged.some((a) =>
      a.tool === 'cfn-guard' && a.id === rule && `${a.stack}.template.json` === path.basename(templatePath) && a.resource === logicalId);
    const open = report.violations.flatMap((v) => v.violatingResources
      .filter((r) => !suppressed(v.ruleName, r.templatePath, r.resourceLogicalId))
      .map((r) => `${path.basename(r.templatePath)} ${v.ruleName} ${r.resourceLogicalId}`));
    tally['cfn-guard'] = { rules: ruleFiles.length, violatedRules: new Set(report.violations.map((v) => v.ruleName)).size, open: open.length, acknowledged: acknowledged.filter((a) => a.tool === 'cfn-guard').length };
    expect(ruleFiles.length).toBeGreaterThan(200);
    expect(open).toEqual([]);
  });

  test('every acknowledgement in the templates is a README posture row of its tool, with the same reason', () => {
    expect(acknowledged.length).toBeGreaterThan(10);
    const reasons: Record<string, string[]> = {};
    for (const e of [...Object.values(TEMPLATE_ACKNOWLEDGEMENTS)]) {
      (reasons[`${e.tool} ${e.id}`] ??= []).push(e.reason);
    }
    for (const a of acknowledged) {
      const rows = postureRows.filter((r) => r.tool === a.tool && r.id === a.id);
      expect({ ...a, rows: rows.length > 0 }).toEqual({ ...a, rows: true });
      if (a.comment) {
        expect(rows.map((r) => r.reason)).toContain(a.comment);
      }
    }
    // the library's registry and the table agree row for row
    for (const e of Object.values(TEMPLATE_ACKNOWLEDGEMENTS)) {
      expect(postureRows.some((r) => r.tool === e.tool && r.id === e.id && r.reason === e.reason)).toBe(true);
    }
    // and the table has no row for these tools that nothing produces
    const examples = Object.values(EXAMPLE_ACKNOWLEDGEMENTS) as string[];
    for (const row of postureRows) {
      const fromLibrary = (reasons[`${row.tool} ${row.id}`] ?? []).includes(row.reason);
      const fromExample = row.resource.includes('`examples/') && examples.includes(row.reason);
      expect({ row: `${row.tool} ${row.id} ${row.resource}`, known: fromLibrary || fromExample }).toEqual({ row: `${row.tool} ${row.id} ${row.resource}`, known: true });
      expect(acknowledged.some((a) => a.tool === row.tool && a.id === row.id)).toBe(true);
    }
  });
});
