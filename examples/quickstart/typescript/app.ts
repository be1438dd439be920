// The quickstart app: an egress API with two allow-listed targets and an
// invoker that calls them every 15 minutes. The same app is written in Python and
// Java beside this file; the consumer tests compare the three templates.
import { App, Duration, Stack } from 'aws-cdk-lib';
import { HttpProxyApi, InvokerSchedule, ScheduledInvoker } from 'cdk-inside-out-gateway';

const app = new App();
const stack = new Stack(app, 'InsideOutQuickstart', {
  env: { account: '111111111111', region: 'eu-west-1' },
});

// cloudWatchRole: a fresh account has no API Gateway CloudWatch role, and
// the stage cannot enable logging without one; leave it out where the
// account's role is already set (README: "The account CloudWatch role")
const api = new HttpProxyApi(stack, 'Egress', { cloudWatchRole: true });

const forecast = api.addTarget('forecast', {
  url: 'https://api.open-meteo.example/v1/forecast/{city}',
  queryParameters: ['days'],
  staticQueryParameters: { units: 'metric' },
});

const status = api.addTarget('status', {
  url: 'https://status.partner.example/api',
  proxy: true,
});

new ScheduledInvoker(stack, 'Poller', {
  schedule: InvokerSchedule.rate(Duration.minutes(15)),
  requests: [
    { target: forecast, pathParameters: { city: 'paris' }, queryParameters: { days: '3' } },
    { target: forecast, pathParameters: { city: 'oslo' }, queryParameters: { days: '3' } },
    { target: status, proxyPath: 'v2/summary' },
  ],
});

app.synth();
