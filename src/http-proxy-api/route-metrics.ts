import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ROUTE_ERRORS_METRIC, ROUTE_METRIC_DIMENSIONS, ROUTE_METRICS_NAMESPACE, ROUTE_REQUESTS_METRIC } from './access-log-format';

/**
 * Counts requests and error responses per route from the access log, with
 * two metric filters shared by every route.
 *
 * @param scope the API construct the filters are created in
 * @param accessLogGroup the API's access log group
 */
export function createRouteMetricFilters(scope: Construct, accessLogGroup: logs.ILogGroup): logs.MetricFilter[] {
  const dimensions = ROUTE_METRIC_DIMENSIONS;
  return [
    new logs.MetricFilter(scope, 'RouteRequestsFilter', {
      logGroup: accessLogGroup,
      filterPattern: logs.FilterPattern.exists('$.resourcePath'),
      metricNamespace: ROUTE_METRICS_NAMESPACE,
      metricName: ROUTE_REQUESTS_METRIC,
      metricValue: '1',
      dimensions,
    }),
    new logs.MetricFilter(scope, 'RouteErrorsFilter', {
      logGroup: accessLogGroup,
      filterPattern: logs.FilterPattern.any(
        logs.FilterPattern.stringValue('$.status', '=', '4*'),
        logs.FilterPattern.stringValue('$.status', '=', '5*'),
      ),
      metricNamespace: ROUTE_METRICS_NAMESPACE,
      metricName: ROUTE_ERRORS_METRIC,
      metricValue: '1',
      dimensions,
    }),
  ];
}
