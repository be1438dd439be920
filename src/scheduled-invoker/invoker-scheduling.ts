import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../common/acknowledgements';
import { invalidProp } from '../common/errors';
import { ManagedPolicyRole } from '../common/managed-policy-role';
import { acknowledgeInTemplate } from '../common/template-acknowledgements';

/*
 * What starts a ScheduledInvoker: the schedule's options, each checked, the
 * role Scheduler assumes and the dead-letter queue of failed starts. Each
 * function takes the invoker as its scope, so construct ids and error
 * messages are the invoker's.
 */

/** The queue for starts that failed after Scheduler's retries: SSE-SQS, TLS only, 14 days. */
export function createDeadLetterQueue(scope: Construct): sqs.Queue {
  const queue = new sqs.Queue(scope, 'DeadLetterQueue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  acknowledge(queue, 'deadLetterQueueOfSchedule');
  acknowledge(queue, 'deadLetterQueueOfScheduleRedrive');
  acknowledgeInTemplate(queue, 'deadLetterQueueSseSqs');
  acknowledgeInTemplate(queue, 'deadLetterQueueOfDeadLetters');
  return queue;
}

/**
 * The role Scheduler assumes to start executions and to dead-letter. Its
 * trust names the schedule group: "the value of aws:SourceArn must be
 * your EventBridge Scheduler schedule group ARN"; a condition on a schedule
 * ARN or name prefix makes Scheduler's AssumeRole fail (EventBridge
 * Scheduler user guide, "Confused deputy prevention",
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html).
 */
export function createSchedulerRole(scope: Construct, group: scheduler.IScheduleGroup): iam.Role {
  return new ManagedPolicyRole(scope, 'SchedulerRole', {
    description: 'Lets EventBridge Scheduler start the ScheduledInvoker state machine and dead-letter failed starts',
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
      conditions: {
        StringEquals: {
          'aws:SourceAccount': Stack.of(scope).account,
        },
        ArnEquals: {
          'aws:SourceArn': group.scheduleGroupArn,
        },
      },
    }),
  }, 'Start the state machine of one ScheduledInvoker, and dead-letter failed starts');
}

/** Scheduler's flexible time window, from `flexibleTimeWindow`: off, or whole minutes from 1 to 1440. */
export function timeWindow(scope: Construct, window: Duration | undefined): scheduler.TimeWindow {
  if (window === undefined) {
    return scheduler.TimeWindow.off();
  }
  const minutes = window.isUnresolved() ? NaN : window.toSeconds() / 60;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
    throw invalidProp(scope, 'flexibleTimeWindow', window.isUnresolved() ? 'a token' : window.toHumanString(), 'whole minutes from 1 to 1440');
  }
  return scheduler.TimeWindow.flexible(window);
}

/** `scheduleStart` and `scheduleEnd`, each a valid Date, the end after the start. */
export function scheduleDates(scope: Construct, start: Date | undefined, end: Date | undefined): { start?: Date; end?: Date } {
  for (const [prop, d] of [['scheduleStart', start], ['scheduleEnd', end]] as const) {
    if (d !== undefined && (!(d instanceof Date) || Number.isNaN(d.getTime()))) {
      throw invalidProp(scope, prop, d instanceof Date ? 'an invalid Date' : d, 'a valid Date');
    }
  }
  if (start && end && end.getTime() <= start.getTime()) {
    throw invalidProp(scope, 'scheduleEnd', end.toISOString(), `a time after scheduleStart (${start.toISOString()})`);
  }
  return { start, end };
}

/** How often Scheduler retries a failed start: 0 to 185, 3 by default. */
export function scheduleRetryAttempts(scope: Construct, attempts: number | undefined): number {
  const value = attempts ?? 3;
  if (!Number.isInteger(value) || value < 0 || value > 185) {
    throw invalidProp(scope, 'scheduleRetryAttempts', value, 'a whole number from 0 to 185');
  }
  return value;
}

/** How long Scheduler keeps retrying a failed start: 1 minute to 24 hours, 1 hour by default. */
export function scheduleMaxEventAge(scope: Construct, age: Duration | undefined): Duration {
  const value = age ?? Duration.hours(1);
  const seconds = value.isUnresolved() ? NaN : value.toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds < 60 || seconds > 86_400) {
    throw invalidProp(scope, 'scheduleMaxEventAge', value.isUnresolved() ? 'a token' : value.toHumanString(), 'whole seconds from 1 minute to 24 hours');
  }
  return value;
}
