/**
 * An ESTIMATE of the CloudWatch Logs bytes a Step Functions execution
 * writes at each log level, without execution data (the library's
 * default). aws-local-stepfunctions emits its own events, not Step
 * Functions' history events, so each local event is mapped to the history
 * events AWS records for it (a Task attempt is TaskScheduled, TaskStarted
 * and TaskSucceeded or TaskFailed; a Map adds MapStateStarted,
 * MapIterationStarted/Succeeded and MapStateSucceeded), and each history
 * event is written as a log record of the shape Step Functions uses
 * (id, type, details, previous_event_id, event_timestamp, execution_arn,
 * redrive_count) with realistic names and ARNs.
 *
 * Levels (Step Functions developer guide, "Log levels"): ALL logs every
 * event; ERROR logs the error events (failed tasks, failed map iterations,
 * failed, timed-out or aborted executions); FATAL only failed, timed-out
 * or aborted executions; OFF nothing.
 */
import { LocalEvent } from './transitions';

export type SfnLogLevel = 'ALL' | 'ERROR' | 'FATAL' | 'OFF';

const ERROR_TYPES = new Set(['TaskFailed', 'TaskTimedOut', 'MapIterationFailed', 'MapStateFailed', 'ExecutionFailed', 'ExecutionTimedOut', 'ExecutionAborted']);
const FATAL_TYPES = new Set(['ExecutionFailed', 'ExecutionTimedOut', 'ExecutionAborted']);

interface HistoryEvent {
  readonly type: string;
  readonly details: Record<string, unknown>;
}

const EXECUTION_ARN = 'arn:aws:states:us-east-1:123456789012:express:BenchPollerStateMachine1A2B3C4D-AbCdEfGhIjKl:'
  + '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0:1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d';

/** The history events AWS records for a run, from the local event log. */
export function historyEvents(events: LocalEvent[], resources: Record<string, string> = {}): HistoryEvent[] {
  const out: HistoryEvent[] = [];
  const task = (name: string) => {
    const [, , , service, action] = (resources[name] ?? 'arn:aws:states:::apigateway:invoke').split(':');
    return { resourceType: service ?? 'apigateway', resource: action ?? 'invoke', region: 'us-east-1' };
  };
  for (const e of events) {
    const name = e.state?.name ?? '';
    switch (e.type) {
      case 'ExecutionStarted':
        out.push({ type: 'ExecutionStarted', details: { input: '', inputDetails: { truncated: false }, roleArn: 'arn:aws:iam::123456789012:role/Bench-PollerRole1A2B3C4D-AbCdEfGhIjKl' } });
        break;
      case 'ExecutionSucceeded':
        out.push({ type: 'ExecutionSucceeded', details: { output: '', outputDetails: { truncated: false } } });
        break;
      case 'ExecutionFailed':
        out.push({ type: 'ExecutionFailed', details: { error: e.Error ?? 'States.TaskFailed', cause: '' } });
        break;
      case 'StateEntered':
        out.push({ type: `${e.state!.type}StateEntered`, details: { input: '', inputDetails: { truncated: false }, name } });
        if (e.state!.type === 'Task') {
          out.push({ type: 'TaskScheduled', details: { ...task(name), parameters: '', timeoutInSeconds: 30 } }, { type: 'TaskStarted', details: task(name) });
        }
        if (e.state!.type === 'Map') out.push({ type: 'MapStateStarted', details: { length: 1 } });
        break;
      case 'StateFailed':
        // every failed attempt, retried, caught or not
        if (e.state?.type === 'Task') out.push({ type: 'TaskFailed', details: { ...task(name), error: e.Error ?? 'States.TaskFailed', cause: '' } });
        break;
      case 'StateRetried':
        out.push({ type: 'TaskScheduled', details: { ...task(name), parameters: '', timeoutInSeconds: 30 } }, { type: 'TaskStarted', details: task(name) });
        break;
      case 'StateExited':
        if (e.state!.type === 'Task') out.push({ type: 'TaskSucceeded', details: { ...task(name), output: '', outputDetails: { truncated: false } } });
        if (e.state!.type === 'Map') out.push({ type: 'MapStateSucceeded', details: {} });
        out.push({ type: `${e.state!.type}StateExited`, details: { name, output: '', outputDetails: { truncated: false } } });
        break;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        out.push({ type: e.type, details: { index: e.index ?? 0, name: 'Invoke each request' } });
        break;
      default:
        break;
    }
  }
  return out;
}

/** Bytes of the log records of one level, each record a JSON line as Step Functions writes it. */
export function logBytes(history: HistoryEvent[], level: SfnLogLevel): { events: number; bytes: number } {
  const keep = (type: string) => level === 'ALL' || (level === 'ERROR' && ERROR_TYPES.has(type)) || (level === 'FATAL' && FATAL_TYPES.has(type));
  let events = 0;
  let bytes = 0;
  history.forEach((h, i) => {
    if (!keep(h.type)) return;
    events++;
    bytes += Buffer.byteLength(JSON.stringify({
      id: String(i + 1),
      type: h.type,
      details: h.details,
      previous_event_id: String(i),
      event_timestamp: '1795507200000',
      execution_arn: EXECUTION_ARN,
      redrive_count: '0',
    }));
  });
  return { events, bytes };
}
