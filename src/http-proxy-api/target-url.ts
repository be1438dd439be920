import { Token } from 'aws-cdk-lib';
import { forbiddenAddressReason, forbiddenHostNameReason, isIpLiteral } from './forbidden-hosts';

/** A name usable as an API Gateway path parameter and in a mapping expression. */
const PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What a checked target URL tells the construct. */
export interface ParsedTargetUrl {
  /** The URL as the integration will use it (placeholders kept). */
  readonly uri: string;
  /** `{name}` placeholders in the path, in order. Empty for token URLs. */
  readonly pathParameters: string[];
  /** True when the URL is a CloudFormation token, so nothing could be checked. */
  readonly isToken: boolean;
}

/**
 * Checks an upstream URL at synth time and returns its path parameters.
 *
 * The checks are the ones that keep an egress API from becoming a
 * server-side request forgery tool: the scheme is https (http only when
 * the caller opted in), there are no credentials in the URL, the host is
 * neither a private, loopback or link-local IP literal nor a metadata or
 * private-only name, and the port is one API Gateway can reach.
 *
 * @returns the parsed URL, or throws an Error whose message starts with the
 * reason; the caller adds the prop name.
 */
export function parseTargetUrl(url: string, allowInsecureHttp: boolean): ParsedTargetUrl {
  if (Token.isUnresolved(url)) {
    return { uri: url, pathParameters: [], isToken: true };
  }
  const placeholders = [...url.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]);
  for (const name of placeholders) {
    if (!PARAMETER_NAME.test(name)) {
      throw new Error(`path placeholder {${name}} is not a valid parameter name (letters, digits and _, not starting with a digit)`);
    }
  }
  const duplicates = placeholders.filter((n, i) => placeholders.indexOf(n) !== i);
  if (duplicates.length > 0) {
    throw new Error(`path placeholder {${duplicates[0]}} appears more than once`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url.replace(/\{([^{}]*)\}/g, 'placeholder'));
  } catch {
    throw new Error('it is not an absolute URL such as https://api.example.com/v1/items');
  }
  if (url.slice(0, url.indexOf('://') + 3).toLowerCase() !== `${parsed.protocol}//`) {
    throw new Error('it is not an absolute URL such as https://api.example.com/v1/items');
  }
  const host = parsed.hostname;
  if (/\{|\}/.test(url.slice(0, url.indexOf(host) + host.length)) || parsed.host.includes('placeholder')) {
    throw new Error('placeholders are only allowed in the path, not in the host or port');
  }
  if (parsed.protocol === 'http:' && !allowInsecureHttp) {
    throw new Error('http:// sends the request and any secret header in clear text; use https:// or set allowInsecureHttp: true');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(`scheme ${parsed.protocol} is not supported; use https://`);
  }
  if (parsed.username || parsed.password) {
    throw new Error('credentials in the URL would be stored in the template and sent in clear in logs; use secretHeaders instead');
  }
  if (parsed.search || url.includes('?')) {
    throw new Error('a query string in the URL is not allowed; declare forwarded ones in queryParameters and fixed ones in staticQueryParameters');
  }
  if (parsed.hash || url.includes('#')) {
    throw new Error('a fragment (#...) is never sent to a server; remove it');
  }
  if (isIpLiteral(host)) {
    const reason = forbiddenAddressReason(host);
    if (reason) {
      throw new Error(`${reason}; an egress API must not reach private, loopback or link-local addresses`);
    }
  } else {
    const reason = forbiddenHostNameReason(host);
    if (reason) {
      throw new Error(`${reason}; an egress API must only reach public hosts`);
    }
  }
  if (parsed.port) {
    const port = Number(parsed.port);
    if (port !== 80 && port !== 443 && port < 1024) {
      throw new Error(`port ${port} cannot be reached by API Gateway, which accepts 80, 443 and 1024-65535`);
    }
  }
  return { uri: url, pathParameters: placeholders, isToken: false };
}
