/**
 * A ScheduledInvoker in the distributed layout, for the scans, cdk-nag,
 * the least-privilege walk and the static AWS rules: 1,000 requests on the
 * default settings (AUTO takes the distributed layout past 20 of them),
 * over a route with a path parameter and a POST route with a body, each
 * response kept by a ResponseArchive with change detection, alarms to an
 * encrypted topic, and the results in the bucket the invoker creates.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { testStack } from './test-stack';
import { createAlarmTopic } from '../../examples/alarm-topic';
import { HttpProxyApi, InvokerRequest, InvokerSchedule, RequestBody, ResponseArchive, ScheduledInvoker } from '../../src';

/** Requests of the distributed stack. */
export const DISTRIBUTED_REQUESTS = 1000;

export function distributedInvokerStack(): Stack {
  const stack = testStack('DistributedInvoker');
  const api = new HttpProxyApi(stack, 'Egress');
  const items = api.addTarget('items', { url: 'https://feed.example.com/v1/items/{item}', timeout: Duration.seconds(10) });
  const orders = api.addTarget('orders', { url: 'https://partner.example/api/orders', methods: ['POST'] });
  const archive = new ResponseArchive(stack, 'Archive', { changeDetection: {}, removalPolicy: RemovalPolicy.DESTROY });
  const requests: InvokerRequest[] = [...Array(DISTRIBUTED_REQUESTS - 1).keys()].map((i) => ({ target: items, id: `item-${i}`, pathParameters: { item: `item-${i}` } }));
  requests.push({ target: orders, id: 'order-feed', body: RequestBody.fromObject({ since: 'yesterday' }) });
  new ScheduledInvoker(stack, 'Poller', {
    schedule: InvokerSchedule.rate(Duration.hours(1)),
    requests,
    sink: archive,
    alarmTopic: createAlarmTopic(stack),
    resultsRemovalPolicy: RemovalPolicy.DESTROY,
  });
  return stack;
}
