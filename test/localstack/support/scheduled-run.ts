/**
 * One scheduled run on LocalStack. LocalStack's EventBridge Scheduler
 * (moto's) stores schedules but never fires them, so the lane does what a
 * firing does (EventBridge Scheduler user guide,
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html):
 * it fills the context attributes of the schedule's Target.Input and starts
 * the target state machine with it, StartSyncExecution for an Express one
 * and StartExecution for a Standard one. The schedule itself, its role and
 * its dead-letter queue are deployed but not exercised.
 */
import { DeployedStack, ExecutionResult, startExecution, startSyncExecution } from './localstack';

export interface ScheduledRun extends ExecutionResult {
  /** The input the execution got. */
  readonly input: any;
}

/** Fills the Scheduler context attributes of a target input (the same as the local harness's S1). */
export function fillScheduleInput(input: string, values: { scheduledTime: Date; executionId: string; scheduleArn: string; attempt?: number }): any {
  const time = values.scheduledTime.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return JSON.parse(input
    .replace(/<aws\.scheduler\.scheduled-time>/g, time)
    .replace(/<aws\.scheduler\.execution-id>/g, values.executionId)
    .replace(/<aws\.scheduler\.schedule-arn>/g, values.scheduleArn)
    .replace(/<aws\.scheduler\.attempt-number>/g, String(values.attempt ?? 1)));
}

/**
 * Fires the schedule `scheduleLogicalId` of a deployed template once, as
 * of `scheduledTime`, and waits for the execution to end.
 */
export async function fireSchedule(
  deployed: DeployedStack, template: any, scheduleLogicalId: string, scheduledTime: Date, executionName: string,
): Promise<ScheduledRun> {
  const schedule = template.Resources[scheduleLogicalId];
  const target = schedule.Properties.Target;
  const machineId = target.Arn.Ref as string;
  const machineArn = deployed.physicalId(machineId);
  const group = schedule.Properties.GroupName ?? 'default';
  const { account, region } = deployed.clients;
  const scheduleArn = `arn:aws:scheduler:${region}:${account}:schedule/${group}/${deployed.physicalId(scheduleLogicalId)}`;
  const input = fillScheduleInput(String(target.Input ?? '{}'), { scheduledTime, executionId: executionName, scheduleArn });
  const express = template.Resources[machineId].Properties.StateMachineType === 'EXPRESS';
  const result = express
    ? await startSyncExecution(deployed.clients, machineArn, input, executionName)
    : await startExecution(deployed.clients, machineArn, input, executionName);
  return { ...result, input };
}
