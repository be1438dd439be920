/**
 * What the bench reads from a synthesized template: resource count, bytes,
 * API Gateway resources (routes) per REST API, the largest state machine
 * definition and schedule input, and the fixed-cost resources (KMS keys,
 * alarms and the metrics they read, metric filters).
 */

/** Bytes a CloudFormation reference (Ref, Fn::GetAtt) is counted as in a definition: an ARN or a name, at most about this long. */
export const TOKEN_BYTES = 80;

export interface TemplateStats {
  readonly resources: number;
  /** Bytes of the template as the CDK writes it (1-space indented JSON), which is what is uploaded. */
  readonly templateBytes: number;
  /** Bytes of the same template without indentation. */
  readonly compactTemplateBytes: number;
  readonly stateMachines: number;
  readonly schedules: number;
  /** The largest number of AWS::ApiGateway::Resource in one REST API. */
  readonly apiResourcesPerApi: number;
  readonly apiMethods: number;
  /** The largest state machine definition, its references counted as TOKEN_BYTES each. */
  readonly maxDefinitionBytes: number;
  /** The largest EventBridge Scheduler target input. */
  readonly maxScheduleInputBytes: number;
  readonly kmsKeys: number;
  readonly alarms: number;
  /** Metrics the alarms read: a metric-math alarm reads each of its metrics. */
  readonly alarmMetrics: number;
  readonly metricFilters: number;
  readonly logGroups: number;
  readonly byType: Record<string, number>;
}

function definitionBytes(definition: any): number {
  if (typeof definition === 'string') {
    return Buffer.byteLength(definition);
  }
  const join = definition?.['Fn::Join'];
  if (join) {
    return (join[1] as any[]).reduce((sum: number, part: any) => sum + (typeof part === 'string' ? Buffer.byteLength(part) : TOKEN_BYTES), 0);
  }
  return Buffer.byteLength(JSON.stringify(definition));
}

export function templateStats(template: any, templateText?: string): TemplateStats {
  const resources: Record<string, any> = template.Resources ?? {};
  const entries = Object.values<any>(resources);
  const byType: Record<string, number> = {};
  for (const r of entries) byType[r.Type] = (byType[r.Type] ?? 0) + 1;
  const of = (type: string) => entries.filter((r) => r.Type === type);

  const perApi = new Map<string, number>();
  for (const r of of('AWS::ApiGateway::Resource')) {
    const api = JSON.stringify(r.Properties.RestApiId);
    perApi.set(api, (perApi.get(api) ?? 0) + 1);
  }
  const alarms = of('AWS::CloudWatch::Alarm');
  const alarmMetrics = alarms.reduce((sum, a) => sum + (a.Properties.Metrics ? a.Properties.Metrics.filter((m: any) => m.MetricStat).length : 1), 0);
  const text = templateText ?? JSON.stringify(template, undefined, 1);
  return {
    resources: entries.length,
    templateBytes: Buffer.byteLength(text),
    compactTemplateBytes: Buffer.byteLength(JSON.stringify(template)),
    stateMachines: of('AWS::StepFunctions::StateMachine').length,
    schedules: of('AWS::Scheduler::Schedule').length,
    apiResourcesPerApi: Math.max(0, ...perApi.values()),
    apiMethods: of('AWS::ApiGateway::Method').length,
    maxDefinitionBytes: Math.max(0, ...of('AWS::StepFunctions::StateMachine').map((r) => definitionBytes(r.Properties.DefinitionString))),
    maxScheduleInputBytes: Math.max(0, ...of('AWS::Scheduler::Schedule').map((r) => definitionBytes(r.Properties.Target?.Input ?? ''))),
    kmsKeys: of('AWS::KMS::Key').length,
    alarms: alarms.length,
    alarmMetrics,
    metricFilters: of('AWS::Logs::MetricFilter').length,
    logGroups: of('AWS::Logs::LogGroup').length,
    byType,
  };
}
