/**
 * The pattern built with the library, as the bench measures it: one
 * HttpProxyApi with `targets` targets (each `/feedN/{item}` to
 * `https://feedN.example.com/v1/items/{item}`), one ScheduledInvoker whose
 * requests are spread round-robin over the targets, and optionally a
 * ResponseArchive as its sink. Library defaults everywhere else (layout
 * AUTO, EXPRESS, maxConcurrency 10, alarms, logs, tracing, KMS keys)
 * unless an option says otherwise.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { HttpProxyApi, InvokerLayout, InvokerRequest, InvokerSchedule, ResponseArchive, ScheduledInvoker } from '../../src';

export const BENCH_ACCOUNT = '123456789012';
export const BENCH_REGION = 'us-east-1';

/** An App whose stacks may exceed CloudFormation's 500 resources, so the bench can measure them (deploying them would fail). */
export function benchApp(outdir?: string, options: { compactTemplates?: boolean } = {}): App {
  return new App({
    outdir,
    context: {
      'aws:cdk:version-reporting': false,
      '@aws-cdk/core:stackResourceLimit': 0,
      ...(options.compactTemplates ? { '@aws-cdk/core:suppressTemplateIndentation': true } : {}),
      [`availability-zones:account=${BENCH_ACCOUNT}:region=${BENCH_REGION}`]: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    },
  });
}

/** No sink, a ResponseArchive storing every response, or one with change detection. */
export type ArchiveKind = 'none' | 'store' | 'change-detection';

export interface LibraryStackOptions {
  readonly requests: number;
  readonly targets: number;
  /** The sink (none by default). */
  readonly archive?: ArchiveKind;
  /**
   * `DEFAULTS` (EXPRESS, the library's timeouts), `STANDARD` (otherwise
   * the defaults: a 1 h execution timeout), or `STANDARD_24H`: STANDARD
   * with a 24 h execution timeout and maxConcurrency 40, so that a large
   * inline request list passes the time budget and only the payload
   * bounds it.
   * @default 'DEFAULTS'
   */
  readonly workflow?: 'DEFAULTS' | 'STANDARD' | 'STANDARD_24H';
  /** maxConcurrency (library default 10; 40 with STANDARD_24H). */
  readonly maxConcurrency?: number;
  /** The targets' timeout (library default 29 s). */
  readonly targetTimeout?: Duration;
  /** @default - the library's default, AUTO */
  readonly layout?: InvokerLayout;
}

export function buildLibraryStack(app: App, id: string, options: LibraryStackOptions): { stack: Stack; invoker: ScheduledInvoker } {
  const stack = new Stack(app, id, { env: { account: BENCH_ACCOUNT, region: BENCH_REGION } });
  const api = new HttpProxyApi(stack, 'Egress');
  const targets = Array.from({ length: options.targets }, (_, t) =>
    api.addTarget(`feed${t}`, { url: `https://feed${t}.example.com/v1/items/{item}`, timeout: options.targetTimeout }));
  const requests: InvokerRequest[] = Array.from({ length: options.requests }, (_, i) => ({
    target: targets[i % targets.length],
    pathParameters: { item: `item-${i}` },
  }));
  const long = options.workflow === 'STANDARD_24H';
  const archive = options.archive ?? 'none';
  const invoker = new ScheduledInvoker(stack, 'Poller', {
    schedule: InvokerSchedule.rate(Duration.minutes(15)),
    requests,
    layout: options.layout,
    workflowType: options.workflow?.startsWith('STANDARD') ? sfn.StateMachineType.STANDARD : undefined,
    ...(long ? { executionTimeout: Duration.hours(24), maxConcurrency: options.maxConcurrency ?? 40 } : { maxConcurrency: options.maxConcurrency }),
    sink: archive === 'none' ? undefined : new ResponseArchive(stack, 'Archive', archive === 'change-detection' ? { changeDetection: {} } : {}),
  });
  return { stack, invoker };
}
