/**
 * An app that uses the library the way a user would, in the distributed
 * layout: one HttpProxyApi route to a feed (`https://feed.example.com`,
 * mapped to a loopback stub by the caller), a ScheduledInvoker with N
 * requests (`item-0` ... `item-<N-1>`, one per path), and optionally a
 * sink. It is synthesized into a cloud assembly on disk, so that
 * LocalDeployment (`assemblyDirectory`) can publish its request-list
 * asset to the S3 peer as `cdk deploy` would. The library is used as
 * published: nothing of the template is rewritten.
 *
 * Used by test/distributed-invoker.e2e.test.ts and `LOCAL_RUN_REQUESTS=N
 * npx projen local-run` (scripts/local-run.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { TEST_ACCOUNT, TEST_REGION } from './test-stack';
import {
  ChangeDetectionOptions, HttpProxyApi, InvokerLayout, InvokerRequest, InvokerSchedule, IResponseSink, ResponseArchive, ResponseSinkBindOptions,
  ResponseSinkConfig, ScheduledInvoker,
} from '../../src';

/** The feed the app polls; the caller maps this origin to its stub. */
export const FEED_ORIGIN = 'https://feed.example.com';

/** The id of request `i`, and the path the feed sees for it. */
export const requestId = (i: number) => `item-${i}`;
export const feedPath = (i: number) => `/v1/items/${i}`;

/**
 * A sink of the app's own (any class with `bindToInvoker` is a sink): it
 * keeps each response's `price` in the request's result. It reads the
 * field without checking that it is there, so an answer without `price`
 * makes the path select nothing: a States.Runtime error, which no Catch
 * takes, States.ALL included, and which fails the execution it happens
 * in ("Handling errors in Step Functions workflows",
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
 * In the distributed layout that execution is one batch's child.
 */
export class PriceSink implements IResponseSink {
  public bindToInvoker(scope: Construct, _options: ResponseSinkBindOptions): ResponseSinkConfig {
    const read = new sfn.Pass(scope, 'Read price', { parameters: { 'price.$': '$.response.body.price' } });
    return { chain: read, resultFields: { price: '$.price' }, maxDuration: Duration.seconds(1) };
  }
}

export interface DistributedAppOptions {
  /** How many requests the invoker makes on each tick. */
  readonly requests: number;
  /**
   * Requests in flight at once (the invoker's `maxConcurrency`).
   *
   * @default - the invoker's default
   */
  readonly maxConcurrency?: number;
  /**
   * What keeps the responses: a ResponseArchive (without or with change
   * detection), the app's own PriceSink, or nothing.
   *
   * @default 'none'
   */
  readonly sink?: 'none' | 'archive' | 'archive-with-changes' | 'price';
  /**
   * Force the distributed layout (AUTO takes it past 20 requests on the defaults).
   *
   * @default false
   */
  readonly forceDistributed?: boolean;
}

/** The synthesized app: where its assembly is, its template and the logical ids a test reads. */
export interface DistributedApp {
  readonly outdir: string;
  readonly stack: Stack;
  readonly invoker: ScheduledInvoker;
  readonly archive?: ResponseArchive;
  readonly template: any;
  readonly logicalIds: {
    readonly resultsBucket: string;
    readonly archiveBucket?: string;
    readonly archiveTable?: string;
    readonly archiveTopic?: string;
    readonly executionsFailedAlarm?: string;
  };
}

/** Synthesizes the app into `outdir` (created, emptied first). */
export function synthesizeDistributedApp(outdir: string, options: DistributedAppOptions): DistributedApp {
  fs.rmSync(outdir, { recursive: true, force: true });
  const app = new App({ outdir, context: { 'aws:cdk:version-reporting': false } });
  const stack = new Stack(app, 'DistributedPoller', { env: { account: TEST_ACCOUNT, region: TEST_REGION } });
  const api = new HttpProxyApi(stack, 'Egress');
  const items = api.addTarget('items', { url: `${FEED_ORIGIN}/v1/items/{item}` });
  const requests: InvokerRequest[] = Array.from({ length: options.requests }, (_, i) => ({
    target: items,
    id: requestId(i),
    pathParameters: { item: String(i) },
  }));

  const sink = options.sink ?? 'none';
  let archive: ResponseArchive | undefined;
  let responseSink: IResponseSink | undefined;
  if (sink === 'archive' || sink === 'archive-with-changes') {
    const changeDetection: ChangeDetectionOptions | undefined = sink === 'archive-with-changes' ? { targetHashPaths: { items: '$.price' } } : undefined;
    archive = new ResponseArchive(stack, 'Archive', { changeDetection, removalPolicy: RemovalPolicy.DESTROY });
    responseSink = archive;
  } else if (sink === 'price') {
    responseSink = new PriceSink();
  }
  const invoker = new ScheduledInvoker(stack, 'Poller', {
    schedule: InvokerSchedule.rate(Duration.hours(1)),
    requests,
    maxConcurrency: options.maxConcurrency,
    sink: responseSink,
    layout: options.forceDistributed ? InvokerLayout.DISTRIBUTED : undefined,
    resultsRemovalPolicy: RemovalPolicy.DESTROY,
  });
  app.synth();

  const template = JSON.parse(fs.readFileSync(path.join(outdir, `${stack.artifactId}.template.json`), 'utf8'));
  const id = (c: any) => (c ? stack.getLogicalId(c.node.defaultChild) : undefined);
  return {
    outdir,
    stack,
    invoker,
    archive,
    template,
    logicalIds: {
      resultsBucket: id(invoker.resultsBucket)!,
      archiveBucket: id(archive?.bucket),
      archiveTable: id(archive?.table),
      archiveTopic: id(archive?.topic),
      executionsFailedAlarm: id(invoker.executionsFailedAlarm),
    },
  };
}
