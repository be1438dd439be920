import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AssetHashType, Token } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { RequestItem } from './request-list';
import { invalidProp } from '../common/errors';

/**
 * The request list as the distributed layout ships it: a JSON array, one
 * item per request, each with its `index` in the whole list (a child
 * execution sees only its batch, so `$$.Map.Item.Index` there counts from
 * 0 in every batch).
 */
export interface SerializedRequestList {
  /** The file's content. */
  readonly text: string;
  /** SHA-256 of the content, hex. */
  readonly sha256: string;
  /** UTF-8 bytes of the largest item, and its index. */
  readonly largestItem: { readonly bytes: number; readonly index: number };
}

/**
 * The request items as one JSON array, in one pass: each item serialized
 * once, measured in UTF-8 bytes (what the 256 KiB payload quota counts)
 * and checked for tokens. A file uploaded at deploy time is not read by
 * CloudFormation, so a deploy-time value in it would reach the state
 * machine as the text `${Token[...]}`; such a request is refused.
 */
export function serializeRequestList(scope: Construct, items: RequestItem[]): SerializedRequestList {
  let largest = { bytes: 0, index: 0 };
  const parts = items.map((item, index) => {
    const json = JSON.stringify({ ...item, index });
    if (Token.isUnresolved(json)) {
      throw invalidProp(scope, `requests[${index}]`, `'${item.id}' with a deploy-time value (a token) in its query, headers or body`,
        'literal values: the distributed layout ships the request list as a file, which CloudFormation does not resolve');
    }
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes > largest.bytes) {
      largest = { bytes, index };
    }
    return json;
  });
  const text = `[${parts.join(',\n')}]\n`;
  return { text, sha256: crypto.createHash('sha256').update(text).digest('hex'), largestItem: largest };
}

/**
 * A CDK file asset holding the request list: the CLI uploads it to the
 * bootstrap bucket when the stack is deployed (no Lambda, no custom
 * resource). The file is written under the system's temporary directory,
 * at a path named by its content's SHA-256, so the asset's hash and key
 * depend on the requests only, not on the machine; a file already there
 * has the same content and is kept.
 */
export function requestListAsset(scope: Construct, id: string, list: SerializedRequestList): s3assets.Asset {
  const dir = path.join(os.tmpdir(), 'cdk-inside-out-gateway', 'request-lists', list.sha256);
  const file = path.join(dir, 'requests.json');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true });
    // written whole under another name, then renamed: a reader never sees half a file
    const partial = `${file}.${process.pid}.partial`;
    fs.writeFileSync(partial, list.text);
    fs.renameSync(partial, file);
  }
  return new s3assets.Asset(scope, id, { path: file, assetHash: list.sha256, assetHashType: AssetHashType.CUSTOM });
}
