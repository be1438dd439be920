/**
 * `npx projen local-run`: the script, run as the task runs it on a freshly
 * synthesized examples/poller, tells the story it promises and exits; with
 * LOCAL_RUN_REQUESTS, on the distributed app it synthesizes.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { PollerStack } from '../examples/poller/stack';
import { parseRequestCount } from '../scripts/local-run-app';

const ROOT = path.join(__dirname, '..');

test('GIVEN the synthesized poller WHEN local-run plays four ticks THEN it prints every request, the retry, the change and the failure, and a summary that adds up', () => {
  // GIVEN
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-run-'));
  const app = new App({ outdir });
  new PollerStack(app, 'InsideOutPoller', { env: { account: '111111111111', region: 'eu-west-1' } });
  app.synth();

  // WHEN
  const run = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin'), '-r', 'tsconfig-paths/register', '--project', 'tsconfig.dev.json', 'scripts/local-run.ts', outdir], {
    cwd: ROOT,
    env: { ...process.env, LOCAL_RUN_TICKS: '4' },
    encoding: 'utf8',
    timeout: 150_000,
  });
  fs.rmSync(outdir, { recursive: true, force: true });

  // THEN
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const out = run.stdout;
  expect(out.match(/^tick \d /gm)).toHaveLength(4);
  // tick 2: the status page was busy once, so four API calls for three requests
  expect(out).toMatch(/^tick 2 .* SUCCEEDED in \d+ ms, 4 API calls$/m);
  // tick 3: widget-2's price changed, and only that is announced
  const tick3 = out.split(/^tick /m)[3];
  expect(tick3).toMatch(/prices-2 +GET \/prices\/widget-2 +200 +\d+ ms +SUCCEEDED +yes +responses\/target=prices\//);
  expect(tick3).toMatch(/prices-1 .* SUCCEEDED +no /);
  // tick 4: widget-1 is gone; its route's error-rate alarm fires
  const tick4 = out.split(/^tick /m)[4];
  expect(tick4).toMatch(/prices-1 +GET \/prices\/widget-1 +404 +\d+ ms +FAILED +- +-/);
  expect(tick4).toMatch(/alarms in ALARM: PollerErrorRateAlarmprices/);
  expect(out).toMatch(/^Summary: 4 ticks, 12 requests: 11 succeeded, 1 not; 11 responses archived \(11 objects in the bucket\), 4 changes announced; 13 API calls in the access log\.$/m);
}, 180_000);

describe('LOCAL_RUN_REQUESTS: one run of N requests in the distributed layout', () => {
  const tsNode = (script: string, args: string[], env: Record<string, string>) => spawnSync(process.execPath,
    [require.resolve('ts-node/dist/bin'), '-r', 'tsconfig-paths/register', '--project', 'tsconfig.dev.json', script, ...args], {
      cwd: ROOT,
      env: { ...process.env, LOCAL_RUN_TICKS: '', ...env },
      encoding: 'utf8',
      timeout: 150_000,
    });

  test('GIVEN LOCAL_RUN_REQUESTS=200 WHEN the task\'s steps run THEN it reports progress, where the results are, and counts that add up to the feed\'s story', () => {
    // GIVEN the app the task synthesizes
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-run-distributed-'));
    let run: ReturnType<typeof tsNode>;
    try {
      const synth = tsNode('scripts/local-run-app.ts', [], { LOCAL_RUN_REQUESTS: '200', CDK_OUTDIR: outdir });
      expect(synth.stderr).toBe('');
      expect(synth.stdout).toMatch(/^Synthesized DistributedPoller into .*: 200 requests, layout DISTRIBUTED, batches of up to 80 requests, 2 child execution\(s\) at a time$/m);

      // WHEN
      run = tsNode('scripts/local-run.ts', [outdir], { LOCAL_RUN_REQUESTS: '200' });
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }

    // THEN (stdout is not a TTY here: progress comes as lines, the last one complete)
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const out = run.stdout;
    expect(out).toMatch(/^A ScheduledInvoker in the distributed layout on 127\.0\.0\.1: 200 requests in batches of up to 80, 2 child execution\(s\) at a time/m);
    expect(out).toMatch(/^\[#{30}\] 3\/3 child executions, 200\/200 requests, 0 running, [\d.]+ s$/m);
    expect(out).not.toContain('\r');
    expect(out).toMatch(/^Execution local-run-tick-1: SUCCEEDED in [\d,]+ ms$/m);
    // item n: 404 when n % 100 = 42 (2 of 200), 429 then 200 when n % 50 = 7 (4), too large when n % 1000 = 999 (none)
    expect(out).toMatch(/^Requests by outcome \(summed from the results\): SUCCEEDED 198, FAILED 2, SINK_FAILED 0, RESPONSE_TOO_LARGE 0; 200 records$/m);
    expect(out).toMatch(/^Map Run items \(describeMapRun; .*\): Succeeded 200, Failed 0, TimedOut 0, Aborted 0, Pending 0, Total 200$/m);
    expect(out).toMatch(/^Map Run child executions: Succeeded 3, Failed 0, TimedOut 0, Aborted 0, Pending 0, Total 3$/m);
    expect(out).toMatch(/^Feed: 204 calls for 200 requests; API access log: 204 lines$/m);

    // THEN the result files were copied where it says, and hold every request once
    const [, manifestKey] = out.match(/^Results: s3:\/\/[^/]+\/(\S+) in the local S3/m)!;
    const [, folder] = out.match(/^ {2}copied to (\S+)\/ \(manifest\.json, SUCCEEDED_0\.json\)$/m)!;
    const local = path.join(ROOT, folder);
    try {
      expect(path.basename(local)).toBe(manifestKey.split('/').slice(-2)[0]);
      const records = JSON.parse(fs.readFileSync(path.join(local, 'SUCCEEDED_0.json'), 'utf8'));
      const ids = records.flatMap((r: any) => JSON.parse(r.Output).requests.map((q: any) => q.id));
      expect(ids.sort()).toEqual(Array.from({ length: 200 }, (_, i) => `item-${i}`).sort());
      expect(JSON.parse(fs.readFileSync(path.join(local, 'manifest.json'), 'utf8')).ResultFiles.SUCCEEDED).toHaveLength(1);
    } finally {
      fs.rmSync(local, { recursive: true, force: true });
    }
  }, 300_000);

  test.each(['abc', '0', '-3', '1.5', '1e3', ' 12', '100001'])('GIVEN LOCAL_RUN_REQUESTS=%p WHEN parsed THEN it is refused, saying what is accepted', (value) => {
    expect(parseRequestCount(value)).toBe(`LOCAL_RUN_REQUESTS must be a whole number from 1 to 100,000 (digits only), got '${value}'`);
  });

  test.each([['1', 1], ['10000', 10_000], ['100000', 100_000]])('GIVEN LOCAL_RUN_REQUESTS=%p WHEN parsed THEN it is %p', (value, expected) => {
    expect(parseRequestCount(value)).toBe(expected);
  });

  test('GIVEN a bad LOCAL_RUN_REQUESTS WHEN the app step runs THEN it exits with 2 and the message, and synthesizes nothing', () => {
    const outdir = path.join(os.tmpdir(), `local-run-bad-${process.pid}`);
    const synth = tsNode('scripts/local-run-app.ts', [], { LOCAL_RUN_REQUESTS: 'ten', CDK_OUTDIR: outdir });
    expect(synth.status).toBe(2);
    expect(synth.stderr.trim()).toBe('LOCAL_RUN_REQUESTS must be a whole number from 1 to 100,000 (digits only), got \'ten\'');
    expect(fs.existsSync(outdir)).toBe(false);
  }, 150_000);
});
