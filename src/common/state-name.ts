import * as crypto from 'crypto';

/**
 * The longest state name Step Functions accepts: "Must be 80 characters or
 * less" (Amazon States Language, "States": state names; the quota is also
 * listed in "Step Functions service quotas").
 */
export const STATE_NAME_MAX_LENGTH = 80;

/**
 * A state name made of a fixed part and a name the user chose (a target
 * id), e.g. `Archive: hash part (prices)`. When the whole would be longer
 * than 80 characters, the user's part is cut and a short hash of it keeps
 * the name unique: `Archive: hash part (a-very-long-target…3f9a1c)`.
 *
 * @param base the fixed part
 * @param detail the user's part, shown in parentheses
 */
export function stateName(base: string, detail: string): string {
  const whole = `${base} (${detail})`;
  if (whole.length <= STATE_NAME_MAX_LENGTH) {
    return whole;
  }
  const hash = crypto.createHash('sha256').update(detail).digest('hex').slice(0, 6);
  const room = STATE_NAME_MAX_LENGTH - base.length - ' (…)'.length - hash.length;
  return `${base} (${detail.slice(0, Math.max(room, 1))}…${hash})`;
}
