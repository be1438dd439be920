/**
 * The S3 key of one archived response, as a Step Functions intrinsic:
 *
 *     <prefix>target=<target id>/date=<yyyy-mm-dd>/<execution name>-<execution hash>/<request index>-<request id>.json
 *
 * Hive-style `target=` and `date=` partitions let Athena and Glue prune by
 * target and day; the date is the execution's start date (UTC), so every
 * response of one run shares a partition.
 *
 * The execution name alone is not unique: Express executions may reuse a
 * name, so two runs would write the same keys. The MD5 of `$$.Execution.Id`
 * (an execution's ARN, unique per execution) makes the key unique per
 * execution, and stays the same when the same execution is run again.
 */
export const ARCHIVE_KEY_FORMAT = '<prefix>target=<target id>/date=<yyyy-mm-dd>/<execution name>-<MD5 of the execution ARN>/<request index>-<request id>.json';

/**
 * The S3 key under which the text that change detection hashes is written
 * (and overwritten by each run): S3 returns its SHA-256, with no limit on
 * its size. The leading `_` keeps it out of Athena and Glue tables on the
 * prefix, which skip names starting with `_`.
 */
export const HASH_INPUT_KEY_FORMAT = '<prefix>_hash-inputs/target=<target id>/<request id>.json';

/** An archive prefix: path segments of characters that need no escaping, each ending in `/`. */
export const ARCHIVE_PREFIX = /^([A-Za-z0-9_.=-]+\/)*$/;

/**
 * @param prefix the archive prefix, matching ARCHIVE_PREFIX
 */
export function archiveKeyExpression(prefix: string): string {
  const date = "States.ArrayGetItem(States.StringSplit($$.Execution.StartTime, 'T'), 0)";
  const execution = "States.Hash($$.Execution.Id, 'MD5')";
  return `States.Format('${prefix}target={}/date={}/{}-{}/{}-{}.json', $.request.target, ${date}, $$.Execution.Name, ${execution}, $.index, $.request.id)`;
}

/**
 * @param prefix the archive prefix, matching ARCHIVE_PREFIX
 */
export function hashInputKeyExpression(prefix: string): string {
  return `States.Format('${prefix}_hash-inputs/target={}/{}.json', $.request.target, $.request.id)`;
}
