// Runs the synthesized examples/poller on 127.0.0.1 for a few scheduled
// ticks and prints what happened: `npx projen local-run` (LOCAL_RUN_TICKS
// sets the number of ticks, 4 by default). With `LOCAL_RUN_REQUESTS=N` the
// task synthesizes scripts/local-run-app.ts instead (N requests in the
// distributed layout), and this script plays one tick of it with a progress
// line and prints where the results are and what they add up to
// (scripts/local-run-distributed.ts). Everything it starts (a stub
// upstream, the API Gateway emulation, fauxqs for S3/SNS/SQS, dynalite for
// DynamoDB) listens on 127.0.0.1 only and is stopped before it exits; it
// gives up after two minutes (plus 10 ms a request in the distributed run)
// whatever happens.
//
// The run is test/support/local-deployment.ts, the harness of the
// end-to-end suite, driven by the cloud assembly given as the first
// argument (cdk.out/local-run by default): its template, and its file
// assets, which are put in the local S3 as `cdk deploy` publishes them.
import * as fs from 'fs';
import * as path from 'path';
import { runDistributed } from './local-run-distributed';
import { LocalAwsPeers } from '../test/support/aws-peers';
import { isDistributedMap } from '../test/support/distributed-map';
import { LocalDeployment } from '../test/support/local-deployment';
import { RecordedRequest, StubAnswer, UpstreamStub } from '../test/support/upstream-stub';

const LIMIT_MS = 120_000;
const LIMIT_MS_PER_REQUEST = 10;
const outdir = process.argv[2] ?? 'cdk.out/local-run';
// unset or empty: the default, as for LOCAL_RUN_REQUESTS
const ticks = Number(process.env.LOCAL_RUN_TICKS || 4);
if (!Number.isInteger(ticks) || ticks < 1 || ticks > 50) {
  console.error(`LOCAL_RUN_TICKS must be a whole number from 1 to 50, got ${process.env.LOCAL_RUN_TICKS}`);
  process.exit(2);
}

/** The stack's template and environment, from the cloud assembly. */
function readAssembly() {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
  const [, artifact] = Object.entries<any>(manifest.artifacts).find(([, a]) => a.type === 'aws:cloudformation:stack')!;
  const [, account, region] = String(artifact.environment).match(/^aws:\/\/(\d+)\/(.+)$/)!;
  const template = JSON.parse(fs.readFileSync(path.join(outdir, artifact.properties.templateFile), 'utf8'));
  return { template, account, region };
}

/**
 * What the stub upstream answers at each tick: a story with a retry (the
 * status page is busy once at tick 2), a price change (every third tick)
 * and a failure (widget-1 is gone at tick 4) in it.
 */
function story(tick: number, r: RecordedRequest, callsThisTick: number): StubAnswer {
  const json = (body: unknown, status = 200): StubAnswer => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const sku = r.path.match(/\/prices\/(.+)$/)?.[1];
  if (!sku) {
    return tick === 2 && callsThisTick === 1 ? json({ error: 'busy' }, 503) : json({ status: 'ok' });
  }
  if (tick === 4 && sku === 'widget-1') {
    return json({ error: 'discontinued' }, 404);
  }
  // widget-2 goes up by 1 every third tick
  const price = sku === 'widget-2' ? 20 + Math.floor(tick / 3) : 10;
  return json({ sku, currency: r.query.currency, price, at: new Date().toISOString() });
}

const pad = (v: unknown, n: number) => String(v ?? '-').padEnd(n);

