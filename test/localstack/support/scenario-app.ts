/**
 * The lane's scenario stack: one REGIONAL HttpProxyApi whose targets all
 * point at two upstream origins, and one ScheduledInvoker per scenario
 * (each its own Express state machine), plus a ResponseArchive without
 * change detection (no DynamoDB) for the archive scenario. One stack, so
 * LocalStack deploys it once; the same synthesized template runs on the
 * local harness and on LocalStack.
 *
 * Retries wait 1 second, without backoff or jitter, so the runs on
 * LocalStack (whose Retry waits are real) stay short and the number of
 * attempts is the same on both runtimes.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { HttpProxyApi, InvokerLayout, InvokerRequest, InvokerSchedule, RequestBody, ResponseArchive, ScheduledInvoker } from '../../../src';
import { availabilityZonesContext, TEST_ACCOUNT, TEST_REGION } from '../../support/test-stack';

/** The upstream every target but `refused` calls. */
export const UPSTREAM = 'https://upstream.lane.example';
/** An upstream the lane maps to a closed port on 127.0.0.1. */
export const REFUSED_UPSTREAM = 'https://refused.lane.example';

/** Requests of the fan-out scenario. */
export const FAN_OUT = 50;

/** The scenarios, by invoker id: what each one's requests are. */
export type ScenarioId = 'ok' | 'created' | 'notFound' | 'unavailable' | 'throttled' | 'timeout' | 'refused' | 'fanOut' | 'tooLarge' | 'archive' | 'post';

export class LaneScenarioStack extends Stack {
  public readonly api: HttpProxyApi;
  public readonly archive: ResponseArchive;
  public readonly invokers = {} as Record<ScenarioId, ScheduledInvoker>;

  constructor(app: App, id: string) {
    super(app, id, { env: { account: TEST_ACCOUNT, region: TEST_REGION } });
    this.api = new HttpProxyApi(this, 'Egress');
    const items = this.api.addTarget('items', { url: `${UPSTREAM}/v1/items/{name}`, queryParameters: ['probe'], timeout: Duration.seconds(5) });
    // The fan-out's own route, to the same upstream path: its 15 s timeout
    // (the task's is 16 s) keeps a call LocalStack is slow to hand back under
    // load (seen: 6.7 s) from timing out and being sent again, a load effect,
    // not the fan-out this scenario compares; 5 waves x (3 x 16 s + 2 s) still
    // fit one Express run, as the forced inline layout below checks
    const fan = this.api.addTarget('fan', { url: `${UPSTREAM}/v1/items/{name}`, timeout: Duration.seconds(15) });
    const slow = this.api.addTarget('slow', { url: `${UPSTREAM}/v1/slow`, timeout: Duration.seconds(1) });
    const refused = this.api.addTarget('refused', { url: `${REFUSED_UPSTREAM}/v1/refused`, timeout: Duration.seconds(5) });
    const orders = this.api.addTarget('orders', {
      url: `${UPSTREAM}/v1/orders`,
      methods: ['POST'],
      requestHeaders: ['Accept-Language', 'Content-Type'],
      staticHeaders: { 'X-Client': 'lane' },
      timeout: Duration.seconds(5),
    });
    this.archive = new ResponseArchive(this, 'Archive');

    const item = (name: string, probe?: string): InvokerRequest =>
      ({ target: items, id: name, pathParameters: { name }, ...(probe ? { queryParameters: { probe } } : {}) });
    const scenario = (sid: ScenarioId, requests: InvokerRequest[], extra: { maxConcurrency?: number; sink?: ResponseArchive } = {}) => {
      this.invokers[sid] = new ScheduledInvoker(this, `Scenario-${sid}`, {
        schedule: InvokerSchedule.rate(Duration.hours(1)),
        requests,
        retry: { maxAttempts: 2, interval: Duration.seconds(1), backoffRate: 1, jitter: false },
        // one alarm set is enough to deploy; the scenarios do not read alarms
        alarms: false,
        // LocalStack cannot run the distributed layout (LOCALSTACK_NO_ITEM_BATCHER)
        layout: InvokerLayout.INLINE,
        ...extra,
      });
    };
    scenario('ok', [item('ok', 'first')]);
    scenario('created', [item('created')]);
    scenario('notFound', [item('missing')]);
    scenario('unavailable', [item('flaky')]);
    scenario('throttled', [item('busy')]);
    scenario('timeout', [{ target: slow, id: 'slow' }]);
    scenario('refused', [{ target: refused, id: 'refused' }]);
    const fanItem = (name: string): InvokerRequest => ({ target: fan, id: name, pathParameters: { name } });
    scenario('fanOut', Array.from({ length: FAN_OUT }, (_, i) => fanItem(`fan-${String(i + 1).padStart(2, '0')}`)), { maxConcurrency: 10 });
    scenario('tooLarge', [item('large'), item('small')]);
    scenario('archive', [item('doc-a', 'x'), item('doc-b')], { sink: this.archive });
    scenario('post', [
      { target: orders, id: 'json', body: RequestBody.fromObject({ since: 'yesterday', limit: 2 }), headers: { 'Accept-Language': 'de' } },
      { target: orders, id: 'text', body: RequestBody.fromText('since=yesterday'), headers: { 'Content-Type': 'text/plain' } },
    ]);
  }
}

/** The stack, synthesized with fixed availability zones. */
export function laneScenarioStack(): LaneScenarioStack {
  const app = new App({ context: { 'aws:cdk:version-reporting': false, ...availabilityZonesContext(TEST_ACCOUNT, TEST_REGION) } });
  return new LaneScenarioStack(app, 'LaneScenarios');
}
