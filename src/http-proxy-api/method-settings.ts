import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { TargetPlan } from './target-plan';
import { ThrottleOptions } from './throttle';

/** What the stage-wide method setting is made of. */
export interface StageMethodDefaults {
  readonly loggingLevel: apigw.MethodLoggingLevel;
  readonly detailedMetrics: boolean;
  readonly throttle: ThrottleOptions;
  readonly cacheEnabled: boolean;
}

/**
 * The stage's method settings: one for every method (`/*`), then one per
 * route method that overrides the throttle or is cached, sorted by path
 * and method.
 */
export function renderMethodSettings(defaults: StageMethodDefaults, plans: readonly TargetPlan[]): apigw.CfnStage.MethodSettingProperty[] {
  const common = {
    loggingLevel: defaults.loggingLevel,
    dataTraceEnabled: false,
    metricsEnabled: defaults.detailedMetrics,
  };
  const settings: apigw.CfnStage.MethodSettingProperty[] = [{
    resourcePath: '/*',
    httpMethod: '*',
    ...common,
    throttlingRateLimit: defaults.throttle.rateLimit,
    throttlingBurstLimit: defaults.throttle.burstLimit,
    ...(defaults.cacheEnabled ? { cachingEnabled: false, cacheDataEncrypted: true } : {}),
  }];
  const overrides = plans
    .flatMap((plan) => plan.methods.map((method) => ({ plan, method, ttl: cacheTtlFor(plan, method) })))
    .filter(({ plan, ttl }) => plan.throttle !== undefined || ttl !== undefined)
    .sort((a, b) => `${a.plan.path} ${a.method}`.localeCompare(`${b.plan.path} ${b.method}`));
  for (const { plan, method, ttl } of overrides) {
    const throttle = plan.throttle ?? defaults.throttle;
    settings.push({
      resourcePath: methodSettingPath(plan.path),
      httpMethod: method,
      ...common,
      throttlingRateLimit: throttle.rateLimit,
      throttlingBurstLimit: throttle.burstLimit,
      ...(defaults.cacheEnabled ? { cachingEnabled: ttl !== undefined, cacheTtlInSeconds: ttl, cacheDataEncrypted: true } : {}),
    });
  }
  return settings;
}

/** Only GET answers are cached. */
export function cacheTtlFor(plan: TargetPlan, method: string): number | undefined {
  return method === 'GET' ? plan.cacheTtlSeconds : undefined;
}

/** The MethodSetting resource path encoding: `/a/{b}` becomes `/~1a~1{b}`. */
function methodSettingPath(path: string): string {
  return `/${path.replace(/\//g, '~1')}`;
}
