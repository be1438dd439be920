import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** What a PRIVATE `HttpProxyApi` needs from whatever governs its network path. */
export interface PrivateApiAccessConfig {
  /** The execute-api interface endpoints the API is associated with. */
  readonly vpcEndpoints: ec2.IVpcEndpoint[];

  /** The API's resource policy. */
  readonly policy: iam.PolicyDocument;
}

/**
 * The seam between a PRIVATE `HttpProxyApi` and the construct that governs
 * how in-VPC callers reach it (`PrivateVpcEgressPolicy`, or
 * `PrivateApiAccess.throughVpcEndpoints` for endpoints you manage).
 */
export interface IPrivateApiAccess {
  /**
   * Called once by a PRIVATE `HttpProxyApi` while it is constructed.
   *
   * @param api the API construct being built
   */
  bindToApi(api: Construct): PrivateApiAccessConfig;
}

/**
 * Access to a PRIVATE API through interface endpoints you already have.
 *
 * The resource policy allows `execute-api:Invoke` to principals of this
 * account (so each still needs an identity grant, because every method
 * uses IAM authorization) and explicitly denies every call that does not
 * arrive through one of the given endpoints (`aws:SourceVpce`).
 *
 * @example
 * // a PRIVATE API reachable only through an execute-api endpoint you already have
 * const api = new HttpProxyApi(this, 'InVpcApi', {
 *   endpointType: apigw.EndpointType.PRIVATE,
 *   privateAccess: PrivateApiAccess.throughVpcEndpoints(executeApiEndpoint),
 * });
 */
export class PrivateApiAccess implements IPrivateApiAccess {
  /**
   * Allows calls only through the given execute-api interface endpoints.
   *
   * @param vpcEndpoints execute-api interface endpoints in the callers' VPCs
   */
  public static throughVpcEndpoints(...vpcEndpoints: ec2.IVpcEndpoint[]): PrivateApiAccess {
    return new PrivateApiAccess(vpcEndpoints);
  }

  private constructor(private readonly vpcEndpoints: ec2.IVpcEndpoint[]) {}

  /**
   * Returns the endpoints and the resource policy for a PRIVATE API.
   *
   * @param _api the API being built (unused: the policy is the same for every API)
   */
  public bindToApi(_api: Construct): PrivateApiAccessConfig {
    return {
      vpcEndpoints: this.vpcEndpoints,
      policy: sourceVpceResourcePolicy(this.vpcEndpoints.map((e) => e.vpcEndpointId)),
    };
  }
}

/**
 * A private API resource policy: invoke allowed for this account's
 * principals, denied to everyone unless the call came through one of the
 * endpoints.
 */
export function sourceVpceResourcePolicy(vpcEndpointIds: string[]): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'AllowInvokeByThisAccountsPrincipals',
        effect: iam.Effect.ALLOW,
        principals: [new iam.AccountRootPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*'],
      }),
      new iam.PolicyStatement({
        sid: 'DenyInvokeFromOutsideTheEndpoints',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*'],
        conditions: { StringNotEquals: { 'aws:SourceVpce': vpcEndpointIds } },
      }),
    ],
  });
}
