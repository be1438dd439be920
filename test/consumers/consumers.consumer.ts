/**
 * Consumer proof: the quickstart app, written in TypeScript, Python and
 * Java, is synthesized against the freshly packaged library (the wheel in
 * dist/python, the jar in dist/java) and must produce the same templates.
 *
 * Runs after `package` (see the `test:consumers` task). It needs python3
 * with venv, Maven and a JDK, and reaches PyPI and Maven Central.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { normalizeAssemblyTemplates, templateDifferences } from '../support/assembly';

const ROOT = path.resolve(__dirname, '..', '..');
const WORK = path.join(ROOT, '.tmp', 'consumers');
const APP = path.join(ROOT, 'examples', 'quickstart');
// Pinned to the dev dependency, so all three languages use the same aws-cdk-lib.
const CDK_VERSION: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'aws-cdk-lib', 'package.json'), 'utf8')).version;
const TWINE_VERSION = '6.1.0';
// No CDKMetadata resource: its content depends on the language runtime.
const CONTEXT = JSON.stringify({ 'aws:cdk:version-reporting': false });

function run(cmd: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): string {
  try {
    return execFileSync(cmd, args, {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (e: any) {
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${e.status}):\n${e.stdout ?? ''}\n${e.stderr ?? ''}`.slice(-6000));
  }
}

function onlyFile(dir: string, pattern: RegExp): string {
  const files = fs.readdirSync(dir).filter((f) => pattern.test(f));
  if (files.length !== 1) {
    throw new Error(`expected exactly one file matching ${pattern} in ${dir}, found: ${files.join(', ') || 'none'} (run the package task first)`);
  }
  return path.join(dir, files[0]);
}

function synthDir(language: string): string {
  const dir = path.join(WORK, `cdk.out.${language}`);
  fs.rmSync(dir, { recursive: true, force: true });
  return dir;
}

let typescriptTemplates: Record<string, unknown>;

beforeAll(() => {
  fs.mkdirSync(WORK, { recursive: true });
  // GIVEN the TypeScript app, the reference every other language must match
  const outdir = synthDir('typescript');
  run(path.join(ROOT, 'node_modules', '.bin', 'ts-node'), ['-r', 'tsconfig-paths/register', '--project', 'tsconfig.dev.json', path.join(APP, 'typescript', 'app.ts')], {
    env: { CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: CONTEXT },
  });
  typescriptTemplates = normalizeAssemblyTemplates(outdir);
}, 120_000);

describe('Python package', () => {
  const venv = path.join(WORK, 'venv');
  const python = path.join(venv, 'bin', 'python');

  beforeAll(() => {
    fs.rmSync(venv, { recursive: true, force: true });
    run('python3', ['-m', 'venv', venv]);
    run(python, ['-m', 'pip', 'install', '--quiet', `twine==${TWINE_VERSION}`]);
  }, 300_000);

  test('the wheel and the sdist pass twine check', () => {
    // GIVEN the freshly built distributions
    const wheel = onlyFile(path.join(ROOT, 'dist', 'python'), /\.whl$/);
    const sdist = onlyFile(path.join(ROOT, 'dist', 'python'), /\.tar\.gz$/);
    // WHEN twine checks them THEN it reports PASSED for both
    const out = run(python, ['-m', 'twine', 'check', '--strict', wheel, sdist]);
    expect(out.match(/PASSED/g)?.length).toBe(2);
  }, 120_000);

  test('a Python app built on the wheel synthesizes the same templates as TypeScript', () => {
    // GIVEN the wheel installed into a new virtualenv with the same aws-cdk-lib
    const wheel = onlyFile(path.join(ROOT, 'dist', 'python'), /\.whl$/);
    run(python, ['-m', 'pip', 'install', '--quiet', wheel, `aws-cdk-lib==${CDK_VERSION}`]);
    // WHEN the Python app synthesizes
    const outdir = synthDir('python');
    run(python, [path.join(APP, 'python', 'app.py')], { env: { CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: CONTEXT } });
    // THEN its templates equal the TypeScript app's
    const templates = normalizeAssemblyTemplates(outdir);
    expect(templateDifferences(typescriptTemplates, templates)).toEqual([]);
    expect(Object.keys(templates)).toEqual(['InsideOutQuickstart']);
  }, 600_000);
});

describe('Java package', () => {
  test('a Java app built on the jar synthesizes the same templates as TypeScript', () => {
    // GIVEN the jar installed into the local Maven repository
    const version: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
    const dir = path.join(ROOT, 'dist', 'java', 'io', 'github', 'insideoutgateway', 'cdk-inside-out-gateway', version);
    const jar = path.join(dir, `cdk-inside-out-gateway-${version}.jar`);
    const pom = path.join(dir, `cdk-inside-out-gateway-${version}.pom`);
    expect(fs.existsSync(jar)).toBe(true);
    run('mvn', ['-B', '-q', 'install:install-file', `-Dfile=${jar}`, `-DpomFile=${pom}`]);
    // WHEN the Java app compiles and synthesizes
    const outdir = synthDir('java');
    run('mvn', ['-B', '-q', '-f', path.join(APP, 'java', 'pom.xml'), `-Dlibrary.version=${version}`, `-Dcdk.version=${CDK_VERSION}`, 'compile', 'exec:java'], {
      env: { CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: CONTEXT },
    });
    // THEN its templates equal the TypeScript app's
    const templates = normalizeAssemblyTemplates(outdir);
    expect(templateDifferences(typescriptTemplates, templates)).toEqual([]);
    expect(Object.keys(templates)).toEqual(['InsideOutQuickstart']);
  }, 900_000);
});
