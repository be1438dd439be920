// Synthesizes the app `LOCAL_RUN_REQUESTS=N npx projen local-run` plays: a
// ScheduledInvoker in the distributed layout making N requests (item-0 ...
// item-<N-1>) through an HttpProxyApi route to https://feed.example.com,
// which the run maps to a stub on 127.0.0.1; 80 in flight (two child
// executions at a time, 40 requests each), no sink. It is the app of
// test/distributed-invoker.e2e.test.ts (test/support/distributed-app.ts),
// written to CDK_OUTDIR (cdk.out/local-run by default) with its request
// list asset, which the run publishes to its local S3.
import { synthesizeDistributedApp } from '../test/support/distributed-app';

/** The most requests a local run takes. */
export const MAX_LOCAL_RUN_REQUESTS = 100_000;

/** LOCAL_RUN_REQUESTS as a number, or why it is not one the run takes. */
export function parseRequestCount(text: string): number | string {
  const n = /^[1-9][0-9]*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n > MAX_LOCAL_RUN_REQUESTS) {
    return `LOCAL_RUN_REQUESTS must be a whole number from 1 to ${MAX_LOCAL_RUN_REQUESTS.toLocaleString('en-US')} (digits only), got '${text}'`;
  }
  return n;
}

if (require.main === module) {
  const parsed = parseRequestCount(process.env.LOCAL_RUN_REQUESTS ?? '');
  if (typeof parsed === 'string') {
    console.error(parsed);
    process.exit(2);
  }
  if (process.env.LOCAL_RUN_TICKS) {
    console.error('LOCAL_RUN_TICKS is for the examples/poller run; LOCAL_RUN_REQUESTS plays one run of its own app: set one of them');
    process.exit(2);
  }
  const outdir = process.env.CDK_OUTDIR ?? 'cdk.out/local-run';
  const app = synthesizeDistributedApp(outdir, { requests: parsed, maxConcurrency: 80, forceDistributed: true });
  console.log(`Synthesized ${app.stack.stackName} into ${outdir}: ${parsed.toLocaleString('en-US')} requests, layout ${app.invoker.layout}, `
    + `batches of up to ${app.invoker.batchSize} requests, ${app.invoker.timeBudget.parallelBatches} child execution(s) at a time`);
}
