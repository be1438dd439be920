/**
 * Monthly cost of each layout at a number of polls a day, from the counted
 * units (billable-units.ts), the fixed inventory (fixed-inventory.ts) and
 * the price table (prices.ts). A poll is one scheduled execution making one
 * request. No free tier is applied anywhere.
 */
import { FixedInventory } from './fixed-inventory';
import { costOf, DAYS_PER_MONTH, HOURS_PER_MONTH, PriceName } from './prices';

/** Express memory is billed in 64 MB chunks; a one-request definition fits the first (assumed). */
export const EXPRESS_MEMORY_GB = 64 / 1024;
/** Bytes through a NAT gateway per call (TLS handshake, request and a small response), assumed. */
export const NAT_BYTES_PER_CALL = 10 * 1024;
/** The NAT alternative's function: 128 MB, upstream answer plus 50 ms of its own work, assumed. */
export const NAT_LAMBDA_MEMORY_GB = 128 / 1024;
export const NAT_LAMBDA_OVERHEAD_MS = 50;
/** Lambda's START, END and REPORT lines per invocation, about this many bytes. */
export const LAMBDA_LOG_BYTES_PER_CALL = 350;
/** The private variant's request and response through the endpoint, assumed. */
export const PRIVATE_BYTES_PER_CALL = 4 * 1024;
/** DNS queries an in-VPC call makes through the Resolver (and its DNS Firewall), assumed: one lookup of the API's name. */
export const PRIVATE_DNS_QUERIES_PER_CALL = 1;
/** Bytes of one Resolver query log record in CloudWatch Logs, assumed. */
export const DNS_QUERY_LOG_BYTES = 600;

export const CALLS_PER_DAY = [1_000, 10_000, 100_000] as const;

/** Per-poll units of one layout. */
export interface PollUnits {
  readonly schedulerInvocations: number;
  readonly expressRequests: number;
  readonly expressGbSeconds: number;
  readonly standardTransitions: number;
  readonly apiGatewayRequests: number;
  readonly s3Puts: number;
  readonly dynamoWrites: number;
  readonly dynamoReads: number;
  readonly snsPublishes: number;
  readonly logBytes: number;
  readonly vendedLogBytes: number;
  readonly xrayTraces: number;
  readonly lambdaRequests: number;
  readonly lambdaGbSeconds: number;
  readonly natGb: number;
  readonly endpointGb: number;
  readonly dnsFirewallQueries: number;
}

export interface MonthlyFixed {
  readonly kmsKeys: number;
  readonly alarmMetrics: number;
  readonly customMetrics: number;
  readonly interfaceEndpointAzs: number;
  readonly natGateways: number;
  readonly dnsFirewallDomains: number;
}

export interface Layout {
  readonly id: string;
  readonly title: string;
  readonly perPoll: Partial<PollUnits>;
  readonly fixed: Partial<MonthlyFixed>;
  readonly notes?: string;
}

export interface CostLine {
  readonly item: string;
  readonly units: number;
  readonly usd: number;
}

const VARIABLE: Array<[keyof PollUnits, PriceName, string]> = [
  ['schedulerInvocations', 'schedulerInvocation', 'EventBridge Scheduler invocations'],
  ['expressRequests', 'sfnExpressRequest', 'Step Functions Express requests'],
  ['expressGbSeconds', 'sfnExpressGbSecond', 'Step Functions Express GB-seconds'],
  ['standardTransitions', 'sfnStandardTransition', 'Step Functions Standard state transitions'],
  ['apiGatewayRequests', 'apiGatewayRestRequest', 'API Gateway REST requests'],
  ['s3Puts', 's3Put', 'S3 PUT requests'],
  ['dynamoWrites', 'dynamoWrite', 'DynamoDB write request units'],
  ['dynamoReads', 'dynamoRead', 'DynamoDB read request units'],
  ['snsPublishes', 'snsPublish', 'SNS publishes'],
  ['logBytes', 'logsIngestionGb', 'CloudWatch Logs ingestion (GB)'],
  ['vendedLogBytes', 'logsVendedIngestionGb', 'CloudWatch vended logs ingestion (GB)'],
  ['xrayTraces', 'xrayTrace', 'X-Ray traces recorded'],
  ['lambdaRequests', 'lambdaRequest', 'Lambda requests'],
  ['lambdaGbSeconds', 'lambdaGbSecond', 'Lambda GB-seconds'],
  ['natGb', 'natGatewayGb', 'NAT gateway data processed (GB)'],
  ['endpointGb', 'interfaceEndpointGb', 'Interface endpoint data processed (GB)'],
  ['dnsFirewallQueries', 'dnsFirewallQuery', 'DNS Firewall queries processed'],
];

