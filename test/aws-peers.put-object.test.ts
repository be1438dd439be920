/**
 * The harness's `aws-sdk:s3:putObject` stores a Body as Step Functions'
 * AWS SDK integration does (support/aws-peers.ts, stepFunctionsPutObject):
 * the JSON serialization of whatever value Body is, so a string keeps its
 * quotes. The cases and byte counts are the ones LocalStack's AWS-validated
 * snapshot test `test_s3_put_object` recorded against AWS (ContentLength
 * 11, 16, 15, 5 and 1). The LocalStack lane found the difference: before,
 * the harness stored a string Body as it was, and so hid that the archive
 * stored each record as one quoted string.
 */
import * as crypto from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { LocalAwsPeers } from './support/aws-peers';

const peers = new LocalAwsPeers();
const BUCKET = 'put-object-rule';
let putObject: (input: any) => Promise<any>;

beforeAll(async () => {
  await peers.start();
  await peers.createBucket(BUCKET);
  putObject = peers.handlers()['arn:aws:states:::aws-sdk:s3:putObject'];
});
afterAll(() => peers.stop());

async function stored(key: string): Promise<string> {
  const got = await peers.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return got.Body!.transformToString();
}

describe('aws-sdk:s3:putObject serializes Body as JSON, as Step Functions does', () => {
  test.each([
    ['a string, quotes included', 'text data', '"text data"', 11],
    ['an object, compact', { Dict: 'Value' }, '{"Dict":"Value"}', 16],
    ['a list, compact', ['List', 'Data'], '["List","Data"]', 15],
    ['a boolean', false, 'false', 5],
    ['a number', 0, '0', 1],
  ])('GIVEN Body %s WHEN the task runs THEN the object holds its JSON text', async (_what, body, text, bytes) => {
    // WHEN
    await putObject({ Bucket: BUCKET, Key: `k-${bytes}`, Body: body });

    // THEN
    const object = await stored(`k-${bytes}`);
    expect(object).toBe(text);
    expect(Buffer.byteLength(object)).toBe(bytes);
  });

  test('GIVEN a text hashed with ChecksumAlgorithm SHA256 WHEN the task runs THEN the checksum is that of the stored JSON string literal', async () => {
    // WHEN
    const result = await putObject({ Bucket: BUCKET, Key: 'hashed', Body: '{"price":10}', ChecksumAlgorithm: 'SHA256' });

    // THEN
    expect(result.ChecksumSHA256).toBe(crypto.createHash('sha256').update('"{\\"price\\":10}"').digest('base64'));
  });
});
