// Synthesizes the fully private variant (see stack.ts).
import { App } from 'aws-cdk-lib';
import { PrivateVpcStack } from './stack';

const app = new App();
new PrivateVpcStack(app, 'InsideOutPrivateVpc', {
  env: { account: '111111111111', region: 'eu-west-1' },
});
app.synth();
