/**
 * The bench's arithmetic and bookkeeping (scripts/bench): the cost of a
 * known unit count from the price table, the transition count of a tiny
 * executed definition, the case matrix, and that the committed
 * docs/benchmarks.md is exactly what docs/benchmarks.json renders to.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runDefinition } from './support/state-machine-harness';
import { median, scaleCases } from '../scripts/bench/cases';
import { Layout, monthlyCost } from '../scripts/bench/cost';
import { PRICES, PRICES_CHECKED_ON } from '../scripts/bench/prices';
import { renderMarkdown, WARNINGS_END, WARNINGS_START, withoutWarnings } from '../scripts/bench/report';
import { BenchResults } from '../scripts/bench/results';
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

describe('cases', () => {
  test('GIVEN the matrix THEN cases with fewer requests than targets are skipped and said so', () => {
    const { cases, skipped } = scaleCases();
    expect(cases).toHaveLength(9);
    expect(skipped.map((s) => `${s.requests}/${s.targets}`)).toEqual(['1/10', '1/100', '10/100']);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('docs/benchmarks.md', () => {
  const results: BenchResults = JSON.parse(fs.readFileSync(path.join(DOCS, 'benchmarks.json'), 'utf8'));
  const md = fs.readFileSync(path.join(DOCS, 'benchmarks.md'), 'utf8');

  test('GIVEN the committed JSON WHEN rendered again THEN it is the committed page (except the hand-written warnings block)', () => {
    expect(withoutWarnings(md)).toBe(withoutWarnings(renderMarkdown(results)));
  });

  test('GIVEN the committed page THEN it has every section, the warnings placeholder and the key figures of the JSON', () => {
    for (const section of ['## Machine and run', '## Synth scale', '## Limits', '## Billable units per poll', '## Monthly cost', '## Measured and estimated']) {
      expect(md).toContain(section);
    }
    expect(md).toContain(WARNINGS_START);
    expect(md).toContain(WARNINGS_END);
    expect(results.synthScale.runsPerCase).toBeGreaterThanOrEqual(5);
    const big = results.synthScale.rows.find((r) => r.requests === 1000 && r.targets === 10)!;
    expect(md).toContain(`library synthesizes ${big.library.resources} resources`);
    for (const u of results.units) {
      expect(md).toContain(`| ${u.scenario.title} | ${u.transitions.transitions} (`);
    }
    expect(md).toContain(`checked on ${results.prices.checkedOn}`);
    // no machine paths
    expect(md).not.toMatch(/\/(work|home|tmp|root)\//);
  });
});
