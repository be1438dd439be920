/**
 * invoke-refused-headers: no request of an `apigateway:invoke` task sets a
 * header Step Functions refuses.
 *
 * Step Functions Developer Guide, "Call API Gateway with Step Functions",
 * optional request parameters: "For security considerations, the following
 * HTTP header keys are not currently permitted: Anything prefixed with
 * X-Forwarded, X-Amz or X-Amzn. Authorization Connection Content-md5
 * Expect Host Max-Forwards Proxy-Authenticate Server TE Transfer-Encoding
 * Trailer Upgrade Via Www-Authenticate".
 *
 * Checked: the literal keys of Headers of every Task whose Resource is
 * `…:states:::apigateway:invoke` (a `Name.$` key sets header Name), and,
 * for our invoker, which passes each request's headers through
 * `Headers.$`, every object under a `headers` key inside the `requests`
 * array of a Pass state's Parameters. Header names compare case-insensitively.
 */
import { Finding, Rule } from './rule';
import { stateLocation, stateMachinesOf, statesOf } from './state-machines';

const REFUSED = new Set(['authorization', 'connection', 'content-md5', 'expect', 'host', 'max-forwards', 'proxy-authenticate',
  'server', 'te', 'transfer-encoding', 'trailer', 'upgrade', 'via', 'www-authenticate']);
const REFUSED_PREFIXES = ['x-forwarded', 'x-amz'];

/** Whether Step Functions refuses a header name in an apigateway:invoke request. */
export function isRefusedHeader(name: string): boolean {
  const n = name.replace(/\.\$$/, '').toLowerCase();
  return REFUSED.has(n) || REFUSED_PREFIXES.some((p) => n.startsWith(p));
}

/** Every object under a `headers` key in a value, with its path. */
function headerObjects(value: any, path: string): Array<[string, any]> {
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => headerObjects(v, `${path}[${i}]`));
  }
  if (value && typeof value === 'object') {
    return Object.entries<any>(value).flatMap(([k, v]): Array<[string, any]> =>
      k === 'headers' && v && typeof v === 'object' && !Array.isArray(v) ? [[`${path}.${k}`, v]] : headerObjects(v, `${path}.${k}`));
  }
  return [];
}

export const invokeRefusedHeaders: Rule = {
  id: 'invoke-refused-headers',
  description: 'apigateway:invoke requests set no header Step Functions refuses',
  url: 'https://docs.aws.amazon.com/step-functions/latest/dg/connect-api-gateway.html',
  check(template, stack) {
    const findings: Finding[] = [];
    for (const machine of stateMachinesOf(template)) {
      for (const visited of statesOf(machine.definition)) {
        const { state } = visited;
        const objects: Array<[string, any]> = [];
        if (state?.Type === 'Task' && /:states:::apigateway:invoke(\.|$)/.test(String(state.Resource))) {
          const headers = state.Parameters?.Headers;
          if (headers && typeof headers === 'object' && !Array.isArray(headers)) {
            objects.push(['Parameters.Headers', headers]);
          }
        }
        if (state?.Type === 'Pass' && Array.isArray(state.Parameters?.requests)) {
          objects.push(...headerObjects(state.Parameters.requests, 'Parameters.requests'));
        }
        for (const [path, headers] of objects) {
          for (const name of Object.keys(headers).filter(isRefusedHeader)) {
            findings.push({
              rule: this.id,
              stack,
              resource: machine.logicalId,
              location: `${stateLocation(visited)} ${path}`,
              message: `header ${JSON.stringify(name.replace(/\.\$$/, ''))} is one Step Functions does not permit in an apigateway:invoke request`,
            });
          }
        }
      }
    }
    return findings;
  },
};
