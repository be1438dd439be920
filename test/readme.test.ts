import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

describe('README', () => {
  test('its test command is the one .ci/run runs', () => {
    const ci = fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8');
    const command = ci.match(/^TEST_COMMAND='(.+)'$/m)?.[1];
    expect(command).toBe('npm ci && npx projen build');
    expect(readme).toContain(`\n${command}\n`);
  });

  test('its main-job command names a task projen defines', () => {
    const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks;
    const main = readme.match(/^npm ci && npx projen (\S+)$/m)?.[1];
    expect(main).toBe('synth:example');
    expect(Object.keys(tasks)).toContain(main);
  });

  test('the local run it mentions beside them is a task projen defines', () => {
    const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks;
    expect(readme).toContain('\nnpx projen local-run\n');
    expect(tasks['local-run'].steps.map((s: any) => s.exec)).toContain('ts-node -r tsconfig-paths/register --project tsconfig.dev.json scripts/local-run.ts cdk.out/local-run');
  });

  test('the distributed local run it mentions synthesizes its own app only when LOCAL_RUN_REQUESTS is set', () => {
    const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks;
    expect(readme).toContain('\nLOCAL_RUN_REQUESTS=10000 npx projen local-run\n');
    const step = (script: string) => tasks['local-run'].steps.find((s: any) => s.exec?.endsWith(script));
    expect(step('scripts/local-run-app.ts').condition).toBe('node -e "process.exit(process.env.LOCAL_RUN_REQUESTS ? 0 : 1)"');
    expect(step('examples/poller/app.ts').condition).toBe('node -e "process.exit(process.env.LOCAL_RUN_REQUESTS ? 1 : 0)"');
  });

  test('every secret a workflow reads is in its Releasing table (GITHUB_TOKEN aside), and the table names no other', () => {
    const dir = path.join(ROOT, '.github', 'workflows');
    const used = new Set(fs.readdirSync(dir).flatMap((f) => [...fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/secrets\.([A-Z0-9_]+)/g)].map((m) => m[1])));
    used.delete('GITHUB_TOKEN');
    const section = readme.split('## Releasing')[1].split('\n## ')[0];
    const documented = new Set([...section.matchAll(/^\| ((?:`[A-Z0-9_]+`(?:, )?)+) \|/gm)].flatMap((m) => [...m[1].matchAll(/`([A-Z0-9_]+)`/g)].map((x) => x[1])));
    expect([...documented].sort()).toEqual([...used].sort());
  });

  test('each quick start block is its example file, which the consumer tests build and synthesize', () => {
    // GIVEN the blocks README marks as taken from an example file
    const blocks = [...readme.matchAll(/<!-- quickstart: (\S+) -->\n```[^\n]*\n([\s\S]*?)\n```/g)];
    expect(blocks.map((b) => path.extname(b[1])).sort()).toEqual(['.java', '.py', '.ts']);

    for (const [, file, block] of blocks) {
      // THEN the block's lines are a run of the file's lines, indentation aside
      const trimmed = (text: string) => text.split('\n').map((l) => l.trim()).join('\n');
      expect(trimmed(fs.readFileSync(path.join(ROOT, file), 'utf8'))).toContain(trimmed(block));
      expect(block.split('\n').length).toBeGreaterThan(15);
    }
  });

  test('its cost and scale figures are lines of docs/benchmarks.md, which npx projen bench writes', () => {
    const bench = new Set(fs.readFileSync(path.join(ROOT, 'docs', 'benchmarks.md'), 'utf8').split('\n'));
    const sectionOf = (name: string) => readme.split(`\n## ${name}\n`)[1].split('\n## ')[0];
    const figures = (name: string) => sectionOf(name).split('\n').filter((l) => l.startsWith('| ') || l.startsWith('> '));

    // every table row and quoted sentence of both sections is a line of the page
    for (const name of ['Cost', 'Scale']) {
      expect(figures(name).filter((l) => !bench.has(l.replace(/^> /, '')))).toEqual([]);
    }
    // Cost: the monthly table (header, separator and 7 layouts)
    const cost = sectionOf('Cost');
    expect(figures('Cost').length).toBeGreaterThanOrEqual(9);
    expect(cost).toMatch(/\| Library default: EXPRESS, no archive \| \d/);
    expect(cost).toMatch(/\| NAT alternative: .* x 2 AZ/);
    // Scale: the switch points, the synth sentences at 1,000 and 100,000 requests, the goals (all met) and the cost per run of both layouts
    const scale = sectionOf('Scale');
    expect(scale).toMatch(/^\| Library defaults \(EXPRESS[^|]*\| \d+ \|/m);
    expect(scale).toMatch(/^\| Defaults \+ ResponseArchive with change detection \| \d+ \|/m);
    expect(scale).toMatch(/^> At 1,000 requests over 10 targets the library/m);
    expect(scale).toMatch(/^> At 100,000 requests over 10 targets the library/m);
    expect(scale.match(/^\| [^|]+ \| [^|]+ \| pass \|$/gm)).toHaveLength(3);
    for (const requests of ['100', '1,000', '10,000']) {
      expect(scale).toMatch(new RegExp(`^\\| ${requests} \\| Distributed [^|]*\\| \\d`, 'm'));
    }
    expect(scale).toMatch(/^\| 1,000 \| Inline STANDARD[^|]*\| \d/m);
  });
});
