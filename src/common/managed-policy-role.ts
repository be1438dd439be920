import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * A role whose grants land in one customer managed policy instead of the
 * inline `DefaultPolicy` an `iam.Role` creates: NIST 800-53 R5, HIPAA and
 * PCI DSS flag inline policies (IAMNoInlinePolicy). The policy keeps the id
 * `DefaultPolicy`, so it is found where a Role's would be.
 */
export class ManagedPolicyRole extends iam.Role {
  private principalPolicy?: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: iam.RoleProps, private readonly policyDescription: string) {
    super(scope, id, props);
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.principalPolicy ??= new iam.ManagedPolicy(this, 'DefaultPolicy', { roles: [this], description: this.policyDescription });
    this.principalPolicy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.principalPolicy };
  }
}