const GB = 1024 ** 3;

/** The month's cost lines of a layout at `callsPerDay` polls a day. */
export function monthlyCost(layout: Layout, callsPerDay: number): { lines: CostLine[]; fixedUsd: number; variableUsd: number; totalUsd: number } {
  const polls = callsPerDay * DAYS_PER_MONTH;
  const lines: CostLine[] = [];
  for (const [key, price, item] of VARIABLE) {
    const perPoll = layout.perPoll[key] ?? 0;
    if (!perPoll) continue;
    const bytes = key === 'logBytes' || key === 'vendedLogBytes';
    const units = bytes ? (perPoll * polls) / GB : perPoll * polls;
    lines.push({ item, units, usd: costOf(price, units) });
  }
  const variableUsd = lines.reduce((s, l) => s + l.usd, 0);
  const f = layout.fixed;
  const fixedLines: CostLine[] = [
    { item: 'KMS customer managed keys (fixed)', units: f.kmsKeys ?? 0, usd: costOf('kmsKey', f.kmsKeys ?? 0) },
    { item: 'CloudWatch alarm metrics (fixed)', units: f.alarmMetrics ?? 0, usd: costOf('alarmMetric', f.alarmMetrics ?? 0) },
    { item: 'Custom metrics from metric filters (fixed)', units: f.customMetrics ?? 0, usd: costOf('customMetric', f.customMetrics ?? 0) },
    { item: 'Interface endpoint AZ-hours (fixed)', units: (f.interfaceEndpointAzs ?? 0) * HOURS_PER_MONTH, usd: costOf('interfaceEndpointHour', (f.interfaceEndpointAzs ?? 0) * HOURS_PER_MONTH) },
    { item: 'NAT gateway hours (fixed)', units: (f.natGateways ?? 0) * HOURS_PER_MONTH, usd: costOf('natGatewayHour', (f.natGateways ?? 0) * HOURS_PER_MONTH) },
    { item: 'DNS Firewall domain names (fixed)', units: f.dnsFirewallDomains ?? 0, usd: costOf('dnsFirewallDomain', f.dnsFirewallDomains ?? 0) },
  ].filter((l) => l.units > 0);
  const fixedUsd = fixedLines.reduce((s, l) => s + l.usd, 0);
  return { lines: [...lines, ...fixedLines], fixedUsd, variableUsd, totalUsd: fixedUsd + variableUsd };
}

/** Units a measured scenario costs per poll, for the EXPRESS or STANDARD layout. */
export interface MeasuredPoll {
  readonly transitions: number;
  readonly billedDurationMs: number;
  readonly apiGatewayRequests: number;
  readonly accessLogBytes: number;
  readonly s3Puts: number;
  readonly dynamoWrites: number;
  readonly dynamoReads: number;
  readonly snsPublishes: number;
  /** Step Functions log bytes at the layout's level (ERROR by default). */
  readonly sfnLogBytes: number;
}

