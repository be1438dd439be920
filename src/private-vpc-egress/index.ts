export * from './private-vpc-egress-policy';
export * from './isolated-vpc';
export { EgressFinding } from './egress-guard';
export * from './dns-firewall';
