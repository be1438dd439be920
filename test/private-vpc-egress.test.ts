import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { EgressFinding, HttpProxyApi, PrivateVpcEgressPolicy, PrivateVpcEgressPolicyProps } from '../src';
import { testStack, validationErrors } from './support/test-stack';

function setup(props: PrivateVpcEgressPolicyProps = {}, before?: (stack: Stack) => Partial<PrivateVpcEgressPolicyProps>) {
  const stack = testStack();
  const extra = before?.(stack) ?? {};
  const egress = new PrivateVpcEgressPolicy(stack, 'PrivateEgress', { ...props, ...extra });
  const api = new HttpProxyApi(stack, 'PrivateApi', { endpointType: apigw.EndpointType.PRIVATE, privateAccess: egress });
  const status = api.addTarget('status', { url: 'https://status.partner.example/api/{item}' });
  const other = api.addTarget('other', { url: 'https://other.partner.example/api' });
  const workload = new iam.Role(stack, 'Workload', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  egress.allow(workload, status);
  const id = (c: any) => stack.getLogicalId(c.node.defaultChild);
  return { stack, egress, api, status, other, workload, id, get template() { return Template.fromStack(stack); } };
}

/** A VPC of the app with isolated subnets only, to which a test adds one way out. */
function isolatedVpc(stack: Stack): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', { natGateways: 0, maxAzs: 2, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
}

