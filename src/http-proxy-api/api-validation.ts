import { Annotations, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Construct, IConstruct, IValidation } from 'constructs';
import { apiResourceCount, quotaWarnings } from './api-quotas';
import { routeOverlaps } from './route-overlap';
import { TargetPlan } from './target-plan';
import { problem } from '../common/errors';

/**
 * The checks of a whole API, which need its final routes and so run at
 * validation: at least one target, AWS_IAM on every method (also those
 * added to `restApi` directly), no grant that covers another target's
 * route; and, once, the quota warnings.
 *
 * @param scope the API construct, where warnings are added
 * @param restApi the API's REST API
 * @param targets the API's targets, read when validation runs
 * @param plans the API's target plans, read when validation runs
 */
export function wholeApiValidation(scope: Construct, restApi: apigw.RestApi, targets: readonly unknown[], plans: TargetPlan[]): IValidation {
  let quotasChecked = false;
  return {
    validate: () => {
      // warnings need the final count of routes, which only validation sees;
      // validation may run more than once, the warnings are added once
      if (!quotasChecked) {
        quotasChecked = true;
        for (const warning of quotaWarnings(apiResourceCount(restApi), targets.length)) {
          Annotations.of(scope).addWarningV2(warning.id, warning.message);
        }
      }
      const errors: string[] = [];
      if (targets.length === 0) {
        errors.push(problem('targets', 'the API has no targets; call addTarget() at least once'));
      }
      for (const method of findMethods(restApi)) {
        const cfn = method.node.defaultChild as apigw.CfnMethod;
        const auth = Stack.of(scope).resolve(cfn.authorizationType);
        if (auth !== 'AWS_IAM') {
          errors.push(problem('methods', `${method.httpMethod} ${method.resource.path} uses authorization ${auth ?? 'NONE'}; every method of an HttpProxyApi must use AWS_IAM. Add routes with addTarget() instead of restApi.root.addMethod()`));
        }
      }
      for (const { granted, covered, method } of routeOverlaps(plans)) {
        errors.push(problem('path', `a grant of target '${granted.id}' (${method} ${granted.path}, execute-api resource .../${method}${granted.arnPath}) would also allow calling target '${covered.id}' (${method} ${covered.path}), because * in an IAM resource also matches /. Give one of them a different path, e.g. addTarget('${covered.id}', { path: '/${covered.id}', ... })`));
      }
      return errors;
    },
  };
}

function findMethods(scope: IConstruct): apigw.Method[] {
  return scope.node.findAll().filter((c): c is apigw.Method => c instanceof apigw.Method);
}
