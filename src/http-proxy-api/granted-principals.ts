import { IResolveContext } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { problem } from '../common/errors';

/**
 * The resource policy of a REGIONAL `HttpProxyApi` with
 * `restrictToGrantedPrincipals`: each principal granted a route through
 * `grantInvoke` (or a `ScheduledInvoker`) is allowed that route, and
 * everyone else is denied the whole API.
 *
 * With IAM authorization, "the API evaluates both the policies attached to
 * the user and the resource policy" (API Gateway developer guide, "How API
 * Gateway resource policies affect authorization workflow", section "IAM
 * authentication and resource policy",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html),
 * and an explicit deny in either wins. So the Deny shuts out every other
 * principal of the account, whatever its identity policies allow (an
 * administrator's `execute-api:*` on `*` included), and principals of
 * other accounts.
 *
 * The policy lives in the RestApi's `Policy` property and names roles by
 * ARN: the RestApi depends on each role, and each role's grant (a separate
 * AWS::IAM::Policy or ManagedPolicy resource) depends on the RestApi, so
 * there is no cycle. A role whose own resource refers to the API (an inline
 * policy in AWS::IAM::Role) would make one; CloudFormation then refuses the
 * template with a circular dependency. Routes are named with the
 * `execute-api:/stage/METHOD/path` shorthand, which API Gateway expands to
 * the API's own ARN, because the API's ARN would refer to the API itself.
 */
export class GrantedPrincipals {
  private readonly routesByPrincipal = new Map<string, Set<string>>();
  private readonly refused: string[] = [];
  /** The resource policy; its statements are written when it is first resolved, after every grant. */
  public readonly document: iam.PolicyDocument = new RenderedOnResolve(() => this.render());

  /** Records that `grantee` may invoke `method path` (an ARN path with `*` for parameters) on `stage`. */
  public record(grantee: iam.IGrantable, stage: string, method: string, arnPath: string): void {
    const arn = principalArn(grantee.grantPrincipal);
    if (!arn) {
      this.refused.push(`${grantee.grantPrincipal}`);
      return;
    }
    const routes = this.routesByPrincipal.get(arn) ?? new Set<string>();
    routes.add(`execute-api:/${stage}/${method}${arnPath}`);
    this.routesByPrincipal.set(arn, routes);
  }

  /** Problems for `node.addValidation`. */
  public validate(scope: IConstruct): string[] {
    const problems = this.refused.map((p) => problem('restrictToGrantedPrincipals',
      `the grantee ${p} has no ARN the resource policy can name; grant routes to a role, a user or an ArnPrincipal, or turn restrictToGrantedPrincipals off`));
    if (this.routesByPrincipal.size === 0) {
      problems.push(problem('restrictToGrantedPrincipals', `no principal was granted a route of ${scope.node.path}, so its resource policy would deny every caller; call grantInvoke() on a target or give the API to a ScheduledInvoker`));
    }
    return problems;
  }

  private render(): iam.PolicyStatement[] {
    const statements: iam.PolicyStatement[] = [];
    const arns = [...this.routesByPrincipal.keys()];
    for (const [arn, routes] of this.routesByPrincipal) {
      statements.push(new iam.PolicyStatement({
        principals: [new iam.ArnPrincipal(arn)],
        actions: ['execute-api:Invoke'],
        resources: [...routes],
      }));
    }
    statements.push(new iam.PolicyStatement({
      sid: 'DenyPrincipalsNotGranted',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['execute-api:Invoke'],
      resources: ['execute-api:/*'],
      conditions: arns.length ? { ArnNotEquals: { 'aws:PrincipalArn': arns } } : undefined,
    }));
    return statements;
  }
}

/** A policy document that asks for its statements when first resolved. */
class RenderedOnResolve extends iam.PolicyDocument {
  private rendered = false;

  constructor(private readonly statementsOf: () => iam.PolicyStatement[]) {
    super();
  }

  public resolve(context: IResolveContext): any {
    if (!this.rendered) {
      this.rendered = true;
      this.addStatements(...this.statementsOf());
    }
    return super.resolve(context);
  }
}

function principalArn(principal: iam.IPrincipal): string | undefined {
  if (principal instanceof iam.ArnPrincipal) {
    return principal.arn;
  }
  const p = principal as Partial<iam.IRole & iam.IUser>;
  return p.roleArn ?? p.userArn;
}

const registry = new WeakMap<object, GrantedPrincipals>();

/** Makes `api`'s grants recorded in `granted`. */
export function registerGrantedPrincipals(api: object, granted: GrantedPrincipals): void {
  registry.set(api, granted);
}

/** The recorder of `api`, if it restricts its callers to granted principals. */
export function grantedPrincipalsOf(api: object): GrantedPrincipals | undefined {
  return registry.get(api);
}
