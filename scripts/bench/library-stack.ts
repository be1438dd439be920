/**
 * The pattern built with the library, as the bench measures it: one
 * HttpProxyApi with `targets` targets (each `/feedN/{item}` to
 * `https://feedN.example.com/v1/items/{item}`), one ScheduledInvoker whose
 * requests are spread round-robin over the targets, and optionally a
 * ResponseArchive with change detection as its sink. Library defaults
 * everywhere else (alarms, logs, tracing, KMS keys).
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

export interface LibraryStackOptions {
  readonly requests: number;
  readonly targets: number;
  /** Add a ResponseArchive with change detection as the sink. */
  readonly archive?: boolean;
  /**
   * EXPRESS with the library's defaults, or STANDARD with a 24 h
   * execution timeout and maxConcurrency 40, so large request lists pass
   * the library's time-budget check (the resources are the same).
   */
  readonly workflow?: 'EXPRESS' | 'STANDARD';
  /** maxConcurrency (library default 10). */
  readonly maxConcurrency?: number;
}

export function buildLibraryStack(app: App, id: string, options: LibraryStackOptions): Stack {
  const stack = new Stack(app, id, { env: { account: BENCH_ACCOUNT, region: BENCH_REGION } });
  const api = new HttpProxyApi(stack, 'Egress');
  const targets = Array.from({ length: options.targets }, (_, t) =>
    api.addTarget(`feed${t}`, { url: `https://feed${t}.example.com/v1/items/{item}` }));
  const requests: InvokerRequest[] = Array.from({ length: options.requests }, (_, i) => ({
    target: targets[i % targets.length],
    pathParameters: { item: `item-${i}` },
  }));
  const standard = (options.workflow ?? 'STANDARD') === 'STANDARD';
  new ScheduledInvoker(stack, 'Poller', {
    schedule: InvokerSchedule.rate(Duration.minutes(15)),
    requests,
    // the bench measures the inline layout's limits, which AUTO would step past
    layout: InvokerLayout.INLINE,
    ...(standard
      ? { workflowType: sfn.StateMachineType.STANDARD, executionTimeout: Duration.hours(24), maxConcurrency: options.maxConcurrency ?? 40 }
      : { maxConcurrency: options.maxConcurrency }),
    sink: options.archive ? new ResponseArchive(stack, 'Archive', { changeDetection: {} }) : undefined,
  });
  return stack;
}
