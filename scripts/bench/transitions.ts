/**
 * Billable Step Functions units from an aws-local-stepfunctions event log.
 *
 * Standard workflows are billed per state transition: the Step Functions
 * pricing page counts one for every step a workflow runs, and one more
 * for each retry of a step. So one
 * transition per `StateEntered` event (states inside Map iterations
 * included) plus one per `StateRetried` event. Map iterations themselves,
 * and the execution start and end, are not states.
 */
export interface LocalEvent {
  readonly type: string;
  readonly state?: { name: string; type: string };
  readonly index?: number;
  readonly Error?: string;
}

export interface TransitionCount {
  readonly statesEntered: number;
  readonly retries: number;
  /** statesEntered + retries: what a STANDARD execution is billed. */
  readonly transitions: number;
  /** Task attempts by state type: every Task entry plus its retries. */
  readonly taskAttempts: number;
  readonly mapIterations: number;
}

export function countTransitions(events: LocalEvent[]): TransitionCount {
  const statesEntered = events.filter((e) => e.type === 'StateEntered').length;
  const retries = events.filter((e) => e.type === 'StateRetried').length;
  const taskEntries = events.filter((e) => e.type === 'StateEntered' && e.state?.type === 'Task').length;
  const taskRetries = events.filter((e) => e.type === 'StateRetried' && e.state?.type === 'Task').length;
  return {
    statesEntered,
    retries,
    transitions: statesEntered + retries,
    taskAttempts: taskEntries + taskRetries,
    mapIterations: events.filter((e) => e.type === 'MapIterationStarted').length,
  };
}
