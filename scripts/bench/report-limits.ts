/**
 * The "Limits" section of docs/benchmarks.md: the inline layout's limits
 * and the stack's, found by bisection (limits.ts), and what the library
 * does near each. The hand-written warnings block sits at its end.
 */
import { API_RESOURCES, head, int, kb, row } from './report-format';
import { BenchResults } from './results';

export const WARNINGS_START = '<!-- limits-warnings -->';
export const WARNINGS_END = '<!-- /limits-warnings -->';

export function limitsSection(r: BenchResults): string[] {
  const limit = (name: string) => r.limits.find((l) => l.name === name);
  const targetsLimit = limit('library-targets');
  const perTarget = targetsLimit?.atLargest ? {
    kib: (targetsLimit.atLargest.templateBytes / targetsLimit.largestFitting / 1024).toFixed(1),
    apiResources: targetsLimit.atLargest.apiResourcesPerApi / targetsLimit.largestFitting,
  } : { kib: '?', apiResources: 2 };
  const compact = limit('library-targets-compact');
  const fits = (name: string) => int(limit(name)?.largestFitting ?? 0);
  const defaults = r.switchPoints.find((p) => p.name === 'defaults');
  return [
    '## Limits',
    '',
    'Quotas checked (us-east-1, 2026-11-24): CloudFormation 500 resources per stack and 1 MB template body from S3',
    '(CloudFormation User Guide, "Understand CloudFormation quotas"; aws-cdk-lib 2.257 uses 500 and 1,000,000 bytes);',
    'Step Functions state machine definition 1 MB, hard quota, and 256 KiB state payload (Step Functions Developer Guide,',
    '"Step Functions service quotas"); API Gateway 300 resources per REST API, default, adjustable (API Gateway Developer',
    'Guide, quotas). Each figure below is found by synthesizing: doubling the count until a synth fails, passes a quota or',
    '(for the warning rows) draws the warning, then bisecting (`scripts/bench/limits.ts`).',
    '',
    'The request rows are limits of the **inline layout**, forced here with `layout: InvokerLayout.INLINE`: one execution that',
    'carries the request list and the results in its state. With the default `InvokerLayout.AUTO` none of them stops anything:',
    'the invoker takes the distributed layout before it gets there (on the defaults at the switch point above), and that',
    'layout\'s resources and template do not grow with requests ([Synth scale](#synth-scale)). Only a forced inline layout',
    'fails synth past them.',
    '',
    ...head(['Search', 'Largest that fits', 'Resources', 'Template KiB', 'API resources', 'Definition KiB', 'What stops the next one (measured)']),
    ...r.limits.map((l) => row([l.description, int(l.largestFitting), l.atLargest ? int(l.atLargest.resources) : '-', l.atLargest ? kb(l.atLargest.templateBytes) : '-',
      l.atLargest ? int(l.atLargest.apiResourcesPerApi) : '-', l.atLargest ? kb(l.atLargest.maxDefinitionBytes) : '-',
      `${int(l.firstFailing.n)}: ${l.firstFailing.limitedBy ?? ''}${l.firstFailing.error ? ` - \`${l.firstFailing.error.replace(/\|/g, '/')}\`` : ''}`])),
    '',
    'What the library does near each limit:',
    '',
    `- **State payload (256 KiB)**: an inline execution holds at most ${fits('library-requests')} requests of the shape above (${fits('library-requests-archive')}`,
    `  with an archive, whose results are larger), even with the time budget lifted; synth warns from 80% (${fits('library-requests-warning')} and`,
    `  ${fits('library-requests-archive-warning')} still pass without it). AUTO never gets there on the defaults: the time budget moves it to the`,
    `  distributed layout past ${int(defaults?.lastInline.requests ?? 0)} requests. A forced inline layout is refused (\`invalid requests\`, "split them`,
    '  over several invokers").',
    '- **Time budget**: with EXPRESS defaults the worst-case run time (4 attempts x 30 s + retry waits, in waves of',
    '  maxConcurrency) passes 5 minutes above the EXPRESS figures in the table: AUTO takes the distributed layout there, a',
    '  forced inline layout fails synth with the numbers to change.',
    `- **Template size (1 MB)**: each target adds about ${perTarget.kib} KiB of template (a route, a method with one integration response`,
    '  per status code, an alarm); aws-cdk-lib warns from 800,000 bytes (`@aws-cdk/core:Stack.templateSize`) and does not',
    '  fail; CloudFormation refuses the template past 1 MB. The library warns from 75 targets in one API.'
    + (compact ? ` Written without indentation, ${int(compact.largestFitting)} targets fit and then ${compact.firstFailing.limitedBy} stops it.` : ''),
    '- **API Gateway resources (300 per REST API)**: aws-cdk-lib says nothing; the library warns from 240. With a path',
    `  parameter each target takes ${perTarget.apiResources} resources, so ${Math.floor(API_RESOURCES / perTarget.apiResources) + 1} targets`
    + ' would be refused at deploy time (here the template limit comes first).',
    '- **Stack resources (500)**: aws-cdk-lib adds an info annotation at 80% and fails synth above 500; the library\'s target warning',
    '  comes first.',
    '',
    WARNINGS_START,
    WARNINGS_END,
    '',
  ];
}
