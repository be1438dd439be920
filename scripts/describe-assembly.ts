// Prints what a synthesized cloud assembly holds: each stack, its resource
// count and template size, and the resource types it uses.
import * as fs from 'fs';
import * as path from 'path';

const outdir = process.argv[2] ?? 'cdk.out';
const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
const stacks = Object.entries<any>(manifest.artifacts ?? {}).filter(([, a]) => a.type === 'aws:cloudformation:stack');
if (stacks.length === 0) {
  console.error(`no stacks in ${outdir}`);
  process.exit(1);
}
console.log(`Synthesized ${stacks.length} stack(s) into ${outdir}/`);
for (const [name, artifact] of stacks) {
  const file = path.join(outdir, artifact.properties.templateFile);
  const text = fs.readFileSync(file, 'utf8');
  const resources = Object.values<any>(JSON.parse(text).Resources ?? {});
  const byType = new Map<string, number>();
  resources.forEach((r) => byType.set(r.Type, (byType.get(r.Type) ?? 0) + 1));
  console.log(`\n${name} (${artifact.environment}): ${resources.length} resources, ${text.length} bytes in ${file}`);
  for (const [type, count] of [...byType].sort()) {
    console.log(`  ${String(count).padStart(4)}  ${type}`);
  }
}
