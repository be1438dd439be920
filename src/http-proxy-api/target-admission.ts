import { Annotations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { HttpTargetOptions } from './target-options';
import { TargetPlan } from './target-plan';
import { invalidProp } from '../common/errors';

/**
 * Checks a new target against the API's targets so far and its settings:
 * a fresh id, a route path API Gateway accepts beside the others, and a
 * cache only with a cache cluster; warns of token URLs, long timeouts and
 * plain HTTP.
 *
 * @param scope the API construct, where errors are located and warnings added
 * @param id the new target's id
 * @param plan the new target's plan
 * @param options the new target's options
 * @param plans the plans of the targets added before
 * @param cacheEnabled whether the API has a cache cluster
 */
export function admitTarget(
  scope: Construct, id: string, plan: TargetPlan, options: HttpTargetOptions,
  plans: readonly TargetPlan[], cacheEnabled: boolean,
): void {
  if (plans.some((other) => other.id === id)) {
    throw invalidProp(scope, 'addTarget id', id, `an id not used yet; used: ${plans.map((other) => other.id).join(', ')}`);
  }
  for (const other of plans) {
    if (other.path === plan.path) {
      throw invalidProp(scope, `addTarget('${id}').path`, plan.path, `a route path not used by target '${other.id}'`);
    }
    const conflict = siblingVariableConflict(other.path, plan.path);
    if (conflict) {
      throw invalidProp(scope, `addTarget('${id}').path`, plan.path, `a route whose variable segments match those of target '${other.id}' (${other.path}): ${conflict}`);
    }
  }
  if (plan.isTokenUrl) {
    Annotations.of(scope).addWarningV2('cdk-inside-out-gateway:HttpProxyApi.tokenUrl',
      `target '${id}': its url is a token, so it cannot be checked at synth time for https, private addresses, metadata hosts or credentials`);
  }
  if (plan.timeout.toMilliseconds() > 29_000) {
    Annotations.of(scope).addWarningV2('cdk-inside-out-gateway:HttpProxyApi.longTimeout',
      `target '${id}': a timeout of ${plan.timeout.toHumanString()} needs the account's "Maximum integration timeout in milliseconds" quota raised above 29000, and may lower its throttle quota`);
  }
  if (options.cacheTtl && !cacheEnabled) {
    throw invalidProp(scope, `addTarget('${id}').cacheTtl`, options.cacheTtl.toHumanString(), 'no cacheTtl unless the HttpProxyApi has a cacheClusterSize');
  }
  if (options.allowInsecureHttp && options.url.startsWith('http://')) {
    Annotations.of(scope).addWarningV2('cdk-inside-out-gateway:HttpProxyApi.insecureHttp',
      `target '${id}': requests to ${options.url} cross the internet unencrypted`);
  }
}

/**
 * API Gateway refuses two variable siblings with different names under one
 * parent (`/a/{x}` beside `/a/{y}`), and a greedy `{proxy+}` beside another
 * variable. Returns a description of the clash, or undefined.
 */
function siblingVariableConflict(a: string, b: string): string | undefined {
  const sa = a.split('/').filter(Boolean);
  const sb = b.split('/').filter(Boolean);
  for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
    const va = sa[i].startsWith('{');
    const vb = sb[i].startsWith('{');
    if (va && vb && sa[i] !== sb[i]) {
      return `${sa[i]} and ${sb[i]} would be siblings under /${sa.slice(0, i).join('/')}`;
    }
    if (sa[i] !== sb[i]) {
      return undefined;
    }
  }
  return undefined;
}
