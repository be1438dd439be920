/**
 * Runs a bench script in a fresh node (the one running the bench, Node 22
 * under projen) through ts-node with the repo's tsconfig.dev.json, in
 * transpile-only mode, and returns the `BENCH_RESULT` JSON it prints and
 * the wall time of the whole child.
 */
import { spawn } from 'child_process';
import * as path from 'path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export async function runChild<T>(script: string, args: string[], timeoutMs = 300_000): Promise<{ result: T; wallMs: number }> {
  const tsNode = path.join(REPO_ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js');
  const started = performance.now();
  const child = spawn(process.execPath, [tsNode, '-r', 'tsconfig-paths/register', '--project', 'tsconfig.dev.json', path.join(__dirname, script), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (err += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  const wallMs = performance.now() - started;
  const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (code !== 0 || !line) {
    throw new Error(`${script} ${args.join(' ')} exited with ${code}:\n${err.slice(-2000)}`);
  }
  return { result: JSON.parse(line.slice('BENCH_RESULT '.length)) as T, wallMs };
}
