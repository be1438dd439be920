/**
 * Static checks of AWS's documented rules that our emulators do not
 * enforce, run over every synthesized template (test/aws-rules.test.ts).
 * One rule a file; each cites the AWS page it relies on.
 */
import { alarmTopicPublishable } from './alarm-topic-publishable';
import { customerKeySenderAccess } from './customer-key-sender-access';
import { intrinsicNesting } from './intrinsic-nesting';
import { intrinsicReservedCharacters } from './intrinsic-reserved-characters';
import { invokeRefusedHeaders } from './invoke-refused-headers';
import { retainedFixedName } from './retained-fixed-name';
import { Rule } from './rule';
import { schedulerSourceArn } from './scheduler-source-arn';
import { securityGroupEgress } from './security-group-egress';
import { stateNameLength } from './state-name-length';

export type { Finding, Rule } from './rule';
export { formatFinding } from './rule';

/** Every rule, in the order the findings are reported. */
export const AWS_RULES: readonly Rule[] = [
  intrinsicNesting,
  intrinsicReservedCharacters,
  stateNameLength,
  schedulerSourceArn,
  alarmTopicPublishable,
  retainedFixedName,
  customerKeySenderAccess,
  securityGroupEgress,
  invokeRefusedHeaders,
];
