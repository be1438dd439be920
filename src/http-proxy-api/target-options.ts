import { Duration } from 'aws-cdk-lib';
import { HeaderSecret } from './header-secret';
import { ThrottleOptions } from './throttle';

/** How a route of an `HttpProxyApi` reaches one external HTTPS URL. */
export interface HttpTargetOptions {
  /**
   * The upstream URL. `{name}` placeholders in its path become path
   * parameters of the route, in order: `https://api.example.com/v1/{city}`
   * is served at `/<id>/{city}`.
   *
   * It is checked at synth time: https only (see `allowInsecureHttp`), no
   * credentials, no query string or fragment, no private, loopback or
   * link-local IP literal, no metadata or private-only host name, and a
   * port API Gateway can reach. A token is accepted with a warning, since
   * it cannot be checked; a token URL has no path parameters.
   */
  readonly url: string;

  /**
   * The route path on the API, which must be unique in the API.
   *
   * @default `/<id>`
   */
  readonly path?: string;

  /**
   * HTTP methods of the route, each sent upstream with the same method.
   * Accepted: GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS.
   *
   * @default ['GET']
   */
  readonly methods?: string[];

  /**
   * Serve a whole upstream prefix: the route becomes `<path>/{proxy+}` and
   * the captured path is appended to `url` (mapped explicitly, so it is
   * never dropped). The URL must have no placeholders.
   *
   * @default false
   */
  readonly proxy?: boolean;

  /**
   * Optional query string parameters forwarded from the caller. Any other
   * query parameter is dropped.
   *
   * @default - none
   */
  readonly queryParameters?: string[];

  /**
   * Query string parameters the caller must send; they are forwarded, and
   * a request without one is refused with 400 when `requestValidation` is on.
   *
   * @default - none
   */
  readonly requiredQueryParameters?: string[];

  /**
   * Request headers forwarded from the caller. Any other header is
   * dropped. Credential headers (Authorization, Cookie, X-Amz-*,
   * X-Amzn-*, Proxy-Authorization), Host, X-Forwarded-* and Forwarded,
   * and the method and URL overrides (X-HTTP-Method-Override,
   * X-HTTP-Method, X-Method-Override, X-Original-URL, X-Rewrite-URL)
   * cannot be forwarded. Content-Type is forwarded on POST, PUT and PATCH without
   * being listed.
   *
   * @default - none
   */
  readonly requestHeaders?: string[];

  /**
   * Fixed headers added to every upstream request. Their values are stored
   * in the template as plain text: use `secretHeaders` for API keys.
   *
   * @default - none
   */
  readonly staticHeaders?: { [name: string]: string };

  /**
   * Headers whose values come from Secrets Manager through a CloudFormation
   * dynamic reference, so they are not in the template, the execution
   * history or the logs.
   *
   * @default - none
   */
  readonly secretHeaders?: { [name: string]: HeaderSecret };

  /**
   * Fixed query string parameters added to every upstream request, stored
   * in the template as plain text. Names that usually carry a credential
   * (api_key, apikey, key, token, access_token, auth, appid, client_secret,
   * secret, password, signature, sig and the like, in any case) are
   * refused: use `secretQueryParameters` for them.
   *
   * @default - none
   */
  readonly staticQueryParameters?: { [name: string]: string };

  /**
   * Query string parameters whose values come from Secrets Manager through
   * a CloudFormation dynamic reference (for upstreams that take their key
   * as `?api_key=...`), so they are not in the template, the execution
   * history or the logs. As with `secretHeaders`, the resolved value sits
   * in the API's integration, readable by whoever is allowed
   * `apigateway:GET` on the API, and a rotation reaches the API only when
   * the reference changes (see `HeaderSecret.fromSecretsManager`'s
   * `versionId`).
   *
   * @default - none
   */
  readonly secretQueryParameters?: { [name: string]: HeaderSecret };

  /**
   * Upstream response headers passed back to the caller. Set-Cookie and
   * Set-Cookie2 are refused: the upstream may not set cookies for the
   * API's domain.
   *
   * @default ['Content-Type', 'ETag', 'Last-Modified', 'Retry-After']
   */
  readonly responseHeaders?: string[];

  /**
   * How long API Gateway waits for the upstream. From 50 ms to 29 s; up to
   * 300 s only after a service quota increase of "Maximum integration
   * timeout in milliseconds" for the account (REGIONAL and PRIVATE APIs),
   * which may lower the account's throttle quota.
   *
   * @default Duration.seconds(29)
   */
  readonly timeout?: Duration;

  /**
   * Rate limits for this route, overriding the API's.
   *
   * @default - the API's `throttle`
   */
  readonly throttle?: ThrottleOptions;

  /**
   * Cache answers of this route's GET method for this long (0 to 3600 s).
   * Needs `cacheClusterSize` on the API. Path and query parameters are part
   * of the cache key; the cache is encrypted.
   *
   * @default - not cached
   */
  readonly cacheTtl?: Duration;

  /**
   * Allow an `http://` URL. The request, including any secret header,
   * then crosses the internet unencrypted.
   *
   * @default false
   */
  readonly allowInsecureHttp?: boolean;
}
