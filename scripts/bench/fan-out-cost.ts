/**
 * The cost of one run of a fan-out (fan-out-units.ts) and of each of its
 * requests, from the measured units and the price table (prices.ts), no
 * free tier. The same lines for the BASELINE, whose N requests are N
 * copies of its one-request poll (baseline-units.ts).
 *
 * Billing rules relied on:
 * - STANDARD: every state entered and every retry is a transition, and
 *   "you are charged one state transition for each child workflow
 *   execution that the Distributed Map state starts" (Step Functions
 *   developer guide, "Transitions",
 *   https://docs.aws.amazon.com/step-functions/latest/dg/concepts-transitions.html);
 *   Inline Map iterations are not transitions of their own.
 * - EXPRESS (child executions included): a request per execution started,
 *   and its billed duration x billed memory (Step Functions pricing,
 *   https://aws.amazon.com/step-functions/pricing/).
 * - DescribeMapRun, called by a Task state, is billed as that state's
 *   transition; the pricing page lists no charge for the API call itself.
 * - The ItemReader's read of the request list is an S3 GET, each file the
 *   ResultWriter writes an S3 PUT (S3 pricing); the results are kept 90
 *   days (the results bucket's lifecycle), three months of S3 Standard.
 */
import { BaselineUnits } from './baseline-units';
import { RESULTS_KEPT_MONTHS, FanOutUnits } from './fan-out-units';
import { costOf, PriceName } from './prices';

export interface RunCostLine {
  readonly item: string;
  readonly units: number;
  readonly usd: number;
}

export interface RunCost {
  readonly lines: RunCostLine[];
  readonly perRunUsd: number;
  readonly perRequestUsd: number;
}

const GB = 1024 ** 3;

function priced(requests: number, items: Array<[string, PriceName, number]>): RunCost {
  const lines = items.filter(([, , units]) => units > 0).map(([item, price, units]) => ({ item, units, usd: costOf(price, units) }));
  const perRunUsd = lines.reduce((s, l) => s + l.usd, 0);
  return { lines, perRunUsd, perRequestUsd: perRunUsd / requests };
}

/** One run of a layout that was built and executed. */
export function fanOutRunCost(u: FanOutUnits): RunCost {
  const gbSeconds = ((u.expressBilledMs ?? 0) / 1000) * ((u.expressBilledMemoryMb ?? 0) / 1024);
  return priced(u.requests, [
    ['EventBridge Scheduler invocations', 'schedulerInvocation', 1],
    ['Step Functions Standard state transitions', 'sfnStandardTransition', u.standardTransitions ?? 0],
    ['Step Functions Express requests', 'sfnExpressRequest', u.expressRequests ?? 0],
    ['Step Functions Express GB-seconds', 'sfnExpressGbSecond', gbSeconds],
    ['API Gateway REST requests', 'apiGatewayRestRequest', u.apiGatewayRequests ?? 0],
    ['CloudWatch Logs ingestion, access log (GB)', 'logsIngestionGb', (u.accessLogBytes ?? 0) / GB],
    ['CloudWatch vended logs, Step Functions at ERROR (GB)', 'logsVendedIngestionGb', (u.sfnErrorLogBytes ?? 0) / GB],
    ['S3 GET requests (the request list)', 's3Get', u.s3Gets ?? 0],
    ['S3 PUT requests (result files)', 's3Put', u.s3Puts ?? 0],
    ['S3 storage of the results for 90 days (GB-month)', 's3StorageGbMonth', ((u.resultBytes ?? 0) / GB) * RESULTS_KEPT_MONTHS],
    ['X-Ray traces recorded', 'xrayTrace', u.xrayTraces ?? 0],
  ]);
}

/** N requests of the BASELINE: N schedules, N Express executions, N API requests (no logs, no tracing). */
export function baselineRunCost(b: BaselineUnits, requests: number): RunCost {
  return priced(requests, [
    ['EventBridge Scheduler invocations', 'schedulerInvocation', b.schedulerInvocations * requests],
    ['Step Functions Express requests', 'sfnExpressRequest', b.expressRequests * requests],
    ['Step Functions Express GB-seconds', 'sfnExpressGbSecond', (b.expressBilledMs / 1000) * (b.expressBilledMemoryMb / 1024) * requests],
    ['API Gateway REST requests', 'apiGatewayRestRequest', b.apiGatewayRequests * requests],
  ]);
}
