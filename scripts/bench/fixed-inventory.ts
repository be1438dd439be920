/**
 * The resources that cost money every month whether or not anything runs,
 * counted in the templates of the layouts the cost table prices: KMS keys,
 * alarm metrics, custom metrics from metric filters (one per filter and
 * route, since each route is its own dimension combination), and
 * interface endpoint AZs. All with library defaults, one target.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { benchApp, BENCH_ACCOUNT, BENCH_REGION } from './library-stack';
import { templateStats } from './template-stats';
import { HttpProxyApi, InvokerSchedule, PrivateVpcEgressPolicy, ResponseArchive, ScheduledInvoker } from '../../src';

export interface FixedInventory {
  readonly layout: string;
  readonly kmsKeys: number;
  readonly alarms: number;
  readonly alarmMetrics: number;
  readonly customMetrics: number;
  readonly interfaceEndpointAzs: number;
  readonly flowLogs: number;
  /** Domain names in the template's DNS Firewall domain lists (billed per name and month). */
  readonly dnsFirewallDomains: number;
  readonly resources: number;
}

export type InventoryLayout = 'invoker' | 'invoker-archive' | 'invoker-archive-change' | 'invoker-standard' | 'private';

function build(layout: InventoryLayout): Stack {
  const stack = new Stack(benchApp(), `Inventory${layout.replace(/-/g, '')}`, { env: { account: BENCH_ACCOUNT, region: BENCH_REGION } });
  if (layout === 'private') {
    const egress = new PrivateVpcEgressPolicy(stack, 'PrivateEgress');
    const api = new HttpProxyApi(stack, 'PrivateApi', { endpointType: apigw.EndpointType.PRIVATE, privateAccess: egress });
    api.addTarget('feed0', { url: 'https://feed0.example.com/v1/items/{item}' });
    return stack;
  }
  const api = new HttpProxyApi(stack, 'Egress');
  const target = api.addTarget('feed0', { url: 'https://feed0.example.com/v1/items/{item}' });
  const sink = layout === 'invoker-archive' ? new ResponseArchive(stack, 'Archive')
    : layout === 'invoker-archive-change' ? new ResponseArchive(stack, 'Archive', { changeDetection: {} }) : undefined;
  new ScheduledInvoker(stack, 'Poller', {
    schedule: InvokerSchedule.rate(Duration.minutes(15)),
    requests: [{ target, pathParameters: { item: 'item-0' } }],
    sink,
    workflowType: layout === 'invoker-standard' ? sfn.StateMachineType.STANDARD : undefined,
  });
  return stack;
}

export function fixedInventory(layout: InventoryLayout): FixedInventory {
  const template = Template.fromStack(build(layout)).toJSON();
  const stats = templateStats(template);
  const endpoints = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::EC2::VPCEndpoint' && r.Properties.VpcEndpointType === 'Interface');
  return {
    layout,
    kmsKeys: stats.kmsKeys,
    alarms: stats.alarms,
    alarmMetrics: stats.alarmMetrics,
    customMetrics: stats.metricFilters * Math.max(1, stats.apiMethods),
    interfaceEndpointAzs: endpoints.reduce((sum, e) => sum + (e.Properties.SubnetIds?.length ?? 0), 0),
    flowLogs: stats.byType['AWS::EC2::FlowLog'] ?? 0,
    dnsFirewallDomains: Object.values<any>(template.Resources)
      .filter((r) => r.Type === 'AWS::Route53Resolver::FirewallDomainList')
      .reduce((sum, r) => sum + (r.Properties.Domains?.length ?? 0), 0),
    resources: stats.resources,
  };
}
