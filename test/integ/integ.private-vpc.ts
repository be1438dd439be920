// The fully private variant in an account: an isolated VPC, a PRIVATE API
// with one real target, and the example's caller function (SigV4 through
// the execute-api endpoint). The assertion invokes the function and
// expects the route's answer to come back through the VPC endpoint.
//
// Run against an account: npx integ-runner --directory test/integ --update-on-failed
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CALLER_SOURCE } from '../../examples/private-vpc/caller-source';
import { HttpProxyApi, PrivateVpcEgressPolicy } from '../../src';

// no creation stack traces in the snapshots' metadata: they would hold this machine's paths
const app = new App({ stackTraces: false, context: { 'aws:cdk:disable-creation-stack-traces': true } });
const stack = new Stack(app, 'InsideOutIntegPrivateVpc');
const egress = new PrivateVpcEgressPolicy(stack, 'PrivateEgress', { isolatedVpc: { maxAzs: 2, flowLogRemovalPolicy: RemovalPolicy.DESTROY } });
const api = new HttpProxyApi(stack, 'PrivateApi', { endpointType: apigw.EndpointType.PRIVATE, privateAccess: egress, logRemovalPolicy: RemovalPolicy.DESTROY });
const checkip = api.addTarget('checkip', { url: 'https://checkip.amazonaws.com/' });
const caller = new lambda.Function(stack, 'Caller', {
  runtime: lambda.Runtime.NODEJS_24_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline(CALLER_SOURCE),
  timeout: Duration.seconds(30),
  vpc: egress.vpc,
  vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  environment: { ROUTE_URL: `${api.restApi.url}checkip` },
});
egress.allow(caller, checkip);

const integ = new IntegTest(app, 'PrivateVpc', { testCases: [stack], diffAssets: false });
integ.assertions.invokeFunction({ functionName: caller.functionName }).expect(ExpectedResult.objectLike({
  StatusCode: 200,
  Payload: Match.serializedJson(Match.objectLike({ status: 200 })),
}));
