// Synthesizes the fan-out example (see stack.ts).
import { App } from 'aws-cdk-lib';
import { FanOutStack } from './stack';

const app = new App();
new FanOutStack(app, 'InsideOutFanOut', { env: { account: '111111111111', region: 'eu-west-1' } });
app.synth();
