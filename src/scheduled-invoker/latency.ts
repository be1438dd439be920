/**
 * Milliseconds between two ISO-8601 UTC timestamps (`...T10:05:07.123Z`,
 * or without the fraction), as a Step Functions intrinsic expression.
 *
 * Step Functions has no date arithmetic, so the timestamps are split into
 * hours, minutes, seconds and milliseconds with single-character
 * `States.StringSplit` calls (whose meaning is the same in every
 * implementation) and each part becomes a number through `States.Format`
 * with a leading `1` or `-1`, which keeps zero-padded parts valid JSON.
 * Hour differences go through a table taken modulo 24 hours, so a request
 * running over midnight is measured correctly; results are modulo a day.
 *
 * @param start a path to the start time, e.g. `$.startedAt`
 * @param end a path to the end time, e.g. `$$.State.EnteredTime`
 */
export function latencyMsExpression(start: string, end: string): string {
  const s = clockParts(start);
  const e = clockParts(end);
  // index (end hour - start hour + 23) -> that many hours modulo a day
  const hourTable = [...Array(47).keys()].map((i) => (((i - 23) % 24) + 24) % 24 * 3_600_000);
  const hours = `States.ArrayGetItem(States.Array(${hourTable.join(', ')}), ${difference(e.h, s.h, 23)})`;
  const minutes = `States.ArrayGetItem(States.ArrayRange(-3540000, 3540000, 60000), ${difference(e.m, s.m, 59)})`;
  const millis = `States.MathAdd(${asNumber(`'1{}{}', ${e.s}, ${e.ms}`)}, ${asNumber(`'-1{}{}', ${s.s}, ${s.ms}`)})`;
  return `States.MathAdd(States.MathAdd(${hours}, ${minutes}), ${millis})`;
}

interface ClockParts {
  readonly h: string;
  readonly m: string;
  readonly s: string;
  readonly ms: string;
}

function item(array: string, index: number): string {
  return `States.ArrayGetItem(${array}, ${index})`;
}

function split(text: string, delimiter: string): string {
  return `States.StringSplit(${text}, '${delimiter}')`;
}

function clockParts(timestamp: string): ClockParts {
  const clock = split(item(split(timestamp, 'T'), 1), ':');
  // "07.123Z" or "07Z" -> "07.123" or "07" -> "07.123.000" or "07.000"
  const seconds = split(`States.Format('{}.000', ${item(split(item(clock, 2), 'Z'), 0)})`, '.');
  return { h: item(clock, 0), m: item(clock, 1), s: item(seconds, 0), ms: item(seconds, 1) };
}

function asNumber(formatArgs: string): string {
  return `States.StringToJson(States.Format(${formatArgs}))`;
}

/** end - start + offset, for zero-padded two-digit parts. */
function difference(end: string, start: string, offset: number): string {
  return `States.MathAdd(States.MathAdd(${asNumber(`'1{}', ${end}`)}, ${asNumber(`'-1{}', ${start}`)}), ${offset})`;
}
