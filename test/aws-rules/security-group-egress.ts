/**
 * security-group-egress: a security group whose egress is given as
 * separate AWS::EC2::SecurityGroupEgress resources also lists an inline
 * egress rule, so AWS does not add its default allow-all rule.
 *
 * CloudFormation, AWS::EC2::SecurityGroup, example "Remove the default
 * rule": "When you specify a VPC security group, Amazon EC2 creates a
 * default egress rule that allows egress traffic on all ports and IP
 * protocols to any location. The default rule is removed only when you
 * specify one or more egress rules." Only the group's own
 * SecurityGroupEgress property counts: a separate SecurityGroupEgress
 * resource adds a rule next to the default one, so a group that looks
 * restricted to one destination still sends anywhere. aws-cdk-lib's
 * `allowAllOutbound: false` writes a placeholder inline rule
 * (255.255.255.255/32, icmp 252-86) for exactly this reason; such a group
 * passes.
 */
import { Finding, Rule } from './rule';
import { listOf, refTarget, resourcesOf } from './template';

export const securityGroupEgress: Rule = {
  id: 'security-group-egress',
  description: 'Security groups with separate egress rules also have an inline egress rule, so the default allow-all rule is removed',
  url: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroup.html',
  check(template, stack) {
    const findings: Finding[] = [];
    const separate = resourcesOf(template, 'AWS::EC2::SecurityGroupEgress');
    for (const [id, group] of resourcesOf(template, 'AWS::EC2::SecurityGroup')) {
      if (listOf(group.Properties?.SecurityGroupEgress).length > 0) {
        continue;
      }
      const rules = separate.filter(([, e]) => refTarget(e.Properties?.GroupId) === id).map(([eid]) => eid);
      if (rules.length > 0) {
        findings.push({
          rule: this.id,
          stack,
          resource: id,
          location: 'SecurityGroupEgress',
          message: `no inline egress rule, so AWS keeps its default allow-all egress next to the separate rule(s) ${rules.join(', ')}`,
        });
      }
    }
    return findings;
  },
};