async function main(): Promise<number> {
  const { template, account, region } = readAssembly();
  const upstream = new UpstreamStub();
  const peers = new LocalAwsPeers();
  let deployment: LocalDeployment | undefined;
  try {
    await upstream.start();
    await peers.start();
    const origins = new Set<string>();
    for (const r of Object.values<any>(template.Resources)) {
      if (r.Type === 'AWS::ApiGateway::Method' && typeof r.Properties.Integration?.Uri === 'string') {
        origins.add(new URL(r.Properties.Integration.Uri.replace(/[{}]/g, '')).origin);
      }
    }
    deployment = await LocalDeployment.deploy({
      template,
      region,
      account,
      peers,
      name: 'local-run',
      upstreams: Object.fromEntries([...origins].map((o) => [o, upstream.origin])),
      assemblyDirectory: outdir,
    });
    if (Object.values(deployment.definition.States).some(isDistributedMap)) {
      giveUpAfter(LIMIT_MS + LIMIT_MS_PER_REQUEST * deployment.definition.States['Summarize run'].Parameters.requestCount);
      return await runDistributed(deployment, peers, upstream);
    }
    const requests = new Map<string, any>(deployment.definition.States['Plan requests'].Parameters.requests.map((r: any) => [r.id, r]));
    console.log(`examples/poller on 127.0.0.1: ${requests.size} requests per tick, upstreams ${[...origins].join(', ')} -> ${upstream.origin}`);
    console.log('(retry waits are skipped; every other rule is the template\'s)\n');

    let tick = 0;
    const calls = new Map<string, number>();
    upstream.rule = (r) => {
      const key = `${tick} ${r.path}`;
      calls.set(key, (calls.get(key) ?? 0) + 1);
      return story(tick, r, calls.get(key)!);
    };
    const totals = { requests: 0, succeeded: 0, failed: 0, archived: 0, changes: 0 };
    const start = Date.UTC(2026, 10, 24, 9, 0);
    for (tick = 1; tick <= ticks; tick++) {
      // ticks are 15 minutes apart, alarm periods 5 minutes: each tick is a period of its own
      deployment.cloudWatch.newPeriod();
      const logged = deployment.accessLog.length;
      const result = await deployment.tick(new Date(start + (tick - 1) * 15 * 60_000));
      const apiCalls = deployment.accessLog.length - logged;
      console.log(`tick ${tick}  ${result.scheduledTime}  execution ${result.executionName ?? '-'}  ${result.status ?? 'NOT STARTED'} in ${result.durationMs} ms, ${apiCalls} API calls`);
      console.log(`  ${pad('request', 10)} ${pad('route', 26)} ${pad('status', 6)} ${pad('took', 8)} ${pad('outcome', 12)} ${pad('changed', 8)} archived key`);
      for (const r of result.output?.requests ?? []) {
        const planned = requests.get(r.id);
        const changed = r.sink?.changed === true ? 'yes' : r.sink?.changed === false ? 'no' : '-';
        console.log(`  ${pad(r.id, 10)} ${pad(`${planned.method} ${planned.path}`, 26)} ${pad(r.statusCode, 6)} ${pad(`${Date.parse(r.finishedAt) - Date.parse(r.startedAt)} ms`, 8)} ${pad(r.outcome, 12)} ${pad(changed, 8)} ${r.sink?.key ?? '-'}`);
        totals.requests++;
        if (r.outcome === 'SUCCEEDED') totals.succeeded++;
        else totals.failed++;
        if (r.sink?.key) totals.archived++;
        if (r.sink?.changed === true) totals.changes++;
      }
      const firing = Object.entries(await deployment.alarms()).filter(([, state]) => state === 'ALARM').map(([id]) => id);
      console.log(`  alarms in ALARM: ${firing.length ? firing.join(', ') : 'none'}\n`);
    }

    const stored = await peers.objects(deployment.physicalName(Object.keys(template.Resources).find((id) => /^ArchiveBucket[0-9A-F]{8}$/.test(id))!), 'responses/target=');
    console.log(`Summary: ${ticks} ticks, ${totals.requests} requests: ${totals.succeeded} succeeded, ${totals.failed} not; `
      + `${totals.archived} responses archived (${stored.length} objects in the bucket), ${totals.changes} changes announced; `
      + `${deployment.accessLog.length} API calls in the access log.`);
    return 0;
  } finally {
    await deployment?.stop();
    await peers.stop();
    await upstream.stop();
  }
}

let timer: NodeJS.Timeout | undefined;
/** Ends the run with an error after `ms` from now, whatever it is doing. */
function giveUpAfter(ms: number): void {
  clearTimeout(timer);
  timer = setTimeout(() => {
    console.error(`local-run: gave up after ${Math.round(ms / 1000)} s`);
    process.exit(1);
  }, ms);
}
giveUpAfter(LIMIT_MS);
main().then((code) => {
  clearTimeout(timer);
  process.exitCode = code;
}, (e) => {
  clearTimeout(timer);
  console.error(e);
  process.exitCode = 1;
});
