/**
 * Local AWS peers on 127.0.0.1 for executed state machines: dynalite
 * (DynamoDB, in process) and fauxqs (S3, SNS and SQS, in a child process
 * because it is ESM only), with the Task handlers that stand in for Step
 * Functions' service integrations:
 *
 * - `aws-sdk:s3:putObject` -> PutObject, its Body serialized as Step
 *   Functions serializes it (stepFunctionsPutObject); errors become `S3.<name>`;
 * - `dynamodb:updateItem` / `dynamodb:getItem` (optimized integrations,
 *   DynamoDB JSON in and out) -> UpdateItem / GetItem; errors become
 *   `DynamoDB.<name>`, e.g. `DynamoDB.ConditionalCheckFailedException`;
 * - `sns:publish` -> Publish; errors become `SNS.<name>`.
 *
 * SNS messages are read back through an SQS queue subscribed to the topic.
 */
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite');

const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local-peers-only' };

export class LocalAwsPeers {
  public s3!: S3Client;
  public dynamodb!: DynamoDBClient;
  public sns!: SNSClient;
  public sqs!: SQSClient;
  /** Make the next n S3 writes fail, as an outage would. */
  public failS3Writes = 0;
  /** Make the next n SNS publishes fail. */
  public failPublishes = 0;
  private fauxqs?: ChildProcess;
  private dynaliteServer?: any;

  public async start(): Promise<void> {
    this.dynaliteServer = dynalite({ createTableMs: 0, updateTableMs: 0, deleteTableMs: 0 });
    await new Promise<void>((resolve) => this.dynaliteServer.listen(0, '127.0.0.1', resolve));
    const dynamoPort = this.dynaliteServer.address().port;

    this.fauxqs = spawn(process.execPath, ['--no-warnings', path.join(__dirname, 'peers', 'fauxqs-server.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      this.fauxqs!.stdout!.on('data', (chunk) => {
        out += chunk;
        const line = out.split('\n')[0];
        if (out.includes('\n')) resolve(JSON.parse(line).port);
      });
      this.fauxqs!.on('exit', (code) => reject(new Error(`fauxqs exited with ${code}`)));
    });
    const endpoint = (p: number) => `http://127.0.0.1:${p}`;
    this.s3 = new S3Client({ region: REGION, endpoint: endpoint(port), forcePathStyle: true, credentials: CREDENTIALS });
    this.sns = new SNSClient({ region: REGION, endpoint: endpoint(port), credentials: CREDENTIALS });
    this.sqs = new SQSClient({ region: REGION, endpoint: endpoint(port), credentials: CREDENTIALS });
    this.dynamodb = new DynamoDBClient({ region: REGION, endpoint: endpoint(dynamoPort), credentials: CREDENTIALS });
  }

  public async stop(): Promise<void> {
    this.s3?.destroy();
    this.sns?.destroy();
    this.sqs?.destroy();
    this.dynamodb?.destroy();
    if (this.fauxqs && this.fauxqs.exitCode === null) {
      const exited = new Promise((resolve) => this.fauxqs!.once('exit', resolve));
      this.fauxqs.kill('SIGTERM');
      await exited;
    }
    if (this.dynaliteServer) {
      await new Promise((resolve) => this.dynaliteServer.close(resolve));
    }
  }

  public async createBucket(name: string): Promise<void> {
    await this.s3.send(new CreateBucketCommand({ Bucket: name }));
  }

  /** Creates a table, keyed as the template's AWS::DynamoDB::Table properties say (`pk` by default). */
  public async createTable(name: string, properties?: { KeySchema: any[]; AttributeDefinitions: any[] }): Promise<void> {
    await this.dynamodb.send(new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: properties?.AttributeDefinitions ?? [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: properties?.KeySchema ?? [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }));
  }

  /** Creates a queue; returns its URL and ARN, a sender, and a count of its visible messages. */
  public async createQueue(name: string) {
    const { QueueUrl } = await this.sqs.send(new CreateQueueCommand({ QueueName: name }));
    const attrs = await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    return {
      url: QueueUrl!,
      arn: attrs.Attributes!.QueueArn!,
      send: async (body: string, attributes: Record<string, string>) => {
        await this.sqs.send(new SendMessageCommand({
          QueueUrl,
          MessageBody: body,
          MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])),
        }));
      },
      visibleMessages: async () => {
        const r = await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
        return Number(r.Attributes?.ApproximateNumberOfMessages ?? 0);
      },
    };
  }

  /** Creates a topic with a queue subscribed to it; returns the topic ARN and a reader of its messages. */
  public async createTopic(name: string): Promise<{ topicArn: string; messages: () => Promise<any[]> }> {
    const { TopicArn } = await this.sns.send(new CreateTopicCommand({ Name: name }));
    const { QueueUrl } = await this.sqs.send(new CreateQueueCommand({ QueueName: `${name}-reader` }));
    const attrs = await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    await this.sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: attrs.Attributes!.QueueArn, Attributes: { RawMessageDelivery: 'true' } }));
    const seen: any[] = [];
    const messages = async () => {
      for (;;) {
        const r = await this.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        if (!r.Messages?.length) break;
        seen.push(...r.Messages.map((m) => JSON.parse(m.Body!)));
      }
      return [...seen];
    };
    return { topicArn: TopicArn!, messages };
  }

  /** Keys and bodies (parsed when they are JSON) of every current object under a prefix. */
  public async objects(bucket: string, prefix = ''): Promise<Array<{ key: string; body: any }>> {
    const listed = await this.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    const out: Array<{ key: string; body: any }> = [];
    for (const o of listed.Contents ?? []) {
      const got = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }));
      const text = await got.Body!.transformToString();
      let body: any;
      try {
        body = JSON.parse(text);
      } catch {
        body = text; // see the malformed-JSON case in poller.e2e.test.ts
      }
      out.push({ key: o.Key!, body });
    }
    return out.sort((a, b) => a.key.localeCompare(b.key));
  }

  /** Task handlers by integration resource. */
  public handlers(): Record<string, (input: any) => Promise<any>> {
    const named = (service: string) => (e: any) => {
      throw Object.assign(new Error(e.message), { name: `${service}.${e.name}` });
    };
    return {
      'arn:aws:states:::aws-sdk:s3:putObject': async (input) => {
        if (this.failS3Writes > 0) {
          this.failS3Writes--;
          throw Object.assign(new Error('We encountered an internal error. Please try again.'), { name: 'S3.S3Exception' });
        }
        const r = await this.s3.send(new PutObjectCommand(stepFunctionsPutObject(input))).catch(named('S3'));
        // S3 answers with the checksum it verified when one was asked for
        return { ETag: r.ETag, VersionId: r.VersionId, ...(r.ChecksumSHA256 ? { ChecksumSHA256: r.ChecksumSHA256 } : {}) };
      },
      'arn:aws:states:::dynamodb:updateItem': async (input) => {
        const r = await this.dynamodb.send(new UpdateItemCommand(input)).catch(named('DynamoDB'));
        return r.Attributes ? { Attributes: r.Attributes } : {};
      },
      'arn:aws:states:::dynamodb:getItem': async (input) => {
        const r = await this.dynamodb.send(new GetItemCommand(input)).catch(named('DynamoDB'));
        return r.Item ? { Item: r.Item } : {};
      },
      'arn:aws:states:::sns:publish': async (input) => {
        if (this.failPublishes > 0) {
          this.failPublishes--;
          throw Object.assign(new Error('Internal error'), { name: 'SNS.InternalErrorException' });
        }
        const r = await this.sns.send(new PublishCommand(input)).catch(named('SNS'));
        return { MessageId: r.MessageId };
      },
    };
  }
}

