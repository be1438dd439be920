/**
 * A template-driven emulation of the CloudWatch parts a deployed stack
 * relies on: metric filters that turn log lines into data points, and the
 * alarms over them. One evaluation period at a time: `newPeriod()` starts
 * the next. Each rule names the guide page it follows:
 *
 * C1 JSON filter patterns: `{ $.field = "value" }` and `!=`, a `*` in a
 *    quoted value matching any characters, terms joined by `&&` and `||`
 *    and grouped by parentheses (CloudWatch Logs user guide,
 *    FilterAndPatternSyntax, "Using filter patterns to match terms in JSON
 *    log events").
 * C2 metric transformations: each matching event adds MetricValue to
 *    MetricNamespace/MetricName, under the Dimensions whose values are read
 *    from `$.field` of the event (MetricFilters, "Publishing dimensions with
 *    metrics from values in JSON or space-delimited log events").
 * C3 alarms: a metric is identified by namespace, name and its whole set of
 *    dimensions; an alarm reads one metric's Statistic over the period, or
 *    evaluates the metric math expression whose ReturnData is true, and
 *    compares it with Threshold by ComparisonOperator. With no data, or an
 *    expression that reads a metric with no data (unless FILL gives it a
 *    value), TreatMissingData decides: notBreaching is OK, breaching is
 *    ALARM, otherwise INSUFFICIENT_DATA (AlarmThatSendsEmail, "Configuring
 *    how CloudWatch alarms treat missing data"; using-metric-math).
 *
 * Not emulated: more than one evaluation period, M-out-of-N alarms,
 * anomaly detection, and math functions other than FILL.
 */

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

interface DataPoint {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Record<string, string>;
  readonly value: number;
}

/** Resolves a template value (a Ref or Fn::GetAtt) to the literal the tests use. */
export type ValueResolver = (value: any) => string;

export class CloudWatchEmulator {
  private points: DataPoint[] = [];

  constructor(private readonly template: any, private readonly resolve: ValueResolver) {}

  /** Starts a new evaluation period: the data points so far are dropped. */
  public newPeriod(): void {
    this.points = [];
  }

  /** A copy holding the same data points, for metrics read only at evaluation time. */
  public snapshot(): CloudWatchEmulator {
    const copy = new CloudWatchEmulator(this.template, this.resolve);
    copy.points = [...this.points];
    return copy;
  }

  public putMetric(namespace: string, name: string, dimensions: Record<string, string>, value: number): void {
    this.points.push({ namespace, name, dimensions, value });
  }

  /** C1, C2: runs a log line through the metric filters of its log group (by logical id). */
  public ingest(logGroupLogicalId: string, line: string): void {
    let event: any;
    try {
      event = JSON.parse(line);
    } catch {
      return; // JSON patterns match JSON events only
    }
    for (const filter of Object.values<any>(this.template.Resources).filter((r) => r.Type === 'AWS::Logs::MetricFilter')) {
      if (filter.Properties.LogGroupName?.Ref !== logGroupLogicalId || !matchesFilter(filter.Properties.FilterPattern, event)) {
        continue;
      }
      for (const t of filter.Properties.MetricTransformations) {
        const dimensions = Object.fromEntries((t.Dimensions ?? []).map((d: any) => [d.Key, String(field(event, d.Value))]));
        const value = String(t.MetricValue).startsWith('$.') ? Number(field(event, t.MetricValue)) : Number(t.MetricValue);
        this.putMetric(t.MetricNamespace, t.MetricName, dimensions, value);
      }
    }
  }

  /** C3: the state of every alarm in the template, by logical id. */
  public alarmStates(): Record<string, AlarmState> {
    return Object.fromEntries(Object.entries<any>(this.template.Resources)
      .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')
      .map(([id, r]) => [id, this.evaluate(r.Properties)]));
  }

  private evaluate(alarm: any): AlarmState {
    let value: number | undefined;
    if (alarm.Metrics) {
      const stats: Record<string, number | undefined> = {};
      for (const m of alarm.Metrics.filter((x: any) => x.MetricStat)) {
        stats[m.Id] = this.statistic(m.MetricStat.Metric, m.MetricStat.Stat);
      }
      const returned = alarm.Metrics.find((x: any) => x.ReturnData !== false);
      value = returned.Expression ? evaluateExpression(returned.Expression, stats) : stats[returned.Id];
    } else {
      value = this.statistic(alarm, alarm.Statistic);
    }
    if (value === undefined || Number.isNaN(value)) {
      const treat = alarm.TreatMissingData ?? 'missing';
      return treat === 'notBreaching' ? 'OK' : treat === 'breaching' ? 'ALARM' : 'INSUFFICIENT_DATA';
    }
    return compare(alarm.ComparisonOperator, value, Number(alarm.Threshold)) ? 'ALARM' : 'OK';
  }

