import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PlannedRequest } from './request-plan';
import { invalidProp } from '../common/errors';

/** What the alarms read from the invoker: its path and its metrics. */
export interface AlarmedInvoker extends Construct {
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricExecutionsFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricExecutionsTimedOut(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricDeadLetterQueueDepth(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** The alarms of one ScheduledInvoker. */
export interface InvokerAlarms {
  readonly executionsFailed: cloudwatch.Alarm;
  readonly deadLetterQueue: cloudwatch.Alarm;
  readonly targetErrorRates: cloudwatch.Alarm[];
}

/**
 * A ScheduledInvoker's alarms, each notifying `topic` when given: failed,
 * timed-out or aborted executions; a start in the dead-letter queue; and
 * one per requested route and method, on its error rate from the API's
 * access log.
 */
export function createInvokerAlarms(
  invoker: AlarmedInvoker, planned: PlannedRequest[], topic: sns.ITopic | undefined, threshold: number,
): InvokerAlarms {
  if (!Number.isFinite(threshold) || threshold <= 0 || threshold > 1) {
    throw invalidProp(invoker, 'errorRateThreshold', threshold, 'a number greater than 0 and at most 1 (a share of requests)');
  }
  const action = topic ? new cloudwatchActions.SnsAction(topic) : undefined;
  const withAction = (alarm: cloudwatch.Alarm): cloudwatch.Alarm => {
    if (action) {
      alarm.addAlarmAction(action);
    }
    return alarm;
  };

  const executionsFailed = withAction(new cloudwatch.Alarm(invoker, 'ExecutionsFailedAlarm', {
    alarmDescription: `An execution of ${invoker.node.path} failed, timed out or was aborted: its requests were not all made`,
    metric: new cloudwatch.MathExpression({
      // each metric is published only in a period it happened in: a
      // failure with no timeout beside it must still add up
      expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
      usingMetrics: {
        failed: invoker.metricExecutionsFailed(),
        timedOut: invoker.metricExecutionsTimedOut(),
        aborted: invoker.metric('ExecutionsAborted', { statistic: 'Sum' }),
      },
      label: 'Executions failed, timed out or aborted',
    }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  }));

  const deadLetterQueue = withAction(new cloudwatch.Alarm(invoker, 'DeadLetterQueueAlarm', {
    alarmDescription: `Scheduler could not start ${invoker.node.path} (throttled or failed starts are in its dead-letter queue)`,
    metric: invoker.metricDeadLetterQueueDepth(),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  }));

  const routes = new Map<string, PlannedRequest>();
  for (const r of planned) {
    routes.set(`${r.target.targetId}-${r.method}`, r);
  }
  const targetErrorRates = [...routes].map(([key, r]) => withAction(new cloudwatch.Alarm(invoker, `ErrorRateAlarm-${key}`, {
    alarmDescription: `At least ${threshold * 100}% of ${r.method} ${r.target.path} calls (target '${r.target.targetId}') were answered with 4XX or 5XX`,
    metric: r.target.metricErrorRate(r.method),
    threshold,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  })));
  return { executionsFailed, deadLetterQueue, targetErrorRates };
}
