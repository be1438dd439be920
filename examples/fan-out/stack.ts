// 200 requests under one schedule: one state machine, one Map state and one
// route, however many requests there are.
//
// Its stages log, so the account needs API Gateway's CloudWatch role in the
// Region (the quickstart sets it with cloudWatchRole: true; README, "The
// account CloudWatch role").
import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { createAlarmTopic } from '../alarm-topic';
import { HttpProxyApi, InvokerRequest, InvokerSchedule, ScheduledInvoker } from 'cdk-inside-out-gateway';

/** How many requests the example makes on each tick. */
export const FAN_OUT_REQUESTS = 200;

export class FanOutStack extends Stack {
  public readonly poller: ScheduledInvoker;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const api = new HttpProxyApi(this, 'Egress');
    // a short timeout keeps the worst case of 200 requests inside one
    // Express execution's 5 minutes (synth checks the sum)
    const stations = api.addTarget('stations', {
      url: 'https://api.weather.example/v2/stations/{station}/latest',
      timeout: Duration.seconds(5),
    });

    const requests: InvokerRequest[] = [];
    for (let i = 1; i <= FAN_OUT_REQUESTS; i++) {
      requests.push({ target: stations, id: `station-${i}`, pathParameters: { station: `ST${String(i).padStart(4, '0')}` } });
    }
    this.poller = new ScheduledInvoker(this, 'Poller', {
      schedule: InvokerSchedule.rate(Duration.hours(1)),
      requests,
      maxConcurrency: 40,
      retry: { maxAttempts: 2 },
      alarmTopic: createAlarmTopic(this),
    });
  }
}
