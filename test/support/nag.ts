import { Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';

/** The cdk-nag 3 packs by the names README's posture table uses. */
export const NAG_PACKS: Record<string, () => NagPack> = {
  'AwsSolutions': () => new AwsSolutionsChecks(undefined, { verbose: true }),
  'Serverless': () => new ServerlessChecks(undefined, { verbose: true }),
  'NIST.800.53.R5': () => new NIST80053R5Checks(undefined, { verbose: true }),
  'HIPAA.Security': () => new HIPAASecurityChecks(undefined, { verbose: true }),
  'PCI.DSS.321': () => new PCIDSS321Checks(undefined, { verbose: true }),
};

/** One unacknowledged finding: rule id and the resource it was found on. */
export interface NagFinding {
  readonly rule: string;
  readonly resource: string;
}

/**
 * Runs the named packs over a stack and returns every unacknowledged finding,
 * or, with `ignoreAcknowledgements`, every finding.
 */
export function nagFindings(stack: Stack, packs: string[], options: { ignoreAcknowledgements?: boolean } = {}): NagFinding[] {
  const findings: NagFinding[] = [];
  for (const name of packs) {
    const pack = NAG_PACKS[name]();
    if (options.ignoreAcknowledgements) {
      // the pack's own check, replaced: report what it would report with no acknowledgement
      (pack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
    }
    const report = pack.validateScope(stack);
    for (const violation of report.violations) {
      for (const resource of violation.violatingResources) {
        findings.push({ rule: violation.ruleName, resource: (resource as { constructPath?: string }).constructPath ?? resource.resourceLogicalId ?? '' });
      }
    }
  }
  return findings;
}
