/**
 * The "Cost per run of a fan-out" section of docs/benchmarks.md: the
 * units of one run of each layout at 100, 1,000 and 10,000 requests
 * (fan-out-units.ts), what the run and each request cost (fan-out-cost.ts),
 * the layouts that cannot hold a count, and the baseline.
 */
import { head, int, kb, ratio, row, sig3 } from './report-format';
import { BenchResults, FanOutRow } from './results';

const dash = '-';

function unitsTable(rows: FanOutRow[]): string[] {
  return [
    ...head(['Requests', 'Layout', 'Billed transitions (STANDARD)', 'Child executions', 'Express executions', 'Express billed s (MB each)',
      'API Gateway requests', 'S3 GET / PUT', 'Results KiB in S3', 'Access log KiB', 'Local run ms']),
    ...rows.filter((f) => !f.units.notBuilt).map(({ title, units: u }) => row([int(u.requests), title,
      int(u.standardTransitions ?? 0), int(u.childExecutions ?? 0), int(u.expressRequests ?? 0),
      u.expressRequests ? `${((u.expressBilledMs ?? 0) / 1000).toFixed(1)} (${u.expressBilledMemoryMb})` : dash,
      int(u.apiGatewayRequests ?? 0), `${u.s3Gets} / ${u.s3Puts}`, u.resultBytes ? kb(u.resultBytes) : dash, kb(u.accessLogBytes ?? 0), int(u.localDurationMs ?? 0)])),
  ];
}

/** The cost table README quotes: per run, per million requests, and the ratios measured in the same run. */
export function fanOutCostTable(r: BenchResults): string[] {
  const lines = head(['Requests', 'Layout', 'USD per run', 'USD per million requests', 'Ratio to distributed', 'Ratio to baseline']);
  for (const requests of [...new Set(r.fanOuts.map((f) => f.units.requests))]) {
    const here = r.fanOuts.filter((f) => f.units.requests === requests);
    const distributed = here.find((f) => f.units.layout === 'distributed')?.cost;
    const baseline = r.fanOutBaseline.byRequests.find((b) => b.requests === requests)?.cost;
    for (const f of here) {
      if (!f.cost) {
        lines.push(row([int(requests), f.title, 'cannot be built', dash, dash, dash]));
        continue;
      }
      lines.push(row([int(requests), f.title, sig3(f.cost.perRunUsd), sig3(f.cost.perRequestUsd * 1e6),
        distributed ? ratio(f.cost.perRunUsd / distributed.perRunUsd) : dash, baseline ? ratio(f.cost.perRunUsd / baseline.perRunUsd) : dash]));
    }
    if (baseline) {
      lines.push(row([int(requests), 'Baseline: one schedule, Express execution and route per request', sig3(baseline.perRunUsd), sig3(baseline.perRequestUsd * 1e6),
        distributed ? ratio(baseline.perRunUsd / distributed.perRunUsd) : dash, ratio(1)]));
    }
  }
  return lines;
}

