/**
 * The lane's deployment step: what is changed in a synthesized template
 * before LocalStack deploys it, all of it here and named. The library's own
 * checks (SSRF, URL rules) ran at synth and are not touched.
 *
 * 1. The CDK bootstrap check goes: the `BootstrapVersion` parameter (read
 *    from SSM at `/cdk-bootstrap/<qualifier>/version`) and the
 *    `CheckBootstrapVersion` rule that asserts on it. LocalStack is not
 *    bootstrapped, and the check only guards the CLI's deployment role.
 * 2. Each upstream origin (`https://api.shop.example`) is replaced by a
 *    loopback one (`http://127.0.0.1:<port>`) everywhere in the template,
 *    after synth; every integration URI must end up on 127.0.0.1.
 * 3. Resources of the types in LEFT_OUT_RESOURCE_TYPES are removed. A Ref or
 *    Fn::GetAtt of a removed resource becomes the name or ARN it would have
 *    had (`<stack>-<logical id>`, in the stack's account and Region), and a
 *    DependsOn on it is dropped, so the resources that name it (policies, a
 *    state machine definition) still deploy as written. Nothing in the lane
 *    runs a path that reaches a removed resource: the scenarios use no
 *    change detection, and the deploy test only creates.
 */

/** Why a type without a LocalStack resource provider is left out. */
const NO_PROVIDER = 'LocalStack 2026.3.0 (community) has no CloudFormation resource provider for this type. Left in, it is not created but reported CREATE_COMPLETE ("deployed as a fallback"); so it is left out and named.';

/**
 * Resource types the lane leaves out, with the reason. Only a type that
 * cannot be created on LocalStack offline belongs here; the deploy test
 * checks the no-provider entries against LocalStack's own list of resource
 * providers, so one that LocalStack learns to create fails the test until
 * it is taken off this list.
 */
export const LEFT_OUT_RESOURCE_TYPES: Readonly<Record<string, string>> = {
  'AWS::DynamoDB::Table':
    'LocalStack serves DynamoDB with DynamoDB Local, a Java program it downloads at first use; the network here reaches no such download, and DynamoDB Local\'s licence rules it out for this project.',
  'AWS::Lambda::Function':
    'LocalStack creates a function only after installing its Lambda runtime (lambda-runtime), which it downloads at first use, and it runs functions in Docker containers; this machine reaches no such download and has no Docker engine.',
  'AWS::Logs::MetricFilter': NO_PROVIDER,
  'AWS::Logs::ResourcePolicy': NO_PROVIDER,
  'AWS::EC2::FlowLog': NO_PROVIDER,
  'AWS::EC2::SecurityGroupEgress': NO_PROVIDER,
  'AWS::EC2::SecurityGroupIngress': NO_PROVIDER,
  'AWS::Route53Resolver::FirewallDomainList': NO_PROVIDER,
  'AWS::Route53Resolver::FirewallRuleGroup': NO_PROVIDER,
  'AWS::Route53Resolver::FirewallRuleGroupAssociation': NO_PROVIDER,
  'AWS::Route53Resolver::ResolverQueryLoggingConfig': NO_PROVIDER,
  'AWS::Route53Resolver::ResolverQueryLoggingConfigAssociation': NO_PROVIDER,
};

/** The left-out types that are out only for want of a LocalStack resource provider. */
export const NO_PROVIDER_TYPES: readonly string[] = Object.entries(LEFT_OUT_RESOURCE_TYPES)
  .filter(([, why]) => why === NO_PROVIDER)
  .map(([type]) => type);

/** The parameter and rule of the CDK bootstrap check (step 1). */
export const BOOTSTRAP_CHECK = { parameter: 'BootstrapVersion', rule: 'CheckBootstrapVersion' } as const;

export interface LeftOutResource {
  readonly logicalId: string;
  readonly type: string;
  readonly reason: string;
  /** The name its Refs were replaced with. */
  readonly standInName: string;
}

export interface PreparedTemplate {
  readonly template: any;
  readonly leftOut: LeftOutResource[];
}

export interface PrepareOptions {
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  /** Each upstream origin of the template, mapped to a loopback one. */
  readonly upstreams: Record<string, string>;
}