export function invokerLayout(id: string, title: string, poll: MeasuredPoll, inventory: FixedInventory, workflow: 'EXPRESS' | 'STANDARD',
  options: { tracing?: boolean; notes?: string } = {}): Layout {
  const express = workflow === 'EXPRESS';
  return {
    id,
    title,
    notes: options.notes,
    perPoll: {
      schedulerInvocations: 1,
      expressRequests: express ? 1 : 0,
      expressGbSeconds: express ? EXPRESS_MEMORY_GB * (poll.billedDurationMs / 1000) : 0,
      standardTransitions: express ? 0 : poll.transitions,
      apiGatewayRequests: poll.apiGatewayRequests,
      s3Puts: poll.s3Puts,
      dynamoWrites: poll.dynamoWrites,
      dynamoReads: poll.dynamoReads,
      snsPublishes: poll.snsPublishes,
      logBytes: poll.accessLogBytes,
      vendedLogBytes: poll.sfnLogBytes,
      // Step Functions and API Gateway tracing share one trace per execution
      xrayTraces: options.tracing === false ? 0 : 1,
    },
    fixed: { kmsKeys: inventory.kmsKeys, alarmMetrics: inventory.alarmMetrics, customMetrics: inventory.customMetrics },
  };
}

/** The private variant: an in-VPC caller through the execute-api endpoint (the caller's own compute is not counted). */
export function privateLayout(poll: MeasuredPoll, inventory: FixedInventory): Layout {
  return {
    id: 'private',
    title: 'Private variant: in-VPC caller -> PrivateVpcEgressPolicy endpoint -> PRIVATE HttpProxyApi (caller compute not counted)',
    perPoll: {
      apiGatewayRequests: poll.apiGatewayRequests,
      // the API's access log, and the Resolver's query log of the DNS Firewall (on by default)
      logBytes: poll.accessLogBytes + (inventory.dnsFirewallDomains ? PRIVATE_DNS_QUERIES_PER_CALL * DNS_QUERY_LOG_BYTES : 0),
      xrayTraces: 1,
      endpointGb: PRIVATE_BYTES_PER_CALL / GB,
      dnsFirewallQueries: inventory.dnsFirewallDomains ? PRIVATE_DNS_QUERIES_PER_CALL : 0,
    },
    fixed: { kmsKeys: inventory.kmsKeys, interfaceEndpointAzs: inventory.interfaceEndpointAzs, dnsFirewallDomains: inventory.dnsFirewallDomains },
    notes: `${inventory.interfaceEndpointAzs} endpoint AZs (the default), ${inventory.kmsKeys} KMS key(s): the stack's shared log key (API logs, flow logs, DNS query logs); DNS Firewall on (the default) with ${inventory.dnsFirewallDomains} domain names, ${PRIVATE_DNS_QUERIES_PER_CALL} query per call (assumed, ${DNS_QUERY_LOG_BYTES} bytes logged); flow log volume not counted`,
  };
}

/** The NAT alternative: a scheduled Lambda in a VPC calling the upstream through NAT gateways. */
export function natLayout(natGateways: number, upstreamMs: number): Layout {
  const billedMs = upstreamMs + NAT_LAMBDA_OVERHEAD_MS;
  return {
    id: `nat-${natGateways}az`,
    title: `NAT alternative: Scheduler -> Lambda (128 MB, ${billedMs} ms) in a VPC -> NAT gateway x ${natGateways} AZ -> upstream`,
    perPoll: {
      schedulerInvocations: 1,
      lambdaRequests: 1,
      lambdaGbSeconds: NAT_LAMBDA_MEMORY_GB * (billedMs / 1000),
      natGb: NAT_BYTES_PER_CALL / GB,
      logBytes: LAMBDA_LOG_BYTES_PER_CALL,
    },
    fixed: { natGateways },
    notes: `no archive, no alarms, no KMS keys, no tracing; ${NAT_BYTES_PER_CALL / 1024} KiB through NAT per call (assumed)`,
  };
}
