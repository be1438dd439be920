/**
 * The price table the cost model uses: us-east-1, on-demand list prices,
 * checked on PRICES_CHECKED_ON against the pages in `source`. Free tiers
 * are recorded but the cost table does NOT apply them (costs are shown
 * without free tier). Change a price here and rerun `npx projen bench`.
 */
export const PRICES_CHECKED_ON = '2026-11-24';
export const PRICES_REGION = 'us-east-1';

export interface Price {
  /** USD per `per` units. */
  readonly usd: number;
  readonly per: number;
  readonly unit: string;
  readonly source: string;
  readonly freeTier?: string;
  readonly note?: string;
}

const SFN = 'https://aws.amazon.com/step-functions/pricing/';
const APIGW = 'https://aws.amazon.com/api-gateway/pricing/';
const CW = 'https://aws.amazon.com/cloudwatch/pricing/';
const VPC = 'https://aws.amazon.com/vpc/pricing/';

export const PRICES = {
  sfnStandardTransition: { usd: 0.025, per: 1000, unit: 'state transitions', source: SFN, freeTier: '4,000 transitions/month, no expiry' },
  sfnExpressRequest: { usd: 1.0, per: 1_000_000, unit: 'Express requests', source: SFN },
  sfnExpressGbSecond: { usd: 0.00001667, per: 1, unit: 'GB-second of Express duration (first 1,000 GB-hours; 64 MB chunks, 100 ms rounding)', source: SFN },
  apiGatewayRestRequest: {
    usd: 3.5,
    per: 1_000_000,
    unit: 'REST API requests (first 333 M/month)',
    source: APIGW,
    freeTier: '1 M calls/month for 12 months, new accounts only',
  },
  schedulerInvocation: { usd: 1.0, per: 1_000_000, unit: 'EventBridge Scheduler invocations', source: 'https://aws.amazon.com/eventbridge/pricing/', freeTier: '14 M invocations/month' },
  s3Put: { usd: 0.005, per: 1000, unit: 'S3 Standard PUT requests', source: 'https://aws.amazon.com/s3/pricing/' },
  s3Get: { usd: 0.0004, per: 1000, unit: 'S3 Standard GET requests', source: 'https://aws.amazon.com/s3/pricing/' },
  s3StorageGbMonth: { usd: 0.023, per: 1, unit: 'GB-month S3 Standard (first 50 TB)', source: 'https://aws.amazon.com/s3/pricing/' },
  dynamoWrite: { usd: 0.625, per: 1_000_000, unit: 'DynamoDB on-demand write request units', source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/' },
  dynamoRead: { usd: 0.125, per: 1_000_000, unit: 'DynamoDB on-demand read request units', source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/' },
  snsPublish: { usd: 0.5, per: 1_000_000, unit: 'SNS publish requests (64 KB chunks)', source: 'https://aws.amazon.com/sns/pricing/', freeTier: '1 M requests/month' },
  logsIngestionGb: { usd: 0.5, per: 1, unit: 'GB ingested into CloudWatch Logs (Standard class)', source: CW, freeTier: '5 GB/month' },
  logsVendedIngestionGb: { usd: 0.5, per: 1, unit: 'GB of vended logs (Step Functions, VPC flow logs) to CloudWatch Logs, first 10 TB', source: CW },
  alarmMetric: {
    usd: 0.1,
    per: 1,
    unit: 'standard-resolution alarm metric per month',
    source: CW,
    freeTier: '10 alarm metrics/month',
    note: 'an alarm on a metric math expression is billed per metric it reads',
  },
  customMetric: { usd: 0.3, per: 1, unit: 'custom metric per month (first 10,000; metric filters publish custom metrics, one per dimension combination)', source: CW, freeTier: '10 metrics/month' },
  kmsKey: { usd: 1.0, per: 1, unit: 'customer managed KMS key per month (prorated hourly)', source: 'https://aws.amazon.com/kms/pricing/' },
  kmsRequest: { usd: 0.03, per: 10_000, unit: 'KMS requests', source: 'https://aws.amazon.com/kms/pricing/', freeTier: '20,000 requests/month' },
  xrayTrace: { usd: 5.0, per: 1_000_000, unit: 'X-Ray traces recorded', source: 'https://aws.amazon.com/xray/pricing/', freeTier: '100,000 traces/month' },
  // DNS Firewall prices as the Route 53 pricing page states them ("$0.60 per
  // million queries (first 1 billion queries per month)", domain names
  // "$0.0005 per month (prorated hourly)"), checked on 2026-12-01 against a
  // transcription of that page dated 2026-09-20
  dnsFirewallQuery: { usd: 0.6, per: 1_000_000, unit: 'DNS queries processed by Route 53 Resolver DNS Firewall (first 1 billion/month)', source: 'https://aws.amazon.com/route53/pricing/' },
  dnsFirewallDomain: { usd: 0.0005, per: 1, unit: 'domain name in a DNS Firewall domain list per month', source: 'https://aws.amazon.com/route53/pricing/' },
  interfaceEndpointHour: { usd: 0.01, per: 1, unit: 'interface VPC endpoint hour per AZ', source: 'https://aws.amazon.com/privatelink/pricing/' },
  interfaceEndpointGb: { usd: 0.01, per: 1, unit: 'GB processed by interface endpoints (first 1 PB)', source: 'https://aws.amazon.com/privatelink/pricing/' },
  natGatewayHour: { usd: 0.045, per: 1, unit: 'NAT gateway hour (one per AZ)', source: VPC },
  natGatewayGb: { usd: 0.045, per: 1, unit: 'GB processed by a NAT gateway', source: VPC },
  lambdaRequest: { usd: 0.2, per: 1_000_000, unit: 'Lambda requests', source: 'https://aws.amazon.com/lambda/pricing/', freeTier: '1 M requests/month' },
  lambdaGbSecond: { usd: 0.0000166667, per: 1, unit: 'Lambda GB-second (x86, first 6 B GB-s)', source: 'https://aws.amazon.com/lambda/pricing/', freeTier: '400,000 GB-s/month' },
} satisfies Record<string, Price>;

export type PriceName = keyof typeof PRICES;

/** Hours in a month, as AWS's pricing examples use. */
export const HOURS_PER_MONTH = 730;
/** Days in a month for calls-per-day figures. */
export const DAYS_PER_MONTH = 30;

/** Cost in USD of `units` of a price. */
export function costOf(name: PriceName, units: number): number {
  const p: Price = PRICES[name];
  return (units / p.per) * p.usd;
}
