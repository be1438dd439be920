// The quickstart app: an egress API with two allow-listed targets and a
// role that may call one of them. The same app is written in Python and
// Java beside this file; the consumer tests compare the three templates.
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { HttpProxyApi } from 'cdk-inside-out-gateway';

const app = new App();
const stack = new Stack(app, 'InsideOutQuickstart', {
  env: { account: '111111111111', region: 'eu-west-1' },
});

const api = new HttpProxyApi(stack, 'Egress');

const forecast = api.addTarget('forecast', {
  url: 'https://api.open-meteo.example/v1/forecast/{city}',
  queryParameters: ['days'],
  staticQueryParameters: { units: 'metric' },
});

api.addTarget('status', {
  url: 'https://status.partner.example/api',
  proxy: true,
});

const poller = new iam.Role(stack, 'PollerRole', {
  assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
});
forecast.grantInvoke(poller);

app.synth();
