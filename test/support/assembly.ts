import * as fs from 'fs';
import * as path from 'path';

/** A 64-hex-digit asset hash, as CDK writes into asset keys and parameters. */
const ASSET_HASH = /[0-9a-f]{64}/g;

function normalize(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.replace(ASSET_HASH, '<asset-hash>');
  }
  if (Array.isArray(value)) {
    return value.map(normalize);
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(ASSET_HASH, '<asset-hash>'), normalize(v)]));
  }
  return value;
}

/** Every stack template of a cloud assembly by stack name, asset hashes replaced. */
export function normalizeAssemblyTemplates(outdir: string): Record<string, unknown> {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
  const result: Record<string, unknown> = {};
  for (const [name, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack') {
      result[name] = normalize(JSON.parse(fs.readFileSync(path.join(outdir, artifact.properties.templateFile), 'utf8')));
    }
  }
  return result;
}

/** Paths at which two JSON values differ, with both sides, at most 20. */
export function templateDifferences(expected: unknown, actual: unknown, at = '$', out: string[] = []): string[] {
  if (out.length >= 20) {
    return out;
  }
  if (typeof expected !== typeof actual || Array.isArray(expected) !== Array.isArray(actual) || expected === null || actual === null || typeof expected !== 'object') {
    if (JSON.stringify(expected) !== JSON.stringify(actual)) {
      out.push(`${at}: expected ${JSON.stringify(expected)?.slice(0, 200)} but got ${JSON.stringify(actual)?.slice(0, 200)}`);
    }
    return out;
  }
  const keys = new Set([...Object.keys(expected as object), ...Object.keys(actual as object)]);
  for (const key of keys) {
    templateDifferences((expected as any)[key], (actual as any)[key], `${at}.${key}`, out);
  }
  return out;
}

/** A file asset of a cloud assembly and where `cdk deploy` publishes it (bucket and key as the manifest writes them, `${AWS::...}` placeholders included). */
export interface FileAsset {
  readonly path: string;
  readonly bucketName: string;
  readonly objectKey: string;
}

/**
 * Every file asset of the asset manifests (`*.assets.json`) at the top of
 * a cloud assembly, each destination once. Directory assets (zip
 * packaging) are left out: nothing here deploys code.
 */
export function fileAssetsOf(outdir: string): FileAsset[] {
  const out: FileAsset[] = [];
  for (const file of fs.readdirSync(outdir).filter((f) => f.endsWith('.assets.json'))) {
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf8'));
    for (const asset of Object.values<any>(manifest.files ?? {})) {
      if ((asset.source.packaging ?? 'file') !== 'file') continue;
      for (const d of Object.values<any>(asset.destinations ?? {})) {
        out.push({ path: path.join(outdir, asset.source.path), bucketName: d.bucketName, objectKey: d.objectKey });
      }
    }
  }
  return out;
}
