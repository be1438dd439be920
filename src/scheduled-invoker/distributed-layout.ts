import { ArnFormat, Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { RUN_OF_THIS_EXECUTION } from './invoker-states';
import { DistributedPlan } from './layout-choice';
import { requestListAsset, SerializedRequestList } from './request-asset';
import { ApiEntry } from './request-list';
import { createResultsBucket } from './results-bucket';
import { acknowledgeWildcardResource } from '../common/acknowledgements';

/*
 * The distributed layout of a ScheduledInvoker: a STANDARD state machine
 * whose Distributed Map state reads the request list from a CDK file
 * asset, hands it out in batches to child executions that run the inline
 * layout's per-request states, writes every child's output to S3, and
 * then fails the run when any batch did not finish.
 *
 * Step Functions behaviour relied on (developer guide):
 * - ItemReader with `arn:aws:states:::s3:getObject` and `InputType: JSON`
 *   reads a JSON array from one object ("ItemReader (Map)",
 *   https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html);
 * - ItemBatcher passes each child `{ BatchInput, Items }` ("ItemBatcher
 *   (Map)", https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html);
 * - with ResultWriter the Map state's output is
 *   `{ MapRunArn, ResultWriterDetails: { Bucket, Key } }`, Key being the
 *   run's manifest.json ("ResultWriter (Map)",
 *   https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html);
 * - a Map Run fails only when the failed items exceed
 *   ToleratedFailurePercentage ("Setting failure thresholds for
 *   Distributed Map states",
 *   https://docs.aws.amazon.com/step-functions/latest/dg/maprun-fail-threshold.html);
 * - DescribeMapRun answers ItemCounts and ExecutionCounts, each with
 *   Failed, TimedOut, Aborted and Total; the aws-sdk integration renders
 *   the answer's fields in PascalCase (API reference, DescribeMapRun,
 *   https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeMapRun.html).
 */

/** The Distributed Map state's label: it names the Map Runs (`mapRun:<state machine>/<label>:<id>`). */
export const MAP_LABEL = 'Requests';

/** Names of the parent's states, which show in the execution history. */
export const DISTRIBUTED_STATE_NAMES = {
  map: 'Invoke each batch',
  describe: 'Read map run counts',
  finished: 'Every batch finished?',
  notFinished: 'Requests did not finish',
  summarize: 'Summarize run',
} as const;

/** The error a run ends with when requests did not finish. */
export const NOT_FINISHED_ERROR = 'ScheduledInvoker.RequestsNotFinished';

/** The actions ResultWriter needs on the results prefix ("IAM policies for ResultWriter", developer guide, "ResultWriter (Map)"). */
export const RESULT_WRITER_ACTIONS = ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'];

/** Inputs of the distributed layout. */
export interface DistributedLayoutProps {
  /** The per-request states each child execution runs (its first state reads the batch). */
  readonly batchChain: sfn.IChainable;
  readonly batchWorkflowType: sfn.StateMachineType;
  readonly plan: DistributedPlan;
  readonly list: SerializedRequestList;
  readonly apis: ApiEntry[];
  readonly requestCount: number;
  readonly resultsBucket?: s3.IBucket;
  readonly resultsPrefix: string;
  readonly resultsRemovalPolicy: RemovalPolicy;
}

/**
 * Reads the request list from the asset object. Its one grant, s3:GetObject
 * on that object's key, is made by the layout; CDK's readers grant
 * s3:GetObject on every object of the bucket (the bootstrap bucket here).
 */
class RequestListReader implements sfn.IItemReader {
  public readonly bucket: s3.IBucket;
  public readonly resource = `arn:${Aws.PARTITION}:states:::s3:getObject`;

  constructor(private readonly asset: s3assets.Asset) {
    this.bucket = asset.bucket;
  }

  public render(): any {
    return {
      Resource: this.resource,
      ReaderConfig: { InputType: 'JSON' },
      Parameters: { Bucket: this.asset.s3BucketName, Key: this.asset.s3ObjectKey },
    };
  }

  public providePolicyStatements(): iam.PolicyStatement[] {
    return [];
  }

  public validateItemReader(): string[] {
    return [];
  }
}

/**
 * A Distributed Map state with a ResultWriter whose grant the layout makes
 * itself: CDK's writers take the bucket from a feature flag's choice of
 * class and grant on every object of the bucket.
 */
class ResultWritingMap extends sfn.DistributedMap {
  constructor(scope: Construct, id: string, props: sfn.DistributedMapProps, private readonly writer: object) {
    super(scope, id, props);
  }

  public toStateJson(stateMachineQueryLanguage?: sfn.QueryLanguage): object {
    return { ...super.toStateJson(stateMachineQueryLanguage), ResultWriter: this.writer };
  }
}

/**
 * The parent's states, the request list asset, the results bucket and,
 * once the state machine exists, the role's grants.
 */
export class DistributedLayout extends Construct {
  /** The parent's first state. */
  public readonly chain: sfn.IChainable;

  /** The request list, uploaded by the CDK CLI with the stack's other assets. */
  public readonly requestList: s3assets.Asset;

  /** Where ResultWriter writes each run's results. */
  public readonly resultsBucket: s3.IBucket;

  /** The key prefix of the results: each run writes `<prefix>/<Map Run id>/manifest.json` and its result files. */
  public readonly resultsPrefix: string;

  constructor(scope: Construct, id: string, props: DistributedLayoutProps) {
    super(scope, id);
    this.requestList = requestListAsset(this, 'RequestList', props.list);
    this.resultsBucket = props.resultsBucket ?? createResultsBucket(this, props.resultsRemovalPolicy).bucket;
    this.resultsPrefix = props.resultsPrefix;
    const n = DISTRIBUTED_STATE_NAMES;
    const plan = props.plan;

    const map = new ResultWritingMap(this, n.map, {
      comment: `Batches of up to ${plan.batchSize} requests, ${plan.parallelBatches} child execution(s) at a time; `
        + 'every batch runs and is written to S3, whatever the others do',
      itemReader: new RequestListReader(this.requestList),
      itemBatcher: new sfn.ItemBatcher({
        maxItemsPerBatch: plan.batchSize,
        maxInputBytesPerBatch: plan.maxInputBytesPerBatch,
        batchInput: { 'trigger.$': '$', 'run': RUN_OF_THIS_EXECUTION, 'apis': props.apis },
      }),
      maxConcurrency: plan.parallelBatches,
      // a failed batch never stops the others: the run's results hold them all
      toleratedFailurePercentage: 100,
      label: MAP_LABEL,
      mapExecutionType: props.batchWorkflowType,
      resultSelector: {
        'mapRunArn.$': '$.MapRunArn',
        'bucket.$': '$.ResultWriterDetails.Bucket',
        'manifestKey.$': '$.ResultWriterDetails.Key',
      },
      resultPath: '$.results',
    }, {
      Resource: `arn:${Aws.PARTITION}:states:::s3:putObject`,
      Parameters: { Bucket: this.resultsBucket.bucketName, Prefix: this.resultsPrefix },
    });
    map.itemProcessor(props.batchChain);
    // Reading the list fails before any child starts, so a retry re-sends no
    // request: it outlasts the moments after a deploy when a new policy is
    // not yet in effect, or the definition and the policy name different
    // list objects (IAM is eventually consistent). A failed ResultWriter is
    // not retried: that would run every batch again.
    map.addRetry({ errors: ['States.ItemReaderFailed'], interval: Duration.seconds(10), maxAttempts: 3, backoffRate: 2 });

    const describe = new sfn.CustomState(this, n.describe, {
      stateJson: {
        Type: 'Task',
        Comment: 'How many requests and child executions of the run failed, timed out or were aborted',
        Resource: `arn:${Aws.PARTITION}:states:::aws-sdk:sfn:describeMapRun`,
        Parameters: { 'MapRunArn.$': '$.results.mapRunArn' },
        TimeoutSeconds: 10,
        ResultSelector: { 'items.$': '$.ItemCounts', 'childExecutions.$': '$.ExecutionCounts' },
        ResultPath: '$.counts',
      },
    });
    describe.addRetry({
      errors: [sfn.Errors.TIMEOUT, sfn.Errors.TASKS_FAILED],
      interval: Duration.seconds(1),
      backoffRate: 2,
      maxAttempts: 2,
      jitterStrategy: sfn.JitterType.FULL,
    });

    const counts = ['items', 'childExecutions'].flatMap((set) => ['Failed', 'TimedOut', 'Aborted'].map((c) => `$.counts.${set}.${c}`));
    const notFinished = new sfn.Fail(this, n.notFinished, {
      comment: 'Fails the run, so the invoker\'s failed-executions alarm fires; the results of every batch are in S3',
      error: NOT_FINISHED_ERROR,
      causePath: 'States.Format(\'Map Run items: {} failed, {} timed out, {} aborted of {}; child executions: {} failed, {} timed out, {} aborted. '
        + `Results: s3://{}/{}', ${counts.slice(0, 3).join(', ')}, $.counts.items.Total, ${counts.slice(3).join(', ')}, $.results.bucket, $.results.manifestKey)`,
    });
    const summarize = new sfn.Pass(this, n.summarize, {
      parameters: {
        'trigger.$': '$$.Execution.Input',
        'requestCount': props.requestCount,
        'counts.$': '$.counts',
        'results.$': '$.results',
      },
    });
    const finished = new sfn.Choice(this, n.finished)
      .when(sfn.Condition.or(...counts.map((c) => sfn.Condition.numberGreaterThan(c, 0))), notFinished)
      .otherwise(summarize);

    this.chain = map.next(describe).next(finished);
  }

  /**
   * Exactly what the layout needs, in a managed policy of its own: read the
   * request list object, write results under the prefix, and run the
   * Distributed Map state (start child executions of this state machine,
   * describe and stop them, describe its Map Runs). CDK's own policy for a
   * Distributed Map (an inline one, with states:RedriveExecution on every
   * Map Run's executions) is removed.
   *
   * The request list is in the CDK bootstrap bucket, which "by default ...
   * is configured to use AWS managed keys for server-side encryption" (CDK
   * developer guide, "Customize CDK bootstrapping",
   * https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-customizing.html):
   * the key policy of the AWS managed key aws/s3 lets principals of the
   * account use it through S3, so reading needs no KMS grant. So does the
   * key `cdk bootstrap --bootstrap-customer-key` creates (its policy allows
   * the account's principals through S3); only a key given with
   * `--bootstrap-kms-key-id` whose policy is narrower needs a grant to the
   * role from its owner (the run then fails with States.ItemReaderFailed,
   * and the failed-executions alarm fires).
   *
   * @param stateMachine the parent state machine
   * @param role its role, which the child executions run with too
   */
  public grant(stateMachine: sfn.StateMachine, role: iam.IRole): iam.ManagedPolicy {
    stateMachine.node.tryRemoveChild('DistributedMapPolicy');
    const stack = Stack.of(this);
    const name = stateMachine.stateMachineName;
    const states = (resource: string, resourceName: string) => stack.formatArn({ service: 'states', resource, resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const executions = states('execution', `${name}:*`);
    const mapRuns = states('mapRun', `${name}/${MAP_LABEL}:*`);
    const results = this.resultsBucket.arnForObjects(`${this.resultsPrefix}/*`);
    const statements = [
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.requestList.bucket.arnForObjects(this.requestList.s3ObjectKey)] }),
      new iam.PolicyStatement({ actions: RESULT_WRITER_ACTIONS, resources: [results] }),
      new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachine.stateMachineArn] }),
      new iam.PolicyStatement({ actions: ['states:DescribeExecution', 'states:StopExecution'], resources: [executions] }),
      new iam.PolicyStatement({ actions: ['states:DescribeMapRun'], resources: [mapRuns] }),
    ];
    if (this.resultsBucket.encryptionKey) {
      statements.push(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [this.resultsBucket.encryptionKey.keyArn] }));
    }
    const policy = new iam.ManagedPolicy(this, 'Grants', {
      roles: [role],
      statements,
      description: 'What the distributed layout of one ScheduledInvoker needs: its request list, its results prefix, its child executions and Map Runs',
    });
    acknowledgeWildcardResource(policy, executions, 'distributedMapExecutions');
    acknowledgeWildcardResource(policy, mapRuns, 'distributedMapRuns');
    acknowledgeWildcardResource(policy, results, 'distributedResultObjects');
    return policy;
  }
}
