/**
 * deployOnLocalStack with a cloud assembly's file assets, as a later stack
 * will need (a Distributed Map reading its item list from a JSON file
 * asset): the asset is uploaded where its asset manifest says, as `cdk
 * deploy` does, and the deployed template's reference to it resolves to
 * that object.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { prepareForLocalStack } from './support/lane-template';
import { deployOnLocalStack, destroyLocalStackClients } from './support/localstack';
import { TEST_ACCOUNT, TEST_REGION } from '../support/test-stack';

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'lane-assets-'));
afterAll(() => {
  destroyLocalStackClients();
  fs.rmSync(outdir, { recursive: true, force: true });
});

test('GIVEN a stack with a JSON file asset WHEN deployed on LocalStack with its assembly THEN the object is where the template says, with the file\'s content', async () => {
  // GIVEN
  const items = { items: Array.from({ length: 3 }, (_, i) => ({ id: `item-${i + 1}` })) };
  const file = path.join(outdir, 'items.json');
  fs.writeFileSync(file, JSON.stringify(items));
  const app = new App({ outdir: path.join(outdir, 'cdk.out'), context: { 'aws:cdk:version-reporting': false } });
  const stack = new Stack(app, 'LaneAssets', { env: { account: TEST_ACCOUNT, region: TEST_REGION } });
  const asset = new s3assets.Asset(stack, 'Items', { path: file });
  // a resource that names the object, since a stack needs one
  new ssm.StringParameter(stack, 'Where', { stringValue: asset.s3ObjectUrl });
  new CfnOutput(stack, 'Bucket', { value: asset.s3BucketName });
  new CfnOutput(stack, 'Key', { value: asset.s3ObjectKey });
  const assembly = app.synth();
  const template = JSON.parse(fs.readFileSync(assembly.getStackByName(stack.stackName).templateFullPath, 'utf8'));

  // WHEN
  const prepared = prepareForLocalStack(template, { stackName: 'lane-assets', account: TEST_ACCOUNT, region: TEST_REGION, upstreams: {} });
  const deployed = await deployOnLocalStack({ stackName: 'lane-assets', template: prepared.template, account: TEST_ACCOUNT, region: TEST_REGION, assetsDir: assembly.directory });

  // THEN
  expect(deployed.outputs.Bucket).toBe(`cdk-hnb659fds-assets-${TEST_ACCOUNT}-${TEST_REGION}`);
  const got = await deployed.clients.s3.send(new GetObjectCommand({ Bucket: deployed.outputs.Bucket, Key: deployed.outputs.Key }));
  expect(JSON.parse(await got.Body!.transformToString())).toEqual(items);
}, 120_000);
