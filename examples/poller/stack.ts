// The public variant: an egress API with two allow-listed targets, an
// invoker that polls them every 15 minutes, and an archive that keeps every
// response and announces each real change (at least once).
//
// Its stages log, so the account needs API Gateway's CloudWatch role in the
// Region (the quickstart sets it with cloudWatchRole: true; README, "The
// account CloudWatch role").
import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { createAlarmTopic } from '../alarm-topic';
import { HttpProxyApi, HttpProxyTarget, InvokerSchedule, ResponseArchive, ScheduledInvoker } from 'cdk-inside-out-gateway';

export class PollerStack extends Stack {
  public readonly api: HttpProxyApi;
  public readonly prices: HttpProxyTarget;
  public readonly status: HttpProxyTarget;
  public readonly archive: ResponseArchive;
  public readonly poller: ScheduledInvoker;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.api = new HttpProxyApi(this, 'Egress');
    this.prices = this.api.addTarget('prices', {
      url: 'https://api.shop.example/v1/prices/{sku}',
      queryParameters: ['currency'],
    });
    // a status page that has not answered in 5 seconds is as good as down
    this.status = this.api.addTarget('status', { url: 'https://status.partner.example/api/summary', timeout: Duration.seconds(5) });

    this.archive = new ResponseArchive(this, 'Archive', {
      // a change of price, not of the timestamp beside it, is news; the
      // status summary is compared whole
      changeDetection: { targetHashPaths: { prices: '$.price' } },
    });

    this.poller = new ScheduledInvoker(this, 'Poller', {
      schedule: InvokerSchedule.rate(Duration.minutes(15)),
      requests: [
        { target: this.prices, pathParameters: { sku: 'widget-1' }, queryParameters: { currency: 'EUR' } },
        { target: this.prices, pathParameters: { sku: 'widget-2' }, queryParameters: { currency: 'EUR' } },
        { target: this.status },
      ],
      sink: this.archive,
      alarmTopic: createAlarmTopic(this),
    });
  }
}