export function fanOutSection(r: BenchResults): string[] {
  const notBuilt = r.fanOuts.filter((f) => f.units.notBuilt);
  const biggest = r.fanOuts.filter((f) => f.units.layout === 'distributed' && f.cost).sort((a, b) => b.units.requests - a.units.requests)[0];
  const b = r.fanOutBaseline.units;
  return [
    '## Cost per run of a fan-out',
    '',
    'One scheduled run of 100, 1,000 and 10,000 requests over 10 targets, in each layout that can hold them: built with the',
    'library, synthesized into a cloud assembly, deployed on 127.0.0.1 by the tests\' harness with that assembly (the request',
    'list asset is put in the S3 peer, as `cdk deploy` publishes it; the harness plays each Distributed Map by its rules D1 to',
    'D6: ItemReader, ItemBatcher, child executions, ResultWriter, DescribeMapRun) and run once, a stub upstream answering 200',
    '(`scripts/bench/fan-out-units.ts`). One run each: the counts below are the same on every run (no faults are injected;',
    'bytes vary by less than 1% with the latencies and dates they record), which the bench checks by running the 100-request',
    'layouts twice. Layouts:',
    '',
    '- **Distributed**: the library defaults, layout AUTO, which takes it past the switch point: a STANDARD parent, a',
    '  Distributed Map over the request list, EXPRESS children of `batchSize` requests, results written to S3, DescribeMapRun.',
    '- **Inline**, forced with `layout: InvokerLayout.INLINE` and the settings it needs to hold the requests at all (EXPRESS',
    '  with maxConcurrency 40 and a 5 s target timeout; STANDARD with a 24 h timeout and maxConcurrency 40). Where it cannot',
    '  hold them, synth refuses it, and the refusal is quoted below.',
    '- **Baseline**: the naive layout of [Synth scale](#synth-scale), one schedule, Express execution and route per request; its',
    `  one-request poll is executed (${b.transitions} transition, ${b.apiGatewayRequests} API call, ${b.expressBilledMs} ms billed at ${b.expressBilledMemoryMb} MB) and a run of N`,
    '  requests is N of them (`scripts/bench/baseline-units.ts`; its HTTP_PROXY routes are not emulated, so its call is',
    '  answered by a stub). It has no logs, tracing or alarms.',
    '',
    'How a run is billed (`scripts/bench/fan-out-cost.ts`, prices of [Monthly cost](#monthly-cost), no free tier):',
    '',
    '- **STANDARD**: every state entered and every retry is a transition, and a Distributed Map is charged "one state',
    '  transition for each child workflow execution" it starts; Inline Map iterations are not transitions of their own (Step',
    '  Functions developer guide, [Transitions](https://docs.aws.amazon.com/step-functions/latest/dg/concepts-transitions.html)).',
    '  The parent\'s transitions are measured (its states entered and retried) plus one per child execution it started.',
    '- **EXPRESS executions, child executions included**: one request each, and the billed duration (rounded up to 100 ms) x',
    '  the billed memory (64 MB chunks) ([Step Functions pricing](https://aws.amazon.com/step-functions/pricing/)). The',
    '  duration is estimated with the model of [Billable units per poll](#billable-units-per-poll), each child on its own',
    '  batch; the memory with the pricing page\'s formula, 50 MB + definition + largest state input x Map iterations.',
    '- **DescribeMapRun** is billed as its Task state\'s transition; the pricing page lists no charge for the call itself.',
    '- **S3**: the ItemReader reads the request list object once per run (a GET); each file the ResultWriter writes, as the',
    '  harness writes them (one per status and a manifest; AWS may split large results into more files), is a PUT; the',
    '  results are kept 90 days (the results bucket\'s lifecycle), three months of S3 Standard storage.',
    '- **Logs and traces**: the API\'s access log lines are measured; Step Functions logs at the default level ERROR are',
    '  empty on a clean run; X-Ray is assumed one trace per execution (the parent and each child).',
    '',
    ...unitsTable(r.fanOuts),
    '',
    ...fanOutCostTable(r),
    '',
    ...(notBuilt.length ? ['Layouts that cannot hold the requests (synth refuses them):', '', ...notBuilt.map((f) => `- ${int(f.units.requests)} requests, ${f.title}: \`${f.units.notBuilt}\``), ''] : []),
    ...(biggest ? [
      `Breakdown of one run of the distributed layout at ${int(biggest.units.requests)} requests (batches of ${biggest.units.batchSize}, `
      + `${biggest.units.parallelBatches} child execution(s) at a time, ${biggest.units.batchConcurrency} requests in flight in each):`,
      '',
      ...head(['Item', 'Units/run', 'USD/run']),
      ...biggest.cost!.lines.map((l) => row([l.item, l.units < 1 ? l.units.toFixed(6) : int(l.units), sig3(l.usd)])),
      '',
    ] : []),
  ];
}
