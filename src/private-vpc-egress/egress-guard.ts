import { CfnResource, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';

/** A way out of a VPC that the private variant does not allow. */
export enum EgressFinding {
  /** An internet gateway attached to the VPC. */
  INTERNET_GATEWAY = 'INTERNET_GATEWAY',
  /** An egress-only internet gateway (IPv6) in the VPC. */
  EGRESS_ONLY_INTERNET_GATEWAY = 'EGRESS_ONLY_INTERNET_GATEWAY',
  /** A NAT gateway in one of the VPC's subnets. */
  NAT_GATEWAY = 'NAT_GATEWAY',
  /** A subnet that maps public IPs or routes to an internet gateway. */
  PUBLIC_SUBNET = 'PUBLIC_SUBNET',
  /** A route to 0.0.0.0/0 or ::/0 through anything but a VPC endpoint. */
  DEFAULT_ROUTE = 'DEFAULT_ROUTE',
  /**
   * An interface or Gateway Load Balancer endpoint to a service that is not
   * an AWS service (a PrivateLink endpoint service, such as a proxy), which
   * can carry traffic anywhere.
   */
  NON_AWS_ENDPOINT = 'NON_AWS_ENDPOINT',
  /**
   * No Route 53 Resolver DNS Firewall rule group that blocks every name
   * (a BLOCK rule over the domain `*`) is associated with the VPC, so any
   * workload can resolve any public name, and DNS queries can carry data
   * out; flow logs do not record them.
   */
  UNFILTERED_DNS = 'UNFILTERED_DNS',
}

/** One offending resource. */
export interface EgressViolation {
  readonly finding: EgressFinding;
  readonly path: string;
  readonly detail: string;
}

const ANY_IPV4 = '0.0.0.0/0';
const ANY_IPV6 = '::/0';

/**
 * Finds every way out of a VPC among the resources of its stack, whether
 * created by L2 constructs or added by hand as L1 resources. A resource
 * belongs to the VPC when its VpcId (or its subnet's, or its route table's)
 * resolves to the VPC's id.
 */
export function findEgress(vpc: ec2.IVpc): EgressViolation[] {
  const stack = Stack.of(vpc);
  const resolve = (v: unknown) => JSON.stringify(stack.resolve(v));
  const vpcId = resolve(vpc.vpcId);
  const resources = stack.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c));
  // the resource as it will be synthesized, overrides included (an L1
  // resource can be edited with addPropertyOverride after it is created)
  const props = (r: CfnResource): any => {
    const rendered = stack.resolve((r as unknown as { _toCloudFormation(): any })._toCloudFormation());
    return (Object.values(rendered.Resources ?? {})[0] as any)?.Properties ?? {};
  };
  const of = (type: string) => resources
    .filter((r) => r.cfnResourceType === type)
    .map((r) => ({ r, p: props(r), ref: resolve({ Ref: stack.resolve(r.logicalId) }) }));
  const inVpc = (p: any) => JSON.stringify(p.VpcId) === vpcId;
  const path = (r: IConstruct) => r.node.path;

  const subnets = of('AWS::EC2::Subnet').filter((s) => inVpc(s.p));
  const subnetRefs = new Set(subnets.map((s) => s.ref));
  const tables = of('AWS::EC2::RouteTable').filter((t) => inVpc(t.p));
  const tableRefs = new Set(tables.map((t) => t.ref));
  const igws = of('AWS::EC2::InternetGateway');
  const igwRefs = new Set(igws.map((g) => g.ref));
  const attachments = of('AWS::EC2::VPCGatewayAttachment').filter((a) => inVpc(a.p) && a.p.InternetGatewayId !== undefined);
  const attachedIgws = new Set(attachments.map((a) => JSON.stringify(a.p.InternetGatewayId)));
  const isIgw = (gatewayId: unknown) => gatewayId !== undefined
    && (igwRefs.has(JSON.stringify(gatewayId)) || (typeof gatewayId === 'string' && gatewayId.startsWith('igw-')));

  const out: EgressViolation[] = [];
  for (const igw of igws.filter((g) => attachedIgws.has(g.ref))) {
    out.push({ finding: EgressFinding.INTERNET_GATEWAY, path: path(igw.r), detail: 'an internet gateway attached to the VPC' });
  }
  for (const att of attachments.filter((a) => !igws.some((g) => g.ref === JSON.stringify(a.p.InternetGatewayId)))) {
    out.push({ finding: EgressFinding.INTERNET_GATEWAY, path: path(att.r), detail: `an internet gateway ${describe(att.p.InternetGatewayId)} attached to the VPC` });
  }
  for (const eigw of of('AWS::EC2::EgressOnlyInternetGateway').filter((g) => inVpc(g.p))) {
    out.push({ finding: EgressFinding.EGRESS_ONLY_INTERNET_GATEWAY, path: path(eigw.r), detail: 'an egress-only internet gateway in the VPC' });
  }
  for (const nat of of('AWS::EC2::NatGateway').filter((n) => subnetRefs.has(JSON.stringify(n.p.SubnetId)))) {
    out.push({ finding: EgressFinding.NAT_GATEWAY, path: path(nat.r), detail: `a ${nat.p.ConnectivityType === 'private' ? 'private ' : ''}NAT gateway in a subnet of the VPC` });
  }
  const igwTables = new Set<string>();
  for (const route of of('AWS::EC2::Route').filter((rt) => tableRefs.has(JSON.stringify(rt.p.RouteTableId)))) {
    const dest = route.p.DestinationCidrBlock ?? route.p.DestinationIpv6CidrBlock;
    if (isIgw(route.p.GatewayId)) {
      igwTables.add(JSON.stringify(route.p.RouteTableId));
    }
    if ((dest === ANY_IPV4 || dest === ANY_IPV6) && route.p.VpcEndpointId === undefined) {
      const via = Object.keys(route.p).find((k) => k.endsWith('Id') && k !== 'RouteTableId' && route.p[k] !== undefined) ?? 'a target';
      out.push({ finding: EgressFinding.DEFAULT_ROUTE, path: path(route.r), detail: `a route to ${dest} through ${via} ${describe(route.p[via])}` });
    }
  }
  const associations = of('AWS::EC2::SubnetRouteTableAssociation');
  for (const s of subnets) {
    const routedOut = associations.some((a) => JSON.stringify(a.p.SubnetId) === s.ref && igwTables.has(JSON.stringify(a.p.RouteTableId)));
    if (s.p.MapPublicIpOnLaunch === true || s.p.MapPublicIpOnLaunch === 'true' || routedOut) {
      out.push({ finding: EgressFinding.PUBLIC_SUBNET, path: path(s.r), detail: routedOut ? 'a subnet routed to an internet gateway' : 'a subnet that maps public IPs on launch' });
    }
  }
  for (const endpoint of of('AWS::EC2::VPCEndpoint').filter((e) => inVpc(e.p))) {
    const type = endpoint.p.VpcEndpointType ?? 'Gateway';
    const service = serviceNameText(endpoint.p.ServiceName);
    const awsService = service.startsWith('com.amazonaws.') && !service.startsWith('com.amazonaws.vpce.');
    if (type !== 'Gateway' && !awsService) {
      out.push({ finding: EgressFinding.NON_AWS_ENDPOINT, path: path(endpoint.r), detail: `${/^[AEIOU]/.test(type) ? 'an' : 'a'} ${type} endpoint to ${service}, which is not an AWS service` });
    }
  }
  // DNS: a rule group of this stack must block every name it does not
  // allow; one not defined here (Firewall Manager's) cannot be read, and counts
  const lists = new Map(of('AWS::Route53Resolver::FirewallDomainList').map((l) => [resolve({ 'Fn::GetAtt': [stack.resolve(l.r.logicalId), 'Id'] }), l.p]));
  const groups = new Map(of('AWS::Route53Resolver::FirewallRuleGroup').map((g) => [resolve({ 'Fn::GetAtt': [stack.resolve(g.r.logicalId), 'Id'] }), g.p]));
  const blocksAll = (groupId: unknown) => {
    const group = groups.get(JSON.stringify(groupId));
    if (!group) {
      return groupId !== undefined && typeof groupId === 'string';
    }
    return (group.FirewallRules ?? []).some((rule: any) => rule.Action === 'BLOCK'
      && (lists.get(JSON.stringify(rule.FirewallDomainListId))?.Domains ?? []).includes('*'));
  };
  const filtered = of('AWS::Route53Resolver::FirewallRuleGroupAssociation').some((a) => inVpc(a.p) && blocksAll(a.p.FirewallRuleGroupId));
  if (!filtered) {
    out.push({ finding: EgressFinding.UNFILTERED_DNS, path: vpc.node.path, detail: 'a VPC whose DNS queries no DNS Firewall rule group filters (no BLOCK rule over "*" associated with it)' });
  }
  // an imported VPC declares its subnets; public ones are a way out
  if (!(vpc instanceof ec2.Vpc)) {
    for (const s of vpc.publicSubnets) {
      out.push({ finding: EgressFinding.PUBLIC_SUBNET, path: vpc.node.path, detail: `the imported VPC declares public subnet ${s.subnetId}` });
    }
  }
  return out;
}

function describe(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * A service name as text: in a stack without a literal Region it is a
 * Fn::Join around `{ Ref: AWS::Region }`, written here as `<AWS::Region>`.
 */
function serviceNameText(name: any): string {
  if (typeof name === 'string') {
    return name;
  }
  if (name?.['Fn::Join']) {
    const [delimiter, parts] = name['Fn::Join'];
    return parts.map((p: any) => (typeof p === 'string' ? p : p?.Ref ? `<${p.Ref}>` : JSON.stringify(p))).join(delimiter);
  }
  return JSON.stringify(name);
}
