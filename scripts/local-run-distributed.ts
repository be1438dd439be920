// The distributed run of `LOCAL_RUN_REQUESTS=N npx projen local-run`
// (scripts/local-run.ts calls it when the assembly's state machine has a
// Distributed Map): one scheduled tick with a progress line, then where the
// results are and what they add up to.
//
// The stub feed tells a small story, so that the counts mean something:
// item n answers 404 when n % 100 = 42 (FAILED, not retried), 429 once and
// then 200 when n % 50 = 7 (SUCCEEDED on the retry), a body over the 256 KiB
// payload quota when n % 1000 = 999 (RESPONSE_TOO_LARGE), and 200 with a
// price otherwise. The app has no sink, so no request is SINK_FAILED.
import * as fs from 'fs';
import * as path from 'path';
import { LocalAwsPeers } from '../test/support/aws-peers';
import { LocalDeployment } from '../test/support/local-deployment';
import { MapRunRecord } from '../test/support/map-runs';
import { readRunResults, REQUEST_OUTCOMES } from '../test/support/run-results';
import { RecordedRequest, StubAnswer, UpstreamStub } from '../test/support/upstream-stub';

/** Where the result files of a run are copied, under the working directory. */
export const LOCAL_RESULTS_DIR = path.join('.tmp', 'local-run');

const n = (v: number) => v.toLocaleString('en-US');

/** The feed's answer to `/v1/items/<i>` (see the top of this file). */
function feedStory(): (r: RecordedRequest) => StubAnswer {
  const throttled = new Set<number>();
  const json = (body: unknown, status = 200): StubAnswer => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (r) => {
    const i = Number(r.path.match(/\/items\/(\d+)$/)?.[1]);
    if (i % 100 === 42) return json({ error: 'no such item' }, 404);
    if (i % 50 === 7 && !throttled.has(i)) {
      throttled.add(i);
      return { ...json({ error: 'slow down' }, 429), headers: { 'content-type': 'application/json', 'Retry-After': '1' } };
    }
    if (i % 1000 === 999) return json({ item: i, padding: 'x'.repeat(300 * 1024) });
    return json({ item: i, price: 10 + (i % 7) });
  };
}

/** Reports progress while the Map Run plays: one line rewritten on a TTY, a line every few seconds otherwise. */
function progressReporter(deployment: LocalDeployment, requests: number, tty: boolean) {
  const started = Date.now();
  let last = '';
  const line = () => {
    const run: MapRunRecord | undefined = deployment.mapRuns.runs[deployment.mapRuns.runs.length - 1];
    const seconds = `${((Date.now() - started) / 1000).toFixed(1)} s`;
    if (!run || run.children.length === 0) {
      return `reading the request list ... ${seconds}`;
    }
    const done = run.children.filter((c) => c.status === 'SUCCEEDED' || c.status === 'FAILED');
    const items = done.reduce((sum, c) => sum + c.itemCount, 0);
    const width = 30;
    const filled = Math.round((done.length / run.children.length) * width);
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${n(done.length)}/${n(run.children.length)} child executions, `
      + `${n(items)}/${n(requests)} requests, ${run.children.filter((c) => c.status === 'RUNNING').length} running, ${seconds}`;
  };
  const show = () => {
    const text = line();
    if (tty) {
      process.stdout.write(`\r${text.padEnd(last.length)}`);
    } else if (text.replace(/, [\d.]+ s$/, '') !== last.replace(/, [\d.]+ s$/, '')) {
      process.stdout.write(`${text}\n`);
    }
    last = text;
  };
  const timer = setInterval(show, tty ? 200 : 2000);
  return {
    stop: () => {
      clearInterval(timer);
      show();
      if (tty) process.stdout.write('\n');
    },
  };
}

/** Plays one tick of the distributed app and prints the results' location and counts; the exit code. */
export async function runDistributed(deployment: LocalDeployment, peers: LocalAwsPeers, upstream: UpstreamStub): Promise<number> {
  const requests: number = deployment.definition.States['Summarize run'].Parameters.requestCount;
  const map = deployment.definition.States['Invoke each batch'];
  console.log(`A ScheduledInvoker in the distributed layout on 127.0.0.1: ${n(requests)} requests in batches of up to `
    + `${n(map.ItemBatcher.MaxItemsPerBatch)}, ${map.MaxConcurrency} child execution(s) at a time, no sink; feed -> ${upstream.origin}`);
  console.log('(retry waits are skipped; every other rule is the template\'s)\n');
  upstream.rule = feedStory();

  const progress = progressReporter(deployment, requests, process.stdout.isTTY === true);
  const tick = await deployment.tick(new Date(Date.UTC(2026, 10, 24, 9, 0)));
  progress.stop();

  const [mapRun] = tick.mapRuns ?? [];
  console.log(`\nExecution ${tick.executionName ?? '-'}: ${tick.status ?? 'NOT STARTED'} in ${n(tick.durationMs)} ms`
    + `${tick.error ? ` (${tick.error.cause?.name ?? tick.error.name}: ${tick.error.cause?.message ?? tick.error.message})` : ''}`);
  if (!mapRun?.resultWriter) {
    console.log('No Map Run wrote results.');
    return 1;
  }
  const { bucket, manifestKey } = mapRun.resultWriter;
  const results = await readRunResults(peers.s3, bucket, manifestKey);

  // the local S3 stops with this run: the files are copied to a folder
  const folder = path.join(LOCAL_RESULTS_DIR, mapRun.mapRunId);
  fs.mkdirSync(folder, { recursive: true });
  for (const o of await peers.objects(bucket, manifestKey.replace(/manifest\.json$/, ''))) {
    fs.writeFileSync(path.join(folder, path.basename(o.key)), typeof o.body === 'string' ? o.body : JSON.stringify(o.body));
  }
  const listed = Object.entries<any[]>(results.manifest.ResultFiles).flatMap(([, files]) => files.map((f) => path.basename(f.Key)));
  console.log(`Results: s3://${bucket}/${manifestKey} in the local S3 (gone when this run ends),`);
  console.log(`  copied to ${folder}/ (manifest.json, ${listed.join(', ')})`);

  const outcomes = REQUEST_OUTCOMES.map((o) => `${o} ${n(results.outcomes[o])}`).join(', ');
  console.log(`Requests by outcome (summed from the results): ${outcomes}; ${n(results.requests.length)} records`);
  const counts = deployment.mapRuns.describe(mapRun.mapRunArn) as any;
  const show = (c: any) => ['Succeeded', 'Failed', 'TimedOut', 'Aborted', 'Pending', 'Total'].map((k) => `${k} ${n(c[k])}`).join(', ');
  console.log(`Map Run items (describeMapRun; an item succeeds with its batch's child execution, whatever the request's outcome): ${show(counts.ItemCounts)}`);
  console.log(`Map Run child executions: ${show(counts.ExecutionCounts)}`);
  console.log(`Feed: ${n(upstream.requests.length)} calls for ${n(requests)} requests; API access log: ${n(deployment.accessLog.length)} lines`);
  return tick.status === 'SUCCEEDED' ? 0 : 1;
}
