import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { EgressFinding, HttpProxyApi, PrivateVpcEgressPolicy, PrivateVpcEgressPolicyProps } from '../src';
import { testStack, validationErrors } from './support/test-stack';

const isolated = (s: Construct) => new ec2.Vpc(s, 'Mine', { natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });

/** Each case: what is wrong, the props, and the parts the error must name (prop, value, what is accepted). */
const refused: Array<[string, (scope: Construct) => PrivateVpcEgressPolicyProps, RegExp[]]> = [
  ['both a VPC and settings for a new one', (s) => ({ vpc: isolated(s), isolatedVpc: { maxAzs: 2 } }), [/invalid isolatedVpc/, /"given with vpc"/, /either vpc \(yours\) or isolatedVpc/]],
  ['an unknown accepted finding', () => ({ acceptedFindings: ['VPN' as EgressFinding] }), [/invalid acceptedFindings/, /"VPN"/, /INTERNET_GATEWAY, EGRESS_ONLY_INTERNET_GATEWAY, NAT_GATEWAY/]],
  ['no availability zones', () => ({ isolatedVpc: { maxAzs: 0 } }), [/invalid maxAzs/, /got 0/, /a whole number from 1 to 6/]],
  ['seven availability zones', () => ({ isolatedVpc: { maxAzs: 7 } }), [/invalid maxAzs/, /got 7/]],
  ['half an availability zone', () => ({ isolatedVpc: { maxAzs: 1.5 } }), [/invalid maxAzs/, /got 1\.5/]],
  ['an empty allowFrom', () => ({ allowFrom: [] }), [/invalid allowFrom/, /"an empty list"/, /at least one security group, or no allowFrom/]],
  ['endpoint subnets of a type the VPC lacks', () => ({ endpointSubnets: { subnetType: ec2.SubnetType.PUBLIC } }),
    [/invalid endpointSubnets/, /no 'Public' subnet groups/, /a selection of subnets this VPC has/]],
  ['endpoint subnets in a zone the VPC lacks', () => ({ endpointSubnets: { availabilityZones: ['us-east-1f'] } }),
    [/invalid endpointSubnets/, /a selection of subnets this VPC has/]],
];

describe('PrivateVpcEgressPolicy refuses bad input with a message naming prop, value and what is accepted', () => {
  test.each(refused)('%s', (_name, props, expected) => {
    const stack = testStack();
    let message = '';
    try {
      new PrivateVpcEgressPolicy(stack, 'PrivateEgress', props(stack));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^TestStack\/PrivateEgress(\/Vpc)?: invalid /);
    for (const part of expected) {
      expect(message).toMatch(part);
    }
  });

  test('a VPC with a NAT gateway is reported at synth, by path, with the way to accept it', () => {
    // GIVEN a VPC with public subnets and a NAT gateway
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Open', { natGateways: 1 });
    const egress = new PrivateVpcEgressPolicy(stack, 'PrivateEgress', { vpc });
    new HttpProxyApi(stack, 'PrivateApi', { endpointType: apigw.EndpointType.PRIVATE, privateAccess: egress });

    // WHEN
    const errors = validationErrors(stack).join('\n');

    // THEN each way out is named, with the finding to accept it by
    expect(errors).toMatch(/NAT_GATEWAY: TestStack\/Open\/PublicSubnet1\/NATGateway/);
    expect(errors).toMatch(/INTERNET_GATEWAY: TestStack\/Open\/IGW/);
    expect(errors).toMatch(/acceptedFindings/);
  });

  test('allow() of a target that is not on a PRIVATE API bound to this policy names the APIs it governs', () => {
    const stack = testStack();
    const egress = new PrivateVpcEgressPolicy(stack, 'PrivateEgress');
    new HttpProxyApi(stack, 'PrivateApi', { endpointType: apigw.EndpointType.PRIVATE, privateAccess: egress });
    const regional = new HttpProxyApi(stack, 'Regional').addTarget('x', { url: 'https://api.example.com/x' });
    const role = new iam.Role(stack, 'Workload', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => egress.allow(role, regional)).toThrow(/^TestStack\/PrivateEgress: invalid allow target: got "'x' of TestStack\/Regional\/Api"; accepted: a target of a PRIVATE HttpProxyApi whose privateAccess is this policy \(TestStack\/PrivateApi\)$/);
  });

  test('a policy no PRIVATE API uses is reported at synth', () => {
    const stack = testStack();
    new PrivateVpcEgressPolicy(stack, 'PrivateEgress');
    expect(validationErrors(stack).join('\n')).toMatch(/privateAccess: no PRIVATE HttpProxyApi uses this policy; pass it as privateAccess of one/);
  });
});
