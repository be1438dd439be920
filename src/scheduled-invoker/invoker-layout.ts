/**
 * How a `ScheduledInvoker` lays out its requests in Step Functions.
 *
 * - `INLINE`: one state machine of `workflowType` holds the request list in
 *   its definition and calls every request from one inline Map state. The
 *   cheapest layout; a run must fit one execution (5 minutes for EXPRESS)
 *   and the request list and the results must each fit one state's 256 KiB.
 * - `DISTRIBUTED`: a STANDARD state machine reads the request list from an
 *   S3 object (a CDK file asset) with a Distributed Map state, hands it out
 *   in batches to child executions of `workflowType` (each calls its batch
 *   as the inline layout does), and writes every child's results to S3.
 *   Any number of requests; a run may last up to a year.
 * - `AUTO`: `INLINE` when the requests fit one execution of `workflowType`
 *   (its time budget, `maxConcurrency` of at most 40, and the 256 KiB
 *   payload), `DISTRIBUTED` otherwise.
 */
export enum InvokerLayout {
  /** Inline when the requests fit one execution of `workflowType`, distributed otherwise. */
  AUTO = 'AUTO',

  /** One state machine calls every request from one inline Map state; synth fails when they do not fit. */
  INLINE = 'INLINE',

  /** A STANDARD state machine hands the requests out in batches to child executions with a Distributed Map state. */
  DISTRIBUTED = 'DISTRIBUTED',
}
