/**
 * Deploys synthesized templates through LocalStack's CloudFormation and runs
 * their state machines in LocalStack's Step Functions, as the AWS CLI and
 * SDK would against an account: file assets are uploaded to the CDK assets
 * bucket named in the assembly's asset manifest, the template is passed by
 * S3 URL (it is over CloudFormation's 51,200-byte inline limit,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html),
 * and the stack must reach CREATE_COMPLETE with every resource
 * CREATE_COMPLETE.
 *
 * LocalStack is started by scripts/with-localstack.sh, which passes its
 * address as LOCALSTACK_ENDPOINT. LocalStack takes a 12-digit access key id
 * as the account id, so each template is deployed in the account and
 * Region it was synthesized for.
 *
 *     const deployed = await deployOnLocalStack({ stackName, template, account, region, assetsDir });
 *     const run = await startSyncExecution(deployed.client, deployed.physicalId('MachineId'), input);
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CloudFormationClient, CreateStackCommand, DescribeStackEventsCommand, DescribeStackResourcesCommand, DescribeStacksCommand, StackResource } from '@aws-sdk/client-cloudformation';
import { CreateBucketCommand, HeadBucketCommand, PutObjectCommand, S3Client, BucketLocationConstraint } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';

/** LocalStack's address, from scripts/with-localstack.sh. */
export function localStackEndpoint(): string {
  const endpoint = process.env.LOCALSTACK_ENDPOINT;
  if (!endpoint) {
    throw new Error('LOCALSTACK_ENDPOINT is not set: run the lane with `npx projen test:localstack` (scripts/with-localstack.sh starts LocalStack)');
  }
  return endpoint;
}

/** SDK clients for one account and Region of LocalStack. */
export interface LocalStackClients {
  readonly account: string;
  readonly region: string;
  readonly cloudFormation: CloudFormationClient;
  readonly s3: S3Client;
  readonly sfn: SFNClient;
  readonly secretsManager: SecretsManagerClient;
}

const clientCache = new Map<string, LocalStackClients>();

/** Clients signed as `account` (LocalStack reads the account from a 12-digit access key id). */
export function localStackClients(account: string, region: string): LocalStackClients {
  const key = `${account}/${region}`;
  let clients = clientCache.get(key);
  if (!clients) {
    const config = { region, endpoint: localStackEndpoint(), credentials: { accessKeyId: account, secretAccessKey: 'localstack-lane' } };
    clients = {
      account,
      region,
      cloudFormation: new CloudFormationClient(config),
      s3: new S3Client({ ...config, forcePathStyle: true }),
      // StartSyncExecution is sent to the `sync-states.` host prefix, which
      // does not resolve on 127.0.0.1
      sfn: new SFNClient({ ...config, disableHostPrefix: true }),
      secretsManager: new SecretsManagerClient(config),
    };
    clientCache.set(key, clients);
  }
  return clients;
}

/** Closes every client made by localStackClients. */
export function destroyLocalStackClients(): void {
  for (const c of clientCache.values()) {
    c.cloudFormation.destroy();
    c.s3.destroy();
    c.sfn.destroy();
    c.secretsManager.destroy();
  }
  clientCache.clear();
}

let providers: Set<string> | undefined;

/**
 * The resource types LocalStack's CloudFormation has a resource provider
 * for, read from LocalStack's own plugin registry in .venv-localstack.
 * LocalStack runs with CFN_IGNORE_UNSUPPORTED_RESOURCE_TYPES=1 (offline, its
 * pre-deployment support check marks every type unsupported, for it cannot
 * fetch its catalog), and with that it reports a resource of a type without
 * a provider CREATE_COMPLETE without creating anything: deployOnLocalStack
 * refuses such a template instead.
 */
export function localStackResourceProviders(): Set<string> {
  if (!providers) {
    const python = path.join(__dirname, '..', '..', '..', '.venv-localstack', 'bin', 'python');
    const out = execFileSync(python, ['-c', [
      'from plux import PluginManager',
      'from localstack.services.cloudformation.resource_provider import CloudFormationResourceProviderPlugin as P',
      'print("\\n".join(sorted(PluginManager(P.namespace).list_names())))',
    ].join('\n')], { encoding: 'utf8', env: { ...process.env, OVERRIDE_IN_DOCKER: '0', FILESYSTEM_ROOT: path.join(__dirname, '..', '..', '..', '.tmp', 'localstack', 'providers') } });
    providers = new Set(out.split('\n').filter(Boolean));
  }
  return providers;
}

