import { Duration, TimeZone, Token } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { IConstruct } from 'constructs';
import { invalidProp } from '../common/errors';

/** Fields of a cron schedule; an omitted field means "every". */
export interface InvokerCronOptions {
  /**
   * Minute, 0-59.
   *
   * @default '*'
   */
  readonly minute?: string;

  /**
   * Hour, 0-23.
   *
   * @default '*'
   */
  readonly hour?: string;

  /**
   * Day of the month, 1-31. Give `day` or `weekDay`, not both.
   *
   * @default - '*' unless `weekDay` is given
   */
  readonly day?: string;

  /**
   * Month, 1-12 or JAN-DEC.
   *
   * @default '*'
   */
  readonly month?: string;

  /**
   * Day of the week, 1-7 or SUN-SAT. Give `day` or `weekDay`, not both.
   *
   * @default - any day of the week
   */
  readonly weekDay?: string;

  /**
   * Year.
   *
   * @default '*'
   */
  readonly year?: string;

  /**
   * The time zone the fields are read in, so that 09:00 stays 09:00 across
   * daylight saving changes.
   *
   * @default TimeZone.ETC_UTC
   */
  readonly timeZone?: TimeZone;
}

type ScheduleKind = { kind: 'rate'; duration: Duration } | { kind: 'expression'; expression: string } | { kind: 'once'; date: Date };

/**
 * When a `ScheduledInvoker` runs: a rate, a cron expression in a time zone,
 * or once. Checked when the invoker is created, so a mistake fails synth
 * with the prop named, not at deploy time.
 *
 * @example
 * // every 15 minutes
 * InvokerSchedule.rate(Duration.minutes(15));
 * // at the top of each working hour in Paris, daylight saving included
 * InvokerSchedule.cron({ minute: '0', hour: '8-18', weekDay: 'MON-FRI', timeZone: TimeZone.EUROPE_PARIS });
 */
export class InvokerSchedule {
  /**
   * Every `duration`, a whole number of minutes (at least one).
   *
   * @param duration the interval, e.g. `Duration.minutes(15)`
   */
  public static rate(duration: Duration): InvokerSchedule {
    return new InvokerSchedule({ kind: 'rate', duration });
  }

  /**
   * On a cron schedule, in a time zone.
   *
   * @param options the cron fields and time zone
   */
  public static cron(options: InvokerCronOptions): InvokerSchedule {
    const day = options.day ?? (options.weekDay === undefined ? '*' : '?');
    const weekDay = options.weekDay ?? '?';
    const fields = [options.minute ?? '*', options.hour ?? '*', day, options.month ?? '*', weekDay, options.year ?? '*'];
    return new InvokerSchedule({ kind: 'expression', expression: `cron(${fields.join(' ')})` }, options.timeZone);
  }

  /**
   * A Scheduler expression as text: `rate(5 minutes)`,
   * `cron(0 9 ? * MON-FRI *)` or `at(2026-12-01T09:00:00)`.
   *
   * @param expression the expression
   * @param timeZone the time zone of a cron or at expression
   * @default TimeZone.ETC_UTC
   */
  public static expression(expression: string, timeZone?: TimeZone): InvokerSchedule {
    return new InvokerSchedule({ kind: 'expression', expression }, timeZone);
  }

  /**
   * Once, at the given instant (UTC, whole seconds).
   *
   * @param date when to run
   */
  public static once(date: Date): InvokerSchedule {
    return new InvokerSchedule({ kind: 'once', date });
  }

  /** The time zone of a cron or at expression. */
  public readonly timeZone?: TimeZone;

  private readonly spec: ScheduleKind;

  private constructor(spec: ScheduleKind, timeZone?: TimeZone) {
    this.spec = spec;
    this.timeZone = timeZone;
  }

  /**
   * Checks the schedule and renders it for EventBridge Scheduler.
   *
   * @internal
   */
  public _bind(scope: IConstruct, prop: string): scheduler.ScheduleExpression {
    const expression = this.render(scope, prop);
    checkExpression(scope, prop, expression);
    if (expression.startsWith('rate(') && this.timeZone) {
      throw invalidProp(scope, `${prop}.timeZone`, this.timeZone.timezoneName, 'no time zone on a rate schedule; time zones apply to cron and at expressions');
    }
    return scheduler.ScheduleExpression.expression(expression, this.timeZone);
  }

