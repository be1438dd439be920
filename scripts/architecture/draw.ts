// Draws docs/architecture.{dot,svg,png} from examples/poller as it
// synthesizes now. The picture is committed; test/architecture.test.ts
// fails when the DOT no longer matches the code, and this task redraws it.
// It needs Graphviz's `dot` on PATH (Debian: apt-get install graphviz).
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import { App } from 'aws-cdk-lib';
import { ARCHITECTURE_TITLE, DIAGRAM_FILES } from './files';
import { architectureDot } from './graph';
import { PollerStack } from '../../examples/poller/stack';

const app = new App();
const stack = new PollerStack(app, 'InsideOutPoller', { env: { account: '111111111111', region: 'eu-west-1' } });
const dot = architectureDot(stack, ARCHITECTURE_TITLE);
fs.writeFileSync(DIAGRAM_FILES.dot, dot);

function draw(format: 'svg' | 'png'): Buffer {
  try {
    return execFileSync('dot', [`-T${format}`], { input: dot, maxBuffer: 64 * 1024 * 1024 });
  } catch (e: any) {
    const missing = e.code === 'ENOENT';
    console.error(missing ? 'Graphviz `dot` is not on PATH; install it (Debian: apt-get install graphviz) and run again' : String(e));
    process.exit(1);
  }
}

// the SVG carries the hash of the DOT it was drawn from, so the test can
// tell a picture drawn from an older DOT
const digest = crypto.createHash('sha256').update(dot).digest('hex');
const svg = draw('svg').toString('utf8').replace(/(<svg\b)/, `<!-- drawn from architecture.dot sha256:${digest} -->\n$1`);
fs.writeFileSync(DIAGRAM_FILES.svg, svg);
fs.writeFileSync(DIAGRAM_FILES.png, draw('png'));
console.log(`wrote ${Object.values(DIAGRAM_FILES).join(', ')} (dot sha256:${digest.slice(0, 12)})`);
