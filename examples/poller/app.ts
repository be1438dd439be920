// Synthesizes the public variant (see stack.ts).
import { App } from 'aws-cdk-lib';
import { PollerStack } from './stack';

const app = new App();
new PollerStack(app, 'InsideOutPoller', { env: { account: '111111111111', region: 'eu-west-1' } });
app.synth();