  private statistic(metric: any, stat: string): number | undefined {
    const dimensions = Object.fromEntries((metric.Dimensions ?? []).map((d: any) => [d.Name, this.resolve(d.Value)]));
    const values = this.points
      .filter((p) => p.namespace === metric.Namespace && p.name === metric.MetricName && sameDimensions(p.dimensions, dimensions))
      .map((p) => p.value);
    if (values.length === 0) {
      return undefined;
    }
    switch (stat) {
      case 'Sum': return values.reduce((a, b) => a + b, 0);
      case 'Maximum': return Math.max(...values);
      case 'Minimum': return Math.min(...values);
      case 'Average': return values.reduce((a, b) => a + b, 0) / values.length;
      case 'SampleCount': return values.length;
      default: throw new Error(`statistic ${stat} is not emulated`);
    }
  }
}

function sameDimensions(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function field(event: any, path: string): any {
  return path.replace(/^\$\./, '').split('.').reduce((v, k) => (v === undefined || v === null ? undefined : v[k]), event);
}

function compare(operator: string, value: number, threshold: number): boolean {
  switch (operator) {
    case 'GreaterThanOrEqualToThreshold': return value >= threshold;
    case 'GreaterThanThreshold': return value > threshold;
    case 'LessThanThreshold': return value < threshold;
    case 'LessThanOrEqualToThreshold': return value <= threshold;
    default: throw new Error(`comparison ${operator} is not emulated`);
  }
}

/** C1: a JSON filter pattern, `{ ... }`, against one event. */
export function matchesFilter(pattern: string, event: any): boolean {
  const body = pattern.trim();
  if (!body.startsWith('{') || !body.endsWith('}')) {
    throw new Error(`only JSON filter patterns are emulated, not ${pattern}`);
  }
  const tokens = body.slice(1, -1).match(/\(|\)|&&|\|\||!=|=|"(?:[^"\\]|\\.)*"|\$\.[A-Za-z0-9_.]+|-?\d+(?:\.\d+)?/g) ?? [];
  let i = 0;
  const term = (): boolean => {
    if (tokens[i] === '(') {
      i++;
      const v = or();
      i++; // ')'
      return v;
    }
    const path = tokens[i++];
    const op = tokens[i++];
    const raw = tokens[i++];
    const actual = field(event, path);
    let matched: boolean;
    if (raw.startsWith('"')) {
      const expected = JSON.parse(raw) as string;
      const re = new RegExp('^' + expected.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
      matched = actual !== undefined && actual !== null && re.test(String(actual));
    } else {
      matched = Number(actual) === Number(raw);
    }
    return op === '!=' ? !matched : matched;
  };
  const and = (): boolean => {
    let v = term();
    while (tokens[i] === '&&') {
      i++;
      v = term() && v;
    }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (tokens[i] === '||') {
      i++;
      v = and() || v;
    }
    return v;
  };
  return or();
}

/**
 * C3: a metric math expression of ids, numbers, + - * /, parentheses and
 * FILL(id, number); undefined when it reads an id with no data.
 */
export function evaluateExpression(expression: string, values: Record<string, number | undefined>): number | undefined {
  const tokens = expression.match(/FILL|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|[-+*/(),]/g) ?? [];
  let i = 0;
  const primary = (): number | undefined => {
    const t = tokens[i++];
    if (t === '(') {
      const v = sum();
      i++; // ')'
      return v;
    }
    if (t === 'FILL') {
      i++; // '('
      const v = sum();
      i++; // ','
      const fill = Number(tokens[i++]);
      i++; // ')'
      return v === undefined ? fill : v;
    }
    if (/^\d/.test(t)) {
      return Number(t);
    }
    if (!(t in values)) {
      throw new Error(`unknown id ${t} in ${expression}`);
    }
    return values[t];
  };
  const product = (): number | undefined => {
    let v = primary();
    while (tokens[i] === '*' || tokens[i] === '/') {
      const op = tokens[i++];
      const r = primary();
      v = v === undefined || r === undefined ? undefined : op === '*' ? v * r : v / r;
    }
    return v;
  };
  const sum = (): number | undefined => {
    let v = product();
    while (tokens[i] === '+' || tokens[i] === '-') {
      const op = tokens[i++];
      const r = product();
      v = v === undefined || r === undefined ? undefined : op === '+' ? v + r : v - r;
    }
    return v;
  };
  return sum();
}