describe('the isolated VPC and the endpoint', () => {
  test('GIVEN no VPC WHEN synthesized THEN a VPC with isolated subnets only, no internet or NAT gateway, and encrypted flow logs is created', () => {
    const { template } = setup();
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::Route', 0);
    template.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('InsideOutGatewayLogKey'), 'Arn'] }, RetentionInDays: 365 });
    // no Lambda anywhere (restricting the default security group would add one)
    template.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('GIVEN gateway endpoints asked for WHEN synthesized THEN S3 and DynamoDB gateway endpoints exist', () => {
    const { template } = setup({ isolatedVpc: { s3GatewayEndpoint: true, dynamoDbGatewayEndpoint: true } });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']] } });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.dynamodb']] } });
  });

  test('GIVEN defaults WHEN synthesized THEN the execute-api endpoint has private DNS, and its security group allows only TCP 443 from the VPC range', () => {
    const { template, id, egress } = setup();
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Interface',
      ServiceName: 'com.amazonaws.us-east-1.execute-api',
      PrivateDnsEnabled: true,
      SecurityGroupIds: [{ 'Fn::GetAtt': [id(egress.securityGroup), 'GroupId'] }],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '10.0.0.0/16', Description: 'HTTPS from the VPC' }],
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
  });

  test('GIVEN allowFrom security groups and private DNS off WHEN synthesized THEN only those groups may connect', () => {
    const { template } = setup({ privateDnsEnabled: false }, (stack) => {
      const vpc = isolatedVpc(stack);
      return { vpc, allowFrom: [new ec2.SecurityGroup(stack, 'Workloads', { vpc })] };
    });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface', PrivateDnsEnabled: false });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { IpProtocol: 'tcp', FromPort: 443, SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('Workloads'), 'GroupId'] } });
  });

  test('GIVEN governed routes WHEN synthesized THEN the endpoint policy allows invoking only those routes, by this account', () => {
    const { template } = setup();
    const route = (tail: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:execute-api:us-east-1:123456789012:*/egress/${tail}`]] });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Interface',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{
          Sid: 'InvokeGovernedRoutesOnly',
          Effect: 'Allow',
          Principal: '*',
          Action: 'execute-api:Invoke',
          Resource: [route('GET/status/*'), route('GET/other')],
          Condition: { StringEquals: { 'aws:PrincipalAccount': '123456789012' } },
        }],
      },
    });
  });

  test('GIVEN a PRIVATE API WHEN synthesized THEN its resource policy denies every call that does not come through the endpoint', () => {
    const { template, id, egress } = setup();
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['PRIVATE'], VpcEndpointIds: [{ Ref: id(egress.endpoint) }] },
      Policy: {
        Statement: Match.arrayWith([{
          Sid: 'DenyInvokeFromOutsideTheEndpoints',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'execute-api:Invoke',
          Resource: 'execute-api:/*',
          Condition: { StringNotEquals: { 'aws:SourceVpce': [{ Ref: id(egress.endpoint) }] } },
        }]),
      },
    });
  });

  test('GIVEN allow(role, target) WHEN synthesized THEN the role may invoke exactly that route', () => {
    const { stack, workload, id, api } = setup();
    const policy = stack.resolve((workload.node.findChild('DefaultPolicy').node.defaultChild as iam.CfnPolicy).policyDocument);
    expect(policy.Statement).toEqual([{
      Action: 'execute-api:Invoke',
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':execute-api:us-east-1:123456789012:', { Ref: id(api.restApi) }, '/', { Ref: id(api.stage) }, '/GET/status/*']] },
    }]);
  });

  test('GIVEN shared definitions WHEN added to a REGIONAL and a PRIVATE API THEN both get the same routes', () => {
    const stack = testStack();
    const egress = new PrivateVpcEgressPolicy(stack, 'PrivateEgress');
    const definitions = { status: { url: 'https://status.partner.example/api' }, prices: { url: 'https://shop.example/prices/{sku}' } };
    const scheduled = new HttpProxyApi(stack, 'ScheduledApi').addTargets(definitions);
    const inVpc = new HttpProxyApi(stack, 'PrivateApi', { endpointType: apigw.EndpointType.PRIVATE, privateAccess: egress }).addTargets(definitions);
    expect(Object.keys(scheduled)).toEqual(['status', 'prices']);
    expect(inVpc.prices.path).toBe(scheduled.prices.path);
    expect(validationErrors(stack)).toEqual([]);
  });
});

describe('the egress guard', () => {
  const findingsOf = (stack: Stack) => validationErrors(stack).filter((e) => e.startsWith('vpc: '));

  test('GIVEN a VPC with isolated subnets only WHEN validated THEN there is no finding', () => {
    const { stack } = setup({}, (s) => ({ vpc: isolatedVpc(s) }));
    expect(validationErrors(stack)).toEqual([]);
  });

  const cases: Array<[string, EgressFinding, (stack: Stack, vpc: ec2.Vpc) => void, RegExp]> = [
    ['an internet gateway added as L1 resources', EgressFinding.INTERNET_GATEWAY, (stack, vpc) => {
      const igw = new ec2.CfnInternetGateway(stack, 'HandMadeIgw');
      new ec2.CfnVPCGatewayAttachment(stack, 'HandMadeAttachment', { vpcId: vpc.vpcId, internetGatewayId: igw.ref });
    }, /INTERNET_GATEWAY: TestStack\/HandMadeIgw is an internet gateway attached to the VPC/],
    ['an egress-only internet gateway', EgressFinding.EGRESS_ONLY_INTERNET_GATEWAY, (stack, vpc) => {
      new ec2.CfnEgressOnlyInternetGateway(stack, 'Eigw', { vpcId: vpc.vpcId });
    }, /EGRESS_ONLY_INTERNET_GATEWAY: TestStack\/Eigw is an egress-only internet gateway/],
    ['a NAT gateway in one of its subnets', EgressFinding.NAT_GATEWAY, (stack, vpc) => {
      new ec2.CfnNatGateway(stack, 'Nat', { subnetId: vpc.isolatedSubnets[0].subnetId, connectivityType: 'private' });
    }, /NAT_GATEWAY: TestStack\/Nat is a private NAT gateway in a subnet of the VPC/],
    ['a subnet that maps public IPs', EgressFinding.PUBLIC_SUBNET, (stack, vpc) => {
      new ec2.CfnSubnet(stack, 'PublicByHand', { vpcId: vpc.vpcId, cidrBlock: '10.0.200.0/24', mapPublicIpOnLaunch: true });
    }, /PUBLIC_SUBNET: TestStack\/PublicByHand is a subnet that maps public IPs on launch/],
    ['a default route through a transit gateway', EgressFinding.DEFAULT_ROUTE, (stack, vpc) => {
      new ec2.CfnRoute(stack, 'ToTgw', { routeTableId: vpc.isolatedSubnets[0].routeTable.routeTableId, destinationCidrBlock: '0.0.0.0/0', transitGatewayId: 'tgw-0123456789abcdef0' });
    }, /DEFAULT_ROUTE: TestStack\/ToTgw is a route to 0\.0\.0\.0\/0 through TransitGatewayId tgw-0123456789abcdef0/],
    ['an IPv6 default route through a network interface', EgressFinding.DEFAULT_ROUTE, (stack, vpc) => {
      new ec2.CfnRoute(stack, 'V6', { routeTableId: vpc.isolatedSubnets[1].routeTable.routeTableId, destinationIpv6CidrBlock: '::/0', networkInterfaceId: 'eni-0123456789abcdef0' });
    }, /DEFAULT_ROUTE: TestStack\/V6 is a route to ::\/0 through NetworkInterfaceId/],
    ['an interface endpoint to a proxy service', EgressFinding.NON_AWS_ENDPOINT, (stack, vpc) => {
      new ec2.CfnVPCEndpoint(stack, 'Proxy', { vpcId: vpc.vpcId, vpcEndpointType: 'Interface', serviceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0' });
    }, /NON_AWS_ENDPOINT: TestStack\/Proxy is an Interface endpoint to com\.amazonaws\.vpce\.us-east-1\.vpce-svc-0123456789abcdef0/],
    ['a property override that makes a subnet public after the fact', EgressFinding.PUBLIC_SUBNET, (_stack, vpc) => {
      (vpc.isolatedSubnets[0].node.defaultChild as ec2.CfnSubnet).addPropertyOverride('MapPublicIpOnLaunch', true);
    }, /PUBLIC_SUBNET: TestStack\/Vpc\/isolatedSubnet1\/Subnet is a subnet that maps public IPs/],
  ];

  test.each(cases)('GIVEN %s WHEN validated THEN synth fails naming the resource and the opt-out', (_name, finding, add, expected) => {
    // GIVEN
    let vpc!: ec2.Vpc;
    const { stack } = setup({}, (s) => ({ vpc: (vpc = isolatedVpc(s)) }));
    // WHEN the way out is added after the policy
    add(stack, vpc);
    // THEN
    const found = findingsOf(stack);
    expect(found.some((e) => expected.test(e))).toBe(true);
    expect(found.every((e) => e.includes('acceptedFindings: [EgressFinding.'))).toBe(true);
    // AND accepting exactly that kind clears it
    const accepted = setup({ acceptedFindings: [finding] }, (s) => ({ vpc: (vpc = isolatedVpc(s)) }));
    add(accepted.stack, vpc);
    expect(findingsOf(accepted.stack).filter((e) => e.includes(finding))).toEqual([]);
    expect(accepted.stack.node.findChild('PrivateEgress').node.metadata.find((m) => m.type === 'cdk-inside-out-gateway:acceptedEgressFindings')?.data).toEqual([finding]);
  });

  test('GIVEN a default VPC with NAT WHEN validated THEN the gateway, the NAT, the routes and the public subnets are all listed', () => {
    const { stack } = setup({}, (s) => ({ vpc: new ec2.Vpc(s, 'Vpc', { maxAzs: 2, natGateways: 1 }) }));
    const found = findingsOf(stack).map((e) => e.split(':')[1].trim());
    expect(new Set(found)).toEqual(new Set(['INTERNET_GATEWAY', 'NAT_GATEWAY', 'DEFAULT_ROUTE', 'PUBLIC_SUBNET']));
    expect(findingsOf(stack).length).toBe(1 + 1 + 4 + 2);
  });

  test('GIVEN an imported VPC that declares public subnets WHEN validated THEN they are listed', () => {
    const { stack } = setup({}, (s) => ({
      vpc: ec2.Vpc.fromVpcAttributes(s, 'Imported', {
        vpcId: 'vpc-0123456789abcdef0',
        vpcCidrBlock: '10.1.0.0/16',
        availabilityZones: ['us-east-1a'],
        isolatedSubnetIds: ['subnet-00000000000000001'],
        publicSubnetIds: ['subnet-00000000000000002'],
      }),
    }));
    expect(findingsOf(stack)).toEqual([expect.stringMatching(/PUBLIC_SUBNET: TestStack\/Imported is the imported VPC declares public subnet subnet-00000000000000002/)]);
  });
});

describe('bad input', () => {
  test('GIVEN a target of another API WHEN allow() THEN the error names the target and what is accepted', () => {
    const { egress, stack, workload } = setup();
    const regional = new HttpProxyApi(stack, 'Regional').addTarget('x', { url: 'https://x.example.com/' });
    expect(() => egress.allow(workload, regional)).toThrow(/PrivateEgress: invalid allow target: got "'x' of TestStack\/Regional\/Api"; accepted: a target of a PRIVATE HttpProxyApi whose privateAccess is this policy \(TestStack\/PrivateApi\)/);
  });

  test('GIVEN both vpc and isolatedVpc WHEN created THEN the error says to choose', () => {
    const stack = testStack();
    expect(() => new PrivateVpcEgressPolicy(stack, 'P', { vpc: isolatedVpc(stack), isolatedVpc: { maxAzs: 1 } })).toThrow(/invalid isolatedVpc: got "given with vpc"; accepted: either vpc \(yours\) or isolatedVpc/);
  });

  test('GIVEN an unknown accepted finding WHEN created THEN the known ones are listed', () => {
    expect(() => new PrivateVpcEgressPolicy(testStack(), 'P', { acceptedFindings: ['VPN' as EgressFinding] })).toThrow(/invalid acceptedFindings: got "VPN"; accepted: INTERNET_GATEWAY, EGRESS_ONLY_INTERNET_GATEWAY, NAT_GATEWAY, PUBLIC_SUBNET, DEFAULT_ROUTE, NON_AWS_ENDPOINT, UNFILTERED_DNS/);
  });

  test('GIVEN a policy no API uses WHEN validated THEN synth says to pass it as privateAccess', () => {
    const stack = testStack();
    new PrivateVpcEgressPolicy(stack, 'P');
    expect(validationErrors(stack)).toContainEqual(expect.stringMatching(/privateAccess: no PRIVATE HttpProxyApi uses this policy/));
  });

  test('GIVEN a stack with no literal Region WHEN synthesized THEN the execute-api endpoint (a Region token in its name) is not taken for a non-AWS endpoint', () => {
    // GIVEN an environment-agnostic stack, as integration tests use
    const stack = new Stack(new App(), 'Agnostic');
    const egress = new PrivateVpcEgressPolicy(stack, 'PrivateEgress');
    new HttpProxyApi(stack, 'PrivateApi', { endpointType: apigw.EndpointType.PRIVATE, privateAccess: egress })
      .addTarget('status', { url: 'https://status.partner.example/api' });

    // WHEN
    const errors = validationErrors(stack);

    // THEN the guard finds no way out, and the service name is the token it read
    expect(errors).toEqual([]);
    expect(JSON.stringify(Template.fromStack(stack).findResources('AWS::EC2::VPCEndpoint'))).toContain('{"Ref":"AWS::Region"},".execute-api"');
  });
});