/** Resource types of a template that LocalStack would only pretend to create. */
export function typesWithoutProvider(template: any): string[] {
  const known = localStackResourceProviders();
  return [...new Set(Object.values<any>(template.Resources).map((r) => r.Type as string))]
    .filter((type) => !type.startsWith('Custom::') && !known.has(type)).sort();
}

async function ensureBucket(clients: LocalStackClients, bucket: string): Promise<void> {
  try {
    await clients.s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    await clients.s3.send(new CreateBucketCommand({
      Bucket: bucket,
      // outside us-east-1, S3 needs the Region as location constraint
      ...(clients.region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: clients.region as BucketLocationConstraint } }),
    }));
  }
}

/**
 * Uploads every file asset of the asset manifests (`*.assets.json`) in a
 * cloud assembly directory to its destination bucket and key, as `cdk
 * deploy` does; `${AWS::AccountId}`, `${AWS::Region}` and
 * `${AWS::Partition}` in the destination are filled in. Directory assets
 * (zip packaging) are refused: none of the lane's stacks has one.
 */
export async function uploadFileAssets(clients: LocalStackClients, assetsDir: string): Promise<string[]> {
  const uploaded: string[] = [];
  const fill = (s: string) => s.replace(/\$\{AWS::AccountId\}/g, clients.account).replace(/\$\{AWS::Region\}/g, clients.region).replace(/\$\{AWS::Partition\}/g, 'aws');
  for (const manifestFile of fs.readdirSync(assetsDir).filter((f) => f.endsWith('.assets.json'))) {
    const manifest = JSON.parse(fs.readFileSync(path.join(assetsDir, manifestFile), 'utf8'));
    for (const [hash, asset] of Object.entries<any>(manifest.files ?? {})) {
      if (asset.source.packaging === 'zip') {
        throw new Error(`asset ${hash} of ${manifestFile} is a directory (zip packaging), which uploadFileAssets does not pack`);
      }
      // the template itself is passed by deployOnLocalStack
      if (asset.source.path.endsWith('.template.json')) continue;
      for (const destination of Object.values<any>(asset.destinations)) {
        const bucket = fill(destination.bucketName);
        await ensureBucket(clients, bucket);
        const body = fs.readFileSync(path.join(assetsDir, asset.source.path));
        await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: fill(destination.objectKey), Body: body }));
        uploaded.push(`s3://${bucket}/${fill(destination.objectKey)}`);
      }
    }
  }
  return uploaded;
}

/** Creates a Secrets Manager secret, as the user does before deploying a template that resolves it. */
export async function createSecret(clients: LocalStackClients, name: string, secretString: string): Promise<string> {
  const r = await clients.secretsManager.send(new CreateSecretCommand({ Name: name, SecretString: secretString }));
  return r.ARN!;
}

/** A stack deployed on LocalStack. */
export interface DeployedStack {
  readonly stackName: string;
  readonly clients: LocalStackClients;
  /** Every resource of the stack, as DescribeStackResources lists them. */
  readonly resources: StackResource[];
  /** The stack's outputs, by key. */
  readonly outputs: Record<string, string>;
  /** Seconds from CreateStack to CREATE_COMPLETE. */
  readonly seconds: number;
  /** The physical id of a resource, by logical id (a bucket's name, a state machine's ARN, a REST API's id). */
  physicalId(logicalId: string): string;
}

export interface DeployOptions {
  readonly stackName: string;
  /** The template to deploy, as prepared by prepareForLocalStack. */
  readonly template: any;
  readonly account: string;
  readonly region: string;
  /** A cloud assembly directory whose file assets are uploaded first. */
  readonly assetsDir?: string;
  /** How long to wait for CREATE_COMPLETE. @default 240 s */
  readonly timeoutSeconds?: number;
}

/** Why a stack did not create: each failed resource with its reason. */
async function failures(clients: LocalStackClients, stackName: string): Promise<string[]> {
  const events = await clients.cloudFormation.send(new DescribeStackEventsCommand({ StackName: stackName }));
  return (events.StackEvents ?? [])
    .filter((e) => e.ResourceStatus?.endsWith('FAILED'))
    .map((e) => `${e.LogicalResourceId} (${e.ResourceType}): ${e.ResourceStatus} ${e.ResourceStatusReason ?? ''}`.trim());
}

/**
 * Uploads the assets and the template, creates the stack and waits until it
 * is created. Throws, naming every failed resource and its reason, when the
 * stack or any resource does not reach CREATE_COMPLETE.
 */
