/**
 * Limits, found by measurement in one child process (`limits.ts`): the
 * largest request count (and target count) that still synthesizes and fits
 * one CloudFormation stack and one REST API, for the library and the
 * baseline. Each probe is a full synth; the search doubles until a probe
 * does not fit, then bisects.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildBaselineStack } from './baseline-stack';
import { benchApp, buildLibraryStack, LibraryStackOptions } from './library-stack';
import { templateStats, TemplateStats } from './template-stats';
import { InvokerLayout } from '../../src';

/** CloudFormation: resources per stack (aws-cdk-lib 2.257 checks the same number). */
export const CFN_MAX_RESOURCES = 500;
/** CloudFormation: template body from S3; aws-cdk-lib 2.257 warns at 80% of 1,000,000 bytes. */
export const CFN_MAX_TEMPLATE_BYTES = 1_000_000;
/** Step Functions: state machine definition, hard quota (1 MB). */
export const SFN_MAX_DEFINITION_BYTES = 1_048_576;
/** API Gateway: resources per REST API, default quota. */
export const APIGW_MAX_RESOURCES_PER_API = 300;

export interface Probe {
  readonly n: number;
  readonly fits: boolean;
  /** What stopped it: the library's own synth error, or the quota it passed. */
  readonly limitedBy?: string;
  readonly error?: string;
  readonly stats?: TemplateStats;
}

export interface LimitResult {
  readonly name: string;
  readonly description: string;
  readonly largestFitting: number;
  readonly atLargest?: TemplateStats;
  readonly firstFailing: Probe;
  readonly probes: number;
}

type Build = (n: number) => { app: ReturnType<typeof benchApp>; stackName: string };

