import { HttpProxyTarget } from '../http-proxy-api/http-proxy-target';

/**
 * The body of a request: a JSON value, or text sent as it is.
 *
 * @example
 * const api = new HttpProxyApi(this, 'Egress');
 * const orders = api.addTarget('orders', { url: 'https://shop.example/api/orders/search', methods: ['POST'] });
 *
 * new ScheduledInvoker(this, 'OrderSync', {
 *   schedule: InvokerSchedule.rate(Duration.hours(1)),
 *   requests: [{ target: orders, method: 'POST', body: RequestBody.fromObject({ status: 'open' }) }],
 * });
 */
export class RequestBody {
  /**
   * A JSON object, sent as JSON. Keys may not end in `.$`, which Step
   * Functions would read as a path.
   *
   * @param value the object
   */
  public static fromObject(value: { [key: string]: any }): RequestBody {
    return new RequestBody(value, 'object');
  }

  /**
   * Text sent as it is; set a Content-Type header to match.
   *
   * @param text the body
   */
  public static fromText(text: string): RequestBody {
    return new RequestBody(text, 'text');
  }

  /** The body as given. */
  public readonly value: any;

  /** `object` or `text`. */
  public readonly kind: string;

  private constructor(value: any, kind: string) {
    this.value = value;
    this.kind = kind;
  }
}

/** One call a `ScheduledInvoker` makes on each run. */
export interface InvokerRequest {
  /** The route to call, from `HttpProxyApi.addTarget()`. The API must be REGIONAL. */
  readonly target: HttpProxyTarget;

  /**
   * The request's name in the execution output, in alarms and in archive
   * keys: letters, digits, `.`, `_` and `-`, unique in the invoker.
   *
   * @default `<target id>-<n>`, n counting the target's requests from 1
   */
  readonly id?: string;

  /**
   * The HTTP method, one of the target's methods.
   *
   * @default - the target's first method
   */
  readonly method?: string;

  /**
   * A value for each path parameter of the target, exactly its declared
   * ones. Values are URL-encoded.
   *
   * @default - none; required when the target has path parameters
   */
  readonly pathParameters?: { [name: string]: string };

  /**
   * For a `proxy` target: the path below the route, e.g. `v2/status`.
   * Each segment is URL-encoded; `.` and `..` segments are refused.
   *
   * @default - none; required for a proxy target
   */
  readonly proxyPath?: string;

  /**
   * Query string parameters, each declared by the target (its
   * `queryParameters` or `requiredQueryParameters`).
   *
   * @default - none; required ones must be given
   */
  readonly queryParameters?: { [name: string]: string };

  /**
   * Request headers, each forwarded by the target (its `requestHeaders`,
   * and Content-Type with a body). Headers that Step Functions'
   * `apigateway:invoke` does not permit are refused at synth: Authorization,
   * Connection, Content-MD5, Expect, Host, Max-Forwards,
   * Proxy-Authenticate, Server, TE, Transfer-Encoding, Trailer, Upgrade,
   * Via, WWW-Authenticate, and any X-Amz* or X-Forwarded* header.
   *
   * @default - none
   */
  readonly headers?: { [name: string]: string };

  /**
   * The request body, for POST, PUT, PATCH or DELETE.
   *
   * @default - no body
   */
  readonly body?: RequestBody;
}
