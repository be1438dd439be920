import { SecretValue, Token } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { invalidProp } from '../common/errors';

/** A Secrets Manager version id: 32 to 64 characters (a UUID when Secrets Manager makes it). */
const VERSION_ID = /^[A-Za-z0-9-]{32,64}$/;

/** Options for reading a header or query value from Secrets Manager. */
export interface HeaderSecretFromSecretsManagerOptions {
  /**
   * The key of a JSON secret whose value is the header value.
   *
   * @default - the whole secret string is the header value
   */
  readonly jsonField?: string;

  /**
   * Text put before the secret value, for example `Bearer `.
   *
   * @default - no prefix
   */
  readonly prefix?: string;

  /**
   * The version of the secret to use, pinned in the dynamic reference
   * (`...:SecretString:<jsonField>::<versionId>`).
   *
   * This is how a rotation reaches the API. CloudFormation reads the
   * secret only when it creates or updates the resource holding the
   * reference, and a stack update updates it only if the reference
   * itself changed: rotating the secret and deploying again changes
   * nothing. With `versionId`, a rotation is "put the new version id
   * here (`aws secretsmanager describe-secret` lists it under
   * `VersionIdsToStages` with `AWSCURRENT`) and deploy": the reference
   * changes, so CloudFormation updates the route's methods with the new
   * value and the API gets a new deployment on its stage. Keep the
   * pinned version until that deployment is done: Secrets Manager
   * deletes a version that has lost all its staging labels.
   *
   * @default - no version: the value is the AWSCURRENT version at the
   * time CloudFormation last created or updated the route's methods, and
   * stays so until a deployment changes those methods for another reason
   */
  readonly versionId?: string;
}

/**
 * A value for an outbound header or query string parameter that must not
 * appear in the template, in Step Functions execution history or in logs
 * (an upstream API key). Used by `secretHeaders` and
 * `secretQueryParameters`.
 *
 * The value is a CloudFormation dynamic reference: CloudFormation resolves
 * it while it deploys the integration, so the template only holds the
 * reference. The resolved value is still visible to anyone allowed
 * `apigateway:GET` on the integration (console or `get-integration`), and
 * to the upstream, which receives it. The template holds only the
 * reference, and CloudFormation drift detection compares resources with
 * the template ("Only resource properties explicitly defined in the stack
 * template are checked for drift",
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DetectStackDrift.html):
 * do not count on it to notice a changed value.
 *
 * @example
 * const api = new HttpProxyApi(this, 'Egress');
 * // the key sits in Secrets Manager as {"apiKey": "..."}; the template holds a reference
 * api.addTarget('forecast', {
 *   url: 'https://api.weather.example/v1/forecast',
 *   secretHeaders: { 'X-Api-Key': HeaderSecret.fromSecretsManager(apiKeySecret, { jsonField: 'apiKey' }) },
 * });
 */
export class HeaderSecret {
  /**
   * Reads the value from a Secrets Manager secret at deploy time.
   *
   * A rotated secret reaches the integration only when the reference
   * changes: give `versionId` and change it to the new version on each
   * rotation, then deploy.
   *
   * @param secret the secret that holds the value
   * @param options which JSON field and version to read and a prefix to put before it
   */
  public static fromSecretsManager(secret: secretsmanager.ISecret, options: HeaderSecretFromSecretsManagerOptions = {}): HeaderSecret {
    if (options.versionId !== undefined && (Token.isUnresolved(options.versionId) || !VERSION_ID.test(options.versionId))) {
      throw invalidProp(secret, 'HeaderSecret.fromSecretsManager versionId', options.versionId,
        'a literal Secrets Manager version id (32 to 64 letters, digits and hyphens, e.g. a UUID from `aws secretsmanager describe-secret`)');
    }
    // Dynamic references are resolved only when the resource holding them is
    // created or updated, and an update re-reads the secret only if the
    // reference changed; a version id in the reference is what changes it.
    // "Updating a secret in Secrets Manager doesn't automatically update the
    // secret in CloudFormation. In order for CloudFormation to update a
    // secretsmanager dynamic reference, you must perform a stack update that
    // updates the resource containing the dynamic reference"
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-secretsmanager.html
    // "During stack updates, CloudFormation doesn't retrieve the value of the
    // dynamic reference unless a change is made to the dynamic reference itself."
    // https://repost.aws/knowledge-center/cloudformation-stack-update-secrets
    const value = SecretValue.secretsManager(secret.secretArn, { jsonField: options.jsonField, versionId: options.versionId });
    return new HeaderSecret(value, options.prefix ?? '', secret, options.versionId);
  }

  /** The secret the value comes from. */
  public readonly secret: secretsmanager.ISecret;

  /**
   * The pinned version of the secret, if any.
   *
   * @default - none: the AWSCURRENT version when the method was last deployed
   */
  public readonly versionId?: string;

  private constructor(private readonly value: SecretValue, private readonly prefix: string, secret: secretsmanager.ISecret, versionId?: string) {
    this.secret = secret;
    this.versionId = versionId;
  }

  /**
   * The literal API Gateway mapping expression for this value: a quoted
   * string holding the dynamic reference.
   *
   * @internal
   */
  public _toMappingExpression(): string {
    return `'${this.prefix}${this.value.unsafeUnwrap()}'`;
  }
}
