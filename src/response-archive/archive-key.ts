/**
 * The S3 key of one archived response, as a Step Functions intrinsic:
 *
 *     <prefix>target=<target id>/date=<yyyy-mm-dd>/<run name>-<run hash>/<request index>-<request id>.json
 *
 * Hive-style `target=` and `date=` partitions let Athena and Glue prune by
 * target and day; the date is the run's start date (UTC), so every
 * response of one run shares a partition.
 *
 * The run is the execution the schedule started, which the invoker hands
 * each request as `$.run` (name, ARN, start time): in its distributed
 * layout the sink runs in child executions, whose own `$$.Execution`
 * would split one run over a folder per batch. The run's name alone is not
 * unique: Express executions may reuse a name, so two runs would write
 * the same keys. The MD5 of the run's ARN (unique per execution) makes the
 * key unique per run, and stays the same when the same execution is run
 * again. The request index is the request's position in the whole list.
 */
export const ARCHIVE_KEY_FORMAT = '<prefix>target=<target id>/date=<yyyy-mm-dd>/<run name>-<MD5 of the run ARN>/<request index>-<request id>.json';

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
  const date = "States.ArrayGetItem(States.StringSplit($.run.startTime, 'T'), 0)";
  const execution = "States.Hash($.run.id, 'MD5')";
  return `States.Format('${prefix}target={}/date={}/{}-{}/{}-{}.json', $.request.target, ${date}, $.run.name, ${execution}, $.index, $.request.id)`;
}

/**
 * @param prefix the archive prefix, matching ARCHIVE_PREFIX
 */
export function hashInputKeyExpression(prefix: string): string {
  return `States.Format('${prefix}_hash-inputs/target={}/{}.json', $.request.target, $.request.id)`;
}
