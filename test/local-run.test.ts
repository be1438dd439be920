/**
 * `npx projen local-run`: the script, run as the task runs it on a freshly
 * synthesized examples/poller, tells the story it promises and exits.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { PollerStack } from '../examples/poller/stack';

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
