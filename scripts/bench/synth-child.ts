/**
 * One measured synth, in a fresh node process: `synth-child.ts <json>`
 * with `{ kind: 'library' | 'baseline', requests, targets }`. It prints one
 * line, `BENCH_RESULT {...}`, with the time from process start to the
 * first line of this script (node, ts-node and module loading), the time
 * to build the constructs, the time of `app.synth()`, the peak RSS of the
 * process, the template's figures, and for the library the layout AUTO
 * took and the bytes of the request list asset (distributed layout).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildBaselineStack } from './baseline-stack';
import { benchApp, buildLibraryStack } from './library-stack';
import { templateStats } from './template-stats';

export interface SynthSpec {
  readonly kind: 'library' | 'baseline';
  readonly requests: number;
  readonly targets: number;
}

function main(): void {
  const startupMs = process.uptime() * 1000;
  const spec: SynthSpec = JSON.parse(process.argv[2]);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
  try {
    const t0 = performance.now();
    const app = benchApp(outdir);
    const built = spec.kind === 'library'
      ? buildLibraryStack(app, 'Bench', { requests: spec.requests, targets: spec.targets })
      : { stack: buildBaselineStack(app, 'Bench', { requests: spec.requests, targets: spec.targets }), invoker: undefined };
    const t1 = performance.now();
    const assembly = app.synth();
    const t2 = performance.now();
    const file = assembly.getStackByName(built.stack.stackName).templateFullPath;
    const text = fs.readFileSync(file, 'utf8');
    const stats = templateStats(JSON.parse(text), text);
    const maxRssMiB = process.resourceUsage().maxRSS / 1024;
    const asset = built.invoker?.requestListAsset;
    const requestListBytes = asset ? fs.statSync(path.join(outdir, asset.assetPath)).size : undefined;
    console.log(`BENCH_RESULT ${JSON.stringify({
      ...spec, startupMs, constructMs: t1 - t0, synthMs: t2 - t1, maxRssMiB, stats, layout: built.invoker?.layout, requestListBytes,
    })}`);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

main();
