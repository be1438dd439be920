/**
 * The S3 key of one archived response, as a Step Functions intrinsic:
 *
 *     <prefix>target=<target id>/date=<yyyy-mm-dd>/<execution name>/<request index>-<request id>.json
 *
 * Hive-style `target=` and `date=` partitions let Athena and Glue prune by
 * target and day; the date is the execution's start date (UTC), so every
 * response of one run shares a partition.
 */
export const ARCHIVE_KEY_FORMAT = '<prefix>target=<target id>/date=<yyyy-mm-dd>/<execution name>/<request index>-<request id>.json';

/** An archive prefix: path segments of characters that need no escaping, each ending in `/`. */
export const ARCHIVE_PREFIX = /^([A-Za-z0-9_.=-]+\/)*$/;

/**
 * @param prefix the archive prefix, matching ARCHIVE_PREFIX
 */
export function archiveKeyExpression(prefix: string): string {
  const date = "States.ArrayGetItem(States.StringSplit($$.Execution.StartTime, 'T'), 0)";
  return `States.Format('${prefix}target={}/date={}/{}/{}-{}.json', $.request.target, ${date}, $$.Execution.Name, $.index, $.request.id)`;
}
