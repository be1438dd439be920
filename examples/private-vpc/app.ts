// Synthesizes the fully private variant (see stack.ts).
import { App } from 'aws-cdk-lib';
import { PrivateVpcStack } from './stack';

const account = '111111111111';
const region = 'eu-west-1';

// A stack with an explicit account and Region takes its availability zones
// from the context `cdk synth` keeps in cdk.context.json after looking them
// up; synthesized without that lookup, its subnets would name the
// placeholder zones dummy1a and dummy1b, which no Region has. This entry
// gives the example account the zone names eu-west-1 has in every account;
// with your own account in env the entry no longer applies, and `cdk synth`
// looks your zones up.
const app = new App({
  context: { [`availability-zones:account=${account}:region=${region}`]: [`${region}a`, `${region}b`, `${region}c`] },
});
new PrivateVpcStack(app, 'InsideOutPrivateVpc', { env: { account, region } });
app.synth();