/** A probe fits when it synthesizes within the quotas, and (with `warningId`) without that warning of the library. */
function probe(n: number, build: Build, checkApiQuota: boolean, warningId?: string): Probe {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-limit-'));
  try {
    let synthesized;
    let stackName: string;
    try {
      const built = build(n);
      stackName = built.stackName;
      synthesized = built.app.synth();
    } catch (e: any) {
      return { n, fits: false, limitedBy: 'synth error', error: String(e.message ?? e).split('\n')[0] };
    }
    const text = fs.readFileSync(synthesized.getStackByName(stackName).templateFullPath, 'utf8');
    const stats = templateStats(JSON.parse(text), text);
    const over: string[] = [];
    if (stats.resources > CFN_MAX_RESOURCES) over.push(`${stats.resources} resources > ${CFN_MAX_RESOURCES} per stack`);
    if (stats.templateBytes > CFN_MAX_TEMPLATE_BYTES) over.push(`${stats.templateBytes} template bytes > ${CFN_MAX_TEMPLATE_BYTES}`);
    if (stats.maxDefinitionBytes > SFN_MAX_DEFINITION_BYTES) over.push(`${stats.maxDefinitionBytes} definition bytes > ${SFN_MAX_DEFINITION_BYTES}`);
    if (checkApiQuota && stats.apiResourcesPerApi > APIGW_MAX_RESOURCES_PER_API) {
      over.push(`${stats.apiResourcesPerApi} API Gateway resources > ${APIGW_MAX_RESOURCES_PER_API} per REST API`);
    }
    const warned = warningId && synthesized.getStackByName(stackName).messages.find((m) => m.level === 'warning' && String(m.entry.data).includes(warningId));
    if (warned) over.push(`warning ${warningId}: ${String(warned.entry.data).split(' [ack:')[0]}`);
    return { n, fits: over.length === 0, limitedBy: over.join('; ') || undefined, stats };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** The largest n in [1, max] that fits, assuming fitting is monotone in n. */
export function largestFitting(fits: (n: number) => boolean, max: number): number {
  if (!fits(1)) return 0;
  let lo = 1;
  let hi = 2;
  while (hi <= max && fits(hi)) {
    lo = hi;
    hi *= 2;
  }
  hi = Math.min(hi, max + 1);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

function search(
  name: string, description: string, build: (outdir: string) => Build, checkApiQuota: boolean, max: number, warningId?: string,
): LimitResult {
  const seen = new Map<number, Probe>();
  const run = (n: number) => {
    if (!seen.has(n)) {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-limit-app-'));
      try {
        seen.set(n, probe(n, build(outdir), checkApiQuota, warningId));
      } finally {
        fs.rmSync(outdir, { recursive: true, force: true });
      }
    }
    return seen.get(n)!;
  };
  const largest = largestFitting((n) => run(n).fits, max);
  const firstFailing = run(largest + 1);
  return { name, description, largestFitting: largest, atLargest: largest ? run(largest).stats : undefined, firstFailing, probes: seen.size };
}

const library = (options: Omit<LibraryStackOptions, 'requests' | 'targets'>, shape: (n: number) => { requests: number; targets: number }, compactTemplates = false) =>
  (outdir: string): Build => (n) => {
    const app = benchApp(outdir, { compactTemplates });
    const { stack } = buildLibraryStack(app, 'Limit', { layout: InvokerLayout.INLINE, ...options, ...shape(n) });
    return { app, stackName: stack.stackName };
  };

const baseline = (shape: (n: number) => { requests: number; targets: number }) => (outdir: string): Build => (n) => {
  const app = benchApp(outdir);
  const stack = buildBaselineStack(app, 'Limit', shape(n));
  return { app, stackName: stack.stackName };
};

function main(): void {
  // the inline layout's limits: AUTO takes the distributed layout past them, INLINE (forced) refuses at synth
  const payloadWarning = 'ScheduledInvoker.nearPayloadLimit';
  const results: LimitResult[] = [
    search('library-requests', 'Library, INLINE, STANDARD (24 h, maxConcurrency 40): requests over 10 targets in one invoker',
      library({ workflow: 'STANDARD_24H' }, (n) => ({ requests: n, targets: 10 })), true, 20_000),
    search('library-requests-warning', 'Library, INLINE, STANDARD (24 h, maxConcurrency 40): requests over 10 targets before the payload warning',
      library({ workflow: 'STANDARD_24H' }, (n) => ({ requests: n, targets: 10 })), true, 20_000, payloadWarning),
    search('library-requests-archive', 'Library, INLINE, with ResponseArchive (change detection), STANDARD (24 h, maxConcurrency 40): requests over 10 targets',
      library({ workflow: 'STANDARD_24H', archive: 'change-detection' }, (n) => ({ requests: n, targets: 10 })), true, 20_000),
    search('library-requests-archive-warning', 'Library, INLINE, with ResponseArchive (change detection), STANDARD (24 h, maxConcurrency 40): requests before the payload warning',
      library({ workflow: 'STANDARD_24H', archive: 'change-detection' }, (n) => ({ requests: n, targets: 10 })), true, 20_000, payloadWarning),
    search('library-requests-express', 'Library, INLINE, EXPRESS with the library defaults (maxConcurrency 10, 29 s target timeout, 3 retries)',
      library({}, (n) => ({ requests: n, targets: 1 })), true, 20_000),
    search('library-requests-express-40', 'Library, INLINE, EXPRESS, maxConcurrency 40, other defaults',
      library({ maxConcurrency: 40 }, (n) => ({ requests: n, targets: 1 })), true, 20_000),
    search('library-targets', 'Library: targets in one HttpProxyApi, one request each (each target /feedN/{item} is 2 API resources, 1 method, 1 alarm)',
      library({ workflow: 'STANDARD_24H' }, (n) => ({ requests: n, targets: n })), true, 2_000),
    search('library-targets-compact', 'Library: targets in one HttpProxyApi, one request each, template written without indentation (suppressTemplateIndentation)',
      library({ workflow: 'STANDARD_24H' }, (n) => ({ requests: n, targets: n }), true), true, 2_000),
    search('baseline-requests', 'Baseline: requests (one route, state machine, schedule and roles each), 10 targets',
      baseline((n) => ({ requests: n, targets: Math.min(10, n) })), true, 20_000),
  ];
  console.log(`BENCH_RESULT ${JSON.stringify(results)}`);
}

if (require.main === module) {
  main();
}