export async function deployOnLocalStack(options: DeployOptions): Promise<DeployedStack> {
  const clients = localStackClients(options.account, options.region);
  const faked = typesWithoutProvider(options.template);
  if (faked.length > 0) {
    throw new Error(`${options.stackName}: LocalStack has no resource provider for ${faked.join(', ')} and would report them created without creating them; leave them out (test/localstack/support/lane-template.ts) with the reason`);
  }
  if (options.assetsDir) {
    await uploadFileAssets(clients, options.assetsDir);
  }
  const bucket = `lane-templates-${options.account}-${options.region}`;
  await ensureBucket(clients, bucket);
  const key = `${options.stackName}.template.json`;
  await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(options.template), ContentType: 'application/json' }));

  const started = Date.now();
  await clients.cloudFormation.send(new CreateStackCommand({
    StackName: options.stackName,
    TemplateURL: `${localStackEndpoint()}/${bucket}/${key}`,
    Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
    OnFailure: 'DO_NOTHING',
  }));
  const deadline = started + (options.timeoutSeconds ?? 240) * 1000;
  let status = '';
  let reason = '';
  let outputs: Record<string, string> = {};
  for (;;) {
    const stack = (await clients.cloudFormation.send(new DescribeStacksCommand({ StackName: options.stackName }))).Stacks?.[0];
    status = stack?.StackStatus ?? 'MISSING';
    reason = stack?.StackStatusReason ?? '';
    outputs = Object.fromEntries((stack?.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
    if (!status.endsWith('_IN_PROGRESS')) break;
    if (Date.now() > deadline) {
      throw new Error(`${options.stackName} still ${status} after ${options.timeoutSeconds ?? 240} s`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const seconds = (Date.now() - started) / 1000;
  const resources = (await clients.cloudFormation.send(new DescribeStackResourcesCommand({ StackName: options.stackName }))).StackResources ?? [];
  const notCreated = resources.filter((r) => r.ResourceStatus !== 'CREATE_COMPLETE');
  if (status !== 'CREATE_COMPLETE' || notCreated.length > 0) {
    const why = await failures(clients, options.stackName);
    throw new Error([
      `${options.stackName} ended ${status}${reason ? ` (${reason})` : ''}; resources not CREATE_COMPLETE:`,
      ...notCreated.map((r) => `  ${r.LogicalResourceId} (${r.ResourceType}): ${r.ResourceStatus} ${r.ResourceStatusReason ?? ''}`),
      'failure events:',
      ...why.map((w) => `  ${w}`),
    ].join('\n'));
  }
  const byId = new Map(resources.map((r) => [r.LogicalResourceId!, r.PhysicalResourceId!]));
  return {
    stackName: options.stackName,
    clients,
    resources,
    outputs,
    seconds,
    physicalId(logicalId: string) {
      const id = byId.get(logicalId);
      if (id === undefined) throw new Error(`${options.stackName} has no resource ${logicalId}`);
      return id;
    },
  };
}

/** How an execution ended, as DescribeExecution or StartSyncExecution tell it. */
export interface ExecutionResult {
  readonly executionArn: string;
  readonly status: string;
  readonly output?: any;
  readonly error?: string;
  readonly cause?: string;
}

/** Runs an Express state machine synchronously (StartSyncExecution). */
export async function startSyncExecution(
  clients: LocalStackClients, stateMachineArn: string, input: unknown, name?: string,
): Promise<ExecutionResult> {
  const r = await clients.sfn.send(new StartSyncExecutionCommand({ stateMachineArn, input: JSON.stringify(input), name }));
  return { executionArn: r.executionArn!, status: r.status!, output: r.output ? JSON.parse(r.output) : undefined, error: r.error, cause: r.cause };
}

/** Starts an execution (StartExecution) and waits until it is no longer RUNNING. */
export async function startExecution(
  clients: LocalStackClients, stateMachineArn: string, input: unknown, name?: string, timeoutSeconds = 240,
): Promise<ExecutionResult> {
  const { executionArn } = await clients.sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input), name }));
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const d = await clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING' && d.status !== 'PENDING_REDRIVE') {
      return { executionArn: executionArn!, status: d.status!, output: d.output ? JSON.parse(d.output) : undefined, error: d.error, cause: d.cause };
    }
    if (Date.now() > deadline) throw new Error(`${executionArn} still ${d.status} after ${timeoutSeconds} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