/**
 * The PutObject request Step Functions' AWS SDK integration makes of a
 * task's parameters: Body is a blob, and a Body given as JSON is sent as
 * its JSON serialization, whatever its type. An object is stored as its
 * compact JSON text, and a string as a JSON string literal, quotes
 * included: `"text data"` is stored as the 11 bytes `"text data"`. No AWS
 * page says so; it was recorded against AWS by LocalStack's AWS-validated
 * snapshot test `test_s3_put_object` (tests/aws/services/stepfunctions/v2/
 * services/test_aws_sdk_task_service.snapshot.json in localstack/localstack,
 * validated 2025-11-06: ContentLength 11, and an ETag that is the MD5 of the
 * quoted text), and LocalStack's interpreter does the same
 * (docs/end-to-end.md, "Deviations").
 */
export function stepFunctionsPutObject(parameters: any): any {
  if (!('Body' in parameters)) return parameters;
  return { ...parameters, Body: JSON.stringify(parameters.Body) };
}

/** Every Task state of a definition, Map and Parallel branches included: name and resource. */
export function taskStates(definition: any): Array<{ name: string; resource: string }> {
  const out: Array<{ name: string; resource: string }> = [];
  const walk = (states: Record<string, any>) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Task') out.push({ name, resource: state.Resource });
      if (state.ItemProcessor) walk(state.ItemProcessor.States);
      if (state.Iterator) walk(state.Iterator.States);
      for (const b of state.Branches ?? []) walk(b.States);
    }
  };
  walk(definition.States);
  return out;
}