/** The ARN a left-out resource would have had, by type and attribute. */
function standInAttribute(type: string, name: string, attribute: string, account: string, region: string): string {
  if (type === 'AWS::DynamoDB::Table') {
    const arn = `arn:aws:dynamodb:${region}:${account}:table/${name}`;
    if (attribute === 'Arn') return arn;
    if (attribute === 'StreamArn') return `${arn}/stream/1970-01-01T00:00:00.000`;
  }
  if (type === 'AWS::Lambda::Function' && attribute === 'Arn') {
    return `arn:aws:lambda:${region}:${account}:function:${name}`;
  }
  throw new Error(`no stand-in for ${type} attribute ${attribute}`);
}

function mapStrings(value: any, f: (s: string) => string): any {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)]));
  return value;
}

function replaceReferences(value: any, leftOut: Map<string, LeftOutResource>, account: string, region: string): any {
  if (Array.isArray(value)) return value.map((v) => replaceReferences(v, leftOut, account, region));
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'Ref' && leftOut.has(value.Ref)) {
      return leftOut.get(value.Ref)!.standInName;
    }
    if (keys.length === 1 && keys[0] === 'Fn::GetAtt' && leftOut.has(value['Fn::GetAtt'][0])) {
      const r = leftOut.get(value['Fn::GetAtt'][0])!;
      return standInAttribute(r.type, r.standInName, value['Fn::GetAtt'][1], account, region);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceReferences(v, leftOut, account, region)]));
  }
  return value;
}

/** A URL's origin as written in the template, for the integration URI check. */
function integrationUris(template: any): string[] {
  const out: string[] = [];
  const flatten = (v: any): string => (typeof v === 'string' ? v : v?.['Fn::Join'] ? v['Fn::Join'][1].map(flatten).join(v['Fn::Join'][0]) : JSON.stringify(v));
  for (const r of Object.values<any>(template.Resources)) {
    if (r.Type === 'AWS::ApiGateway::Method' && r.Properties?.Integration?.Uri !== undefined) {
      out.push(flatten(r.Properties.Integration.Uri));
    }
  }
  return out;
}

/** Steps 1 to 3 on a copy of the template. */
export function prepareForLocalStack(template: any, options: PrepareOptions): PreparedTemplate {
  let t = JSON.parse(JSON.stringify(template));
  // 1
  delete t.Parameters?.[BOOTSTRAP_CHECK.parameter];
  delete t.Rules?.[BOOTSTRAP_CHECK.rule];
  if (t.Parameters && Object.keys(t.Parameters).length === 0) delete t.Parameters;
  if (t.Rules && Object.keys(t.Rules).length === 0) delete t.Rules;

  // 2
  const origins = Object.entries(options.upstreams);
  t = mapStrings(t, (s) => origins.reduce((acc, [from, to]) => acc.split(from).join(to), s));
  const unmapped = integrationUris(t).filter((uri) => !/^http:\/\/127\.0\.0\.1:\d+\//.test(uri));
  if (unmapped.length > 0) {
    throw new Error(`integration URIs not mapped to 127.0.0.1: ${unmapped.join(', ')}`);
  }

  // 3
  const leftOut = new Map<string, LeftOutResource>();
  for (const [logicalId, r] of Object.entries<any>(t.Resources)) {
    const reason = LEFT_OUT_RESOURCE_TYPES[r.Type];
    if (reason) {
      leftOut.set(logicalId, { logicalId, type: r.Type, reason, standInName: `${options.stackName}-${logicalId}`.slice(0, 255) });
    }
  }
  for (const id of leftOut.keys()) delete t.Resources[id];
  t = replaceReferences(t, leftOut, options.account, options.region);
  for (const r of Object.values<any>(t.Resources)) {
    if (r.DependsOn !== undefined) {
      const kept = [r.DependsOn].flat().filter((d: string) => !leftOut.has(d));
      if (kept.length === 0) delete r.DependsOn;
      else r.DependsOn = kept;
    }
  }
  return { template: t, leftOut: [...leftOut.values()] };
}

/** Every `https://<host>.example` origin in a template, for mapping all of them to one stub. */
export function exampleOrigins(template: any): string[] {
  const found = new Set<string>();
  mapStrings(template, (s) => {
    for (const m of s.matchAll(/https?:\/\/[A-Za-z0-9.-]+\.example(?=[/'"]|$)/g)) found.add(m[0]);
    return s;
  });
  return [...found].sort();
}
