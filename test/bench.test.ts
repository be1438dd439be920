/**
 * The bench's arithmetic and bookkeeping (scripts/bench): the cost of a
 * known unit count from the price table, the transition count of a tiny
 * executed definition, the case matrix, and that the committed
 * docs/benchmarks.md is exactly what docs/benchmarks.json renders to.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runDefinition } from './support/state-machine-harness';
import { BaselineUnits } from '../scripts/bench/baseline-units';
import { median, SCALE_CASES } from '../scripts/bench/cases';
import { Layout, monthlyCost } from '../scripts/bench/cost';
import { billedMs, executionMs, expressMemory } from '../scripts/bench/express-duration';
import { baselineRunCost, fanOutRunCost } from '../scripts/bench/fan-out-cost';
import { billedStandardTransitions, FanOutUnits } from '../scripts/bench/fan-out-units';
import { PRICES, PRICES_CHECKED_ON } from '../scripts/bench/prices';
import { renderMarkdown, WARNINGS_END, WARNINGS_START, withoutWarnings } from '../scripts/bench/report';
import { fanOutCostTable } from '../scripts/bench/report-fan-out';
import { goalChecks, scaleSentences } from '../scripts/bench/report-scale';
import { BenchResults, ScaleRow, SynthSummary } from '../scripts/bench/results';
import { historyEvents, logBytes } from '../scripts/bench/step-functions-logs';
import { countTransitions } from '../scripts/bench/transitions';

const DOCS = path.join(__dirname, '..', 'docs');

describe('cost arithmetic', () => {
  test('GIVEN one API request, one Express request and two KMS keys per poll WHEN priced at 1,000 calls a day THEN each line is units x price, no free tier', () => {
    const layout: Layout = {
      id: 'known',
      title: 'known',
      perPoll: { apiGatewayRequests: 1, expressRequests: 1, expressGbSeconds: 0.0625 * 0.3, standardTransitions: 6 },
      fixed: { kmsKeys: 2, alarmMetrics: 6, interfaceEndpointAzs: 2 },
    };
    const month = monthlyCost(layout, 1_000);
    const line = (item: string) => month.lines.find((l) => l.item.startsWith(item))!;
    // 30,000 polls a month
    expect(line('API Gateway REST requests')).toEqual({ item: 'API Gateway REST requests', units: 30_000, usd: 30_000 * 3.5 / 1_000_000 });
    expect(line('Step Functions Express requests').usd).toBeCloseTo(0.03, 10);
    expect(line('Step Functions Express GB-seconds').usd).toBeCloseTo(30_000 * 0.01875 * 0.00001667, 10);
    expect(line('Step Functions Standard state transitions').usd).toBeCloseTo(180_000 * 0.025 / 1000, 10);
    expect(line('KMS customer managed keys').usd).toBe(2);
    expect(line('CloudWatch alarm metrics').usd).toBeCloseTo(0.6, 10);
    expect(line('Interface endpoint AZ-hours').usd).toBeCloseTo(2 * 730 * 0.01, 10);
    expect(month.fixedUsd).toBeCloseTo(2 + 0.6 + 14.6, 10);
    expect(month.totalUsd).toBeCloseTo(month.fixedUsd + month.variableUsd, 10);
  });

  test('GIVEN the private variant\'s DNS Firewall (4 domain names, 1 query per call) WHEN priced at 10,000 calls a day THEN names are a fixed line and queries a variable one', () => {
    const layout: Layout = { id: 'dns', title: 'dns', perPoll: { dnsFirewallQueries: 1 }, fixed: { dnsFirewallDomains: 4 } };
    const month = monthlyCost(layout, 10_000);
    const line = (item: string) => month.lines.find((l) => l.item.startsWith(item))!;
    expect(line('DNS Firewall queries processed')).toEqual({ item: 'DNS Firewall queries processed', units: 300_000, usd: 300_000 * 0.6 / 1_000_000 });
    expect(line('DNS Firewall domain names').usd).toBeCloseTo(4 * 0.0005, 10);
    expect(month.fixedUsd).toBeCloseTo(0.002, 10);
  });

  test('GIVEN the price table THEN it is dated and every price has a source', () => {
    expect(PRICES_CHECKED_ON).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const p of Object.values(PRICES)) {
      expect(p.source).toMatch(/^https:\/\/aws\.amazon\.com\//);
      expect(p.usd).toBeGreaterThan(0);
    }
  });
});

describe('transition count', () => {
  test('GIVEN Pass -> Task (fails once, retried) -> Succeed WHEN executed THEN 3 states entered + 1 retry = 4 transitions', async () => {
    const definition = {
      StartAt: 'Prepare',
      States: {
        Prepare: { Type: 'Pass', Next: 'Call' },
        Call: { Type: 'Task', Resource: 'arn:aws:states:::apigateway:invoke', Retry: [{ ErrorEquals: ['ApiGateway.503'], MaxAttempts: 2 }], Next: 'Done' },
        Done: { Type: 'Succeed' },
      },
    };
    let calls = 0;
    const call = async () => {
      if (++calls === 1) throw Object.assign(new Error('busy'), { name: 'ApiGateway.503' });
      return { StatusCode: 200 };
    };
    const run = await runDefinition(definition, {}, { tasks: { Call: call }, retryIntervalMs: { Call: 0 } });
    expect(run.error).toBeUndefined();
    expect(countTransitions(run.events)).toEqual({ statesEntered: 3, retries: 1, transitions: 4, taskAttempts: 2, mapIterations: 0 });
    // the failed attempt is the only ERROR record; FATAL has none
    const history = historyEvents(run.events, { Call: 'arn:aws:states:::apigateway:invoke' });
    expect(history.filter((h) => h.type === 'TaskFailed')).toHaveLength(1);
    expect(logBytes(history, 'ERROR').events).toBe(1);
    expect(logBytes(history, 'FATAL').events).toBe(0);
    expect(logBytes(history, 'ALL').events).toBe(history.length);
  });
});

describe('fan-out billing', () => {
  test('GIVEN a distributed run (4 parent transitions, 500 EXPRESS children of 63 transitions each) THEN STANDARD bills the parent and one per child started, not the children\'s states', () => {
    const distributed = { parentStandard: true, parentTransitions: 4, childExecutions: 500, childrenStandard: false, childTransitions: 31_500 };
    expect(billedStandardTransitions(distributed)).toBe(504);
    // STANDARD children bill their own states too; an inline EXPRESS run bills none
    expect(billedStandardTransitions({ ...distributed, childrenStandard: true })).toBe(504 + 31_500);
    const inlineExpress = { parentStandard: false, parentTransitions: 303, childExecutions: 0, childrenStandard: false, childTransitions: 0 };
    expect(billedStandardTransitions(inlineExpress)).toBe(0);
  });

  test('GIVEN known units of one run WHEN priced THEN each line is units x price, per request is per run / requests', () => {
    const units: FanOutUnits = {
      requests: 1000,
      layout: 'distributed',
      standardTransitions: 54,
      expressRequests: 50,
      expressBilledMs: 30_000,
      expressBilledMemoryMb: 64,
      apiGatewayRequests: 1000,
      accessLogBytes: 0,
      s3Gets: 1,
      s3Puts: 2,
      resultBytes: 0,
      xrayTraces: 51,
    };
    const cost = fanOutRunCost(units);
    const line = (item: string) => cost.lines.find((l) => l.item.startsWith(item))!;
    expect(line('Step Functions Standard state transitions').usd).toBeCloseTo(54 * 0.025 / 1000, 12);
    expect(line('Step Functions Express requests').usd).toBeCloseTo(50 / 1e6, 12);
    // 30 s at 64 MB = 1.875 GB-s
    expect(line('Step Functions Express GB-seconds').units).toBeCloseTo(1.875, 12);
    expect(line('S3 GET requests').usd).toBeCloseTo(0.0004 / 1000, 15);
    expect(line('S3 PUT requests').usd).toBeCloseTo(2 * 0.005 / 1000, 15);
    expect(cost.lines.map((l) => l.item)).not.toContain('S3 storage of the results for 90 days (GB-month)');
    expect(cost.perRequestUsd).toBeCloseTo(cost.perRunUsd / 1000, 15);

    // THEN the baseline's N requests are N one-request polls
    const b: BaselineUnits = {
      schedulerInvocations: 1, expressRequests: 1, transitions: 1, apiGatewayRequests: 1, expressBilledMs: 300, expressBilledMemoryMb: 64,
    };
    expect(baselineRunCost(b, 100).perRunUsd).toBeCloseTo(100 * baselineRunCost(b, 1).perRunUsd, 12);
  });

  test('GIVEN the Express model THEN a batch of 20 in waves of 10 is two waves, billed by the 100 ms, and memory follows the pricing page\'s formula', () => {
    const perRequest = { transitions: 3, apiCalls: 1, sdkCalls: 0, retryWaitMs: 0 };
    // 3 outer transitions + 2 waves x (3 x 10 + 230) ms
    expect(executionMs(3, 20, 10, perRequest)).toBe(30 + 2 * 260);
    expect(billedMs(550)).toBe(600);
    const events = [{ type: 'StateEntered', state: { name: 'Map', type: 'Map', input: { list: 'x'.repeat(100_000) } } },
      ...Array.from({ length: 200 }, () => ({ type: 'MapIterationStarted' }))] as any[];
    // 50 MB + 200 iterations x ~100 KB is over 64 MB: the next chunk
    expect(expressMemory(10_000, events).billedMb).toBe(128);
    expect(expressMemory(10_000, events.slice(0, 2)).billedMb).toBe(64);
  });
});

describe('synth-scale cases and goals', () => {
  test('GIVEN the cases THEN they cover 1 to 100,000 requests, and the baseline only up to 1,000', () => {
    expect([...new Set(SCALE_CASES.map((c) => c.requests))]).toEqual([1, 100, 1000, 10_000, 100_000]);
    expect(SCALE_CASES.filter((c) => c.baseline).map((c) => c.requests)).toEqual([1, 100, 1000]);
    expect(SCALE_CASES.every((c) => c.targets <= c.requests)).toBe(true);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  const summary = (resources: number, ms: number, kib: number): SynthSummary => ({
    runs: 5,
    layout: 'DISTRIBUTED',
    medianBuildAndSynthMs: ms,
    medianConstructMs: ms,
    medianSynthMs: 0,
    medianStartupMs: 0,
    medianProcessWallMs: ms + 2000,
    medianPeakRssMiB: 200,
    resources,
    templateBytes: kib * 1024,
    apiResourcesPerApi: 20,
    stateMachines: 1,
    schedules: 1,
    maxDefinitionBytes: 0,
    requestListBytes: 1,
  });
  const rows = (top: SynthSummary): ScaleRow[] => [
    { requests: 1000, targets: 10, library: summary(69, 500, 60) },
    { requests: 100_000, targets: 10, library: top },
  ];

  test('GIVEN 100,000 requests within the goals THEN each goal passes; over any of them THEN it fails', () => {
    expect(goalChecks(rows(summary(69, 1500, 61))).map((g) => g.pass)).toEqual([true, true, true]);
    expect(goalChecks(rows(summary(69, 5001, 61))).map((g) => g.pass)).toEqual([false, true, true]);
    expect(goalChecks(rows(summary(69, 1500, 151))).map((g) => g.pass)).toEqual([true, false, true]);
    // resources that grow with requests
    expect(goalChecks(rows(summary(70, 1500, 61))).map((g) => g.pass)).toEqual([true, true, false]);
  });
});

describe('docs/benchmarks.md', () => {
  const results: BenchResults = JSON.parse(fs.readFileSync(path.join(DOCS, 'benchmarks.json'), 'utf8'));
  const md = fs.readFileSync(path.join(DOCS, 'benchmarks.md'), 'utf8');

  test('GIVEN the committed JSON WHEN rendered again THEN it is the committed page (except the hand-written warnings block)', () => {
    expect(withoutWarnings(md)).toBe(withoutWarnings(renderMarkdown(results)));
  });

  test('GIVEN the committed page THEN it has every section, the warnings placeholder and the key figures of the JSON', () => {
    for (const section of ['## Machine and run', '## Synth scale', '## Switch point of layout AUTO', '## Limits', '## Billable units per poll',
      '## Cost per run of a fan-out', '## Monthly cost', '## Measured and estimated']) {
      expect(md).toContain(section);
    }
    expect(md).toContain(WARNINGS_START);
    expect(md).toContain(WARNINGS_END);
    expect(results.synthScale.runsPerCase).toBeGreaterThanOrEqual(5);
    // the synth-scale sentences, the goal rows (all passing), the switch points and the fan-out cost rows
    for (const line of [...scaleSentences(results.synthScale.rows), ...fanOutCostTable(results)]) {
      expect(md.split('\n')).toContain(line);
    }
    expect(goalChecks(results.synthScale.rows).map((g) => g.pass)).toEqual([true, true, true]);
    for (const p of results.switchPoints) {
      expect(md).toContain(`| ${p.description} | ${p.lastInline.requests} |`);
    }
    for (const u of results.units) {
      expect(md).toContain(`| ${u.scenario.title} | ${u.transitions.transitions} (`);
    }
    expect(md).toContain(`checked on ${results.prices.checkedOn}`);
    // no machine paths
    expect(md).not.toMatch(/\/(work|home|tmp|root)\//);
  });
});