  private render(scope: IConstruct, prop: string): string {
    switch (this.spec.kind) {
      case 'rate': {
        const d = this.spec.duration;
        if (d.isUnresolved()) {
          throw invalidProp(scope, prop, 'a token', 'InvokerSchedule.rate() with a literal Duration of whole minutes, at least 1 minute');
        }
        const seconds = d.toSeconds();
        if (seconds < 60 || seconds % 60 !== 0) {
          throw invalidProp(scope, prop, `rate of ${d.toHumanString()}`, 'a rate of whole minutes, at least 1 minute');
        }
        const minutes = seconds / 60;
        const [value, unit] = minutes % 1440 === 0 ? [minutes / 1440, 'day'] : minutes % 60 === 0 ? [minutes / 60, 'hour'] : [minutes, 'minute'];
        return `rate(${value} ${unit}${value === 1 ? '' : 's'})`;
      }
      case 'once': {
        const t = this.spec.date.getTime();
        if (Number.isNaN(t)) {
          throw invalidProp(scope, prop, 'an invalid Date', 'InvokerSchedule.once() with a valid Date');
        }
        return `at(${this.spec.date.toISOString().slice(0, 19)})`;
      }
      default:
        if (Token.isUnresolved(this.spec.expression)) {
          throw invalidProp(scope, prop, this.spec.expression, 'a literal expression, so it can be checked at synth time');
        }
        return this.spec.expression.trim();
    }
  }
}

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const AT = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/;
const CRON = /^cron\((.*)\)$/;

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: string[];
  /** Characters allowed besides `, - * /`. */
  readonly extra: string;
}

const CRON_FIELDS: CronField[] = [
  { name: 'minutes', min: 0, max: 59, extra: '' },
  { name: 'hours', min: 0, max: 23, extra: '' },
  { name: 'day-of-month', min: 1, max: 31, extra: '?LW' },
  { name: 'month', min: 1, max: 12, names: MONTHS, extra: '' },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, extra: '?L#' },
  { name: 'year', min: 1970, max: 2199, extra: '' },
];

const ACCEPTED = 'rate(N minute[s]|hour[s]|day[s]) with N >= 1 (singular unit for 1), '
  + 'cron(minutes hours day-of-month month day-of-week year) with six fields and "?" in day-of-month or day-of-week, '
  + 'or at(yyyy-mm-ddThh:mm:ss)';

function checkExpression(scope: IConstruct, prop: string, expression: string): void {
  const fail = (why: string) => invalidProp(scope, prop, expression, `${ACCEPTED} (${why})`);
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    if (value < 1) {
      throw fail('a rate must be at least 1');
    }
    if ((value === 1) !== !rate[2].endsWith('s')) {
      throw fail(value === 1 ? `use "${rate[2].replace(/s$/, '')}" for 1` : `use "${rate[2]}s" for ${value}`);
    }
    return;
  }
  const at = AT.exec(expression);
  if (at) {
    const [y, mo, d, h, mi, s] = at.slice(1).map(Number);
    const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
    if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
      throw fail('not a calendar date and time');
    }
    return;
  }
  const cron = CRON.exec(expression);
  if (!cron) {
    throw fail('not a rate, cron or at expression');
  }
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 6) {
    throw fail(`a cron expression has 6 fields, this one has ${fields.length}`);
  }
  fields.forEach((value, i) => {
    const why = checkCronField(CRON_FIELDS[i], value);
    if (why) {
      throw fail(`${CRON_FIELDS[i].name} field "${value}": ${why}`);
    }
  });
  const [, , dayOfMonth, , dayOfWeek] = fields;
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    throw fail('exactly one of day-of-month and day-of-week must be "?"');
  }
}

/** Why one cron field is wrong, or undefined when it is right. */
function checkCronField(field: CronField, value: string): string | undefined {
  if (value === '*' || (value === '?' && field.extra.includes('?'))) {
    return undefined;
  }
  for (const item of value.split(',')) {
    const why = checkCronItem(field, item);
    if (why) {
      return why;
    }
  }
  return undefined;
}

function checkCronItem(field: CronField, item: string): string | undefined {
  const number = (text: string): number | undefined => {
    if (/^\d+$/.test(text)) {
      const n = Number(text);
      return n >= field.min && n <= field.max ? n : undefined;
    }
    const i = field.names?.indexOf(text.toUpperCase()) ?? -1;
    return i >= 0 ? i + field.min : undefined;
  };
  const range = `${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : ''}`;
  if (field.extra.includes('L') && (item === 'L' || (field.name === 'day-of-week' && /^\w+L$/.test(item) && number(item.slice(0, -1)) !== undefined))) {
    return undefined;
  }
  if (field.extra.includes('W') && (item === 'LW' || (/^\d+W$/.test(item) && number(item.slice(0, -1)) !== undefined))) {
    return undefined;
  }
  if (field.extra.includes('#')) {
    const nth = /^(\w+)#([1-5])$/.exec(item);
    if (nth && number(nth[1]) !== undefined) {
      return undefined;
    }
  }
  const [base, step, ...rest] = item.split('/');
  if (rest.length > 0 || (step !== undefined && !/^[1-9]\d*$/.test(step))) {
    return 'a step must be a positive whole number after one "/"';
  }
  if (base === '*') {
    return undefined;
  }
  const bounds = base.split('-');
  if (bounds.length > 2 || bounds.some((b) => number(b) === undefined)) {
    return `values must be ${range}`;
  }
  return undefined;
}
