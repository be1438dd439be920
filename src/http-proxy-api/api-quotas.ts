import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { IConstruct } from 'constructs';

/** API Gateway's default quota of resources (path segments) per REST API; it can be raised. */
export const API_RESOURCES_QUOTA = 300;

/** The share of a quota from which the library warns. */
const NEAR_SHARE = 0.8;

/**
 * Targets in one API from which the stack's template nears CloudFormation's
 * 1 MB: each target adds about 10 KiB and 4 resources (2 path segments, a
 * method with one integration response per status code, an alarm), and 93
 * targets filled the template in docs/benchmarks.md.
 */
export const TARGETS_NEAR_TEMPLATE_LIMIT = 75;

/** A warning about a quota the API is near, with its acknowledgeable id. */
export interface QuotaWarning {
  readonly id: string;
  readonly message: string;
}

/** The API Gateway resources of a REST API, its root aside. */
export function apiResourceCount(restApi: IConstruct): number {
  return restApi.node.findAll().filter((c) => c instanceof apigw.CfnResource).length;
}

/** Warnings for the quotas an API with these resources and targets is near or past. */
export function quotaWarnings(resources: number, targets: number): QuotaWarning[] {
  const warnings: QuotaWarning[] = [];
  if (resources >= API_RESOURCES_QUOTA * NEAR_SHARE) {
    warnings.push({
      id: 'cdk-inside-out-gateway:HttpProxyApi.nearResourceQuota',
      message: `resources: the REST API has ${resources} API Gateway resources (path segments of its routes), `
        + `${resources > API_RESOURCES_QUOTA ? 'over' : 'near'} API Gateway's default quota of ${API_RESOURCES_QUOTA} per REST API; `
        + 'past it the deployment fails unless the account\'s "Resources per API" quota is raised. '
        + 'Put further targets in a second HttpProxyApi, or ask for the quota increase first',
    });
  }
  if (targets >= TARGETS_NEAR_TEMPLATE_LIMIT) {
    warnings.push({
      id: 'cdk-inside-out-gateway:HttpProxyApi.nearTemplateLimit',
      message: `targets: ${targets} targets add about ${targets * 10} KiB and ${targets * 4} resources to the stack's template; `
        + 'near 93 targets a stack passes CloudFormation\'s 1 MB template limit, and near 120 its 500 resources (docs/benchmarks.md). '
        + 'Put further targets in an HttpProxyApi of another stack',
    });
  }
  return warnings;
}
