/**
 * Reads what one run of a ScheduledInvoker in the distributed layout left
 * in S3, the way a user would read it: the run's `manifest.json` (the Key
 * of the Distributed Map's ResultWriterDetails, which the run's output
 * names as `results.manifestKey`), the result files it lists, and in each
 * SUCCEEDED record the child execution's Output, which is the JSON text of
 * the child's own output `{ trigger, requestCount, requests: [...] }`
 * (Step Functions developer guide, "ResultWriter (Map)",
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html).
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';

/** The outcomes a request's record can have (README, "One result per request"). */
export const REQUEST_OUTCOMES = ['SUCCEEDED', 'FAILED', 'SINK_FAILED', 'RESPONSE_TOO_LARGE'] as const;

export interface RunResults {
  readonly manifest: any;
  /** The records of each result file, by status (SUCCEEDED, FAILED, PENDING). */
  readonly files: Record<string, any[]>;
  /** Every request's record, from the Output of each SUCCEEDED child, in file order. */
  readonly requests: any[];
  /** Records per outcome, every outcome listed. */
  readonly outcomes: Record<string, number>;
}

async function readJson(s3: S3Client, bucket: string, key: string): Promise<any> {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse(await got.Body!.transformToString());
}

/** Reads the manifest, every result file it lists, and the request records in the SUCCEEDED ones. */
export async function readRunResults(s3: S3Client, bucket: string, manifestKey: string): Promise<RunResults> {
  const manifest = await readJson(s3, bucket, manifestKey);
  const files: Record<string, any[]> = {};
  for (const [status, listed] of Object.entries<Array<{ Key: string }>>(manifest.ResultFiles)) {
    files[status] = [];
    for (const file of listed) {
      files[status].push(...await readJson(s3, manifest.DestinationBucket, file.Key));
    }
  }
  const requests = (files.SUCCEEDED ?? []).flatMap((record) => JSON.parse(record.Output).requests);
  const outcomes: Record<string, number> = Object.fromEntries(REQUEST_OUTCOMES.map((o) => [o, 0]));
  for (const r of requests) {
    outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
  }
  return { manifest, files, requests, outcomes };
}
