import { SecretValue } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/** Options for reading a header value from Secrets Manager. */
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
}

/**
 * A value for an outbound header that must not appear in the template, in
 * Step Functions execution history or in logs (an upstream API key).
 *
 * The value is a CloudFormation dynamic reference: CloudFormation resolves
 * it while it deploys the integration, so the template only holds the
 * reference. The resolved value is still visible to anyone allowed
 * `apigateway:GET` on the integration (console or `get-integration`), and
 * to the upstream, which receives it.
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
   * Reads the header value from a Secrets Manager secret at deploy time.
   *
   * A rotated secret reaches the integration on the next deployment of the
   * stack, not by itself.
   *
   * @param secret the secret that holds the value
   * @param options which JSON field to read and a prefix to put before it
   */
  public static fromSecretsManager(secret: secretsmanager.ISecret, options: HeaderSecretFromSecretsManagerOptions = {}): HeaderSecret {
    const value = SecretValue.secretsManager(secret.secretArn, { jsonField: options.jsonField });
    return new HeaderSecret(value, options.prefix ?? '', secret);
  }

  /** The secret the value comes from. */
  public readonly secret: secretsmanager.ISecret;

  private constructor(private readonly value: SecretValue, private readonly prefix: string, secret: secretsmanager.ISecret) {
    this.secret = secret;
  }

  /**
   * The literal API Gateway mapping expression for this header: a quoted
   * string holding the dynamic reference.
   *
   * @internal
   */
  public _toMappingExpression(): string {
    return `'${this.prefix}${this.value.unsafeUnwrap()}'`;
  }
}
