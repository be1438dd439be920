// Builds the architecture picture of a synthesized stack as Graphviz DOT:
// one cluster per top-level construct (labelled with its id and class), a
// node for each resource a reader needs to see (schedule, state machine,
// routes, queue, bucket, table, topic, alarms), and an edge wherever one of
// them refers to another in the template. The upstream hosts come from the
// routes' integration URIs. IAM, KMS and log plumbing are left out: they are
// in the README's security section, and they would drown the picture.
import { CfnElement, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';

interface Shown {
  /** The label; `name` is the id of the construct that owns the resource. */
  readonly label: (resource: any, template: any, name: string) => string;
  readonly shape: string;
}

/** The resource types drawn, and how each is labelled. */
const SHOWN: Record<string, Shown> = {
  'AWS::Scheduler::Schedule': {
    shape: 'box',
    label: (r) => `EventBridge Scheduler\\n${r.Properties.ScheduleExpression}`,
  },
  'AWS::StepFunctions::StateMachine': {
    shape: 'box',
    label: (r) => `Step Functions\\n${r.Properties.StateMachineType ?? 'STANDARD'} state machine`,
  },
  'AWS::ApiGateway::Method': {
    shape: 'box',
    label: (r, t) => `${r.Properties.HttpMethod} ${routePath(r.Properties.ResourceId, t)}\\nIAM auth`,
  },
  'AWS::SQS::Queue': { shape: 'box', label: () => 'SQS dead-letter queue' },
  'AWS::S3::Bucket': {
    shape: 'cylinder',
    label: (r) => (r.Properties?.LoggingConfiguration ? 'S3 bucket\\nresponses' : 'S3 bucket\\naccess logs'),
  },
  'AWS::DynamoDB::Table': { shape: 'cylinder', label: () => 'DynamoDB table\\nlast hash per request' },
  'AWS::SNS::Topic': { shape: 'box', label: (_r, _t, name) => `SNS topic\\n${name.toLowerCase()}` },
};

/** Alarms are many and alike: each cluster's alarms are drawn as one node. */
const ALARM = 'AWS::CloudWatch::Alarm';

/** The edges drawn, by the types at each end (`alarms` for an alarm), with their labels. */
const EDGE_LABELS: Record<string, string> = {
  'AWS::Scheduler::Schedule>AWS::StepFunctions::StateMachine': 'starts',
  'AWS::Scheduler::Schedule>AWS::SQS::Queue': 'failed starts',
  'AWS::StepFunctions::StateMachine>AWS::ApiGateway::Method': 'apigateway:invoke\\nSigV4',
  'AWS::StepFunctions::StateMachine>AWS::S3::Bucket': 'PutObject',
  'AWS::StepFunctions::StateMachine>AWS::DynamoDB::Table': 'conditional write',
  'AWS::StepFunctions::StateMachine>AWS::SNS::Topic': 'change',
  'AWS::S3::Bucket>AWS::S3::Bucket': 'server access logs',
  'alarms>AWS::SNS::Topic': 'notifies',
};

/** The path of an API Gateway resource, from its PathPart chain. */
function routePath(resourceId: any, template: any): string {
  const parts: string[] = [];
  let ref = resourceId?.Ref;
  while (ref && template.Resources[ref]?.Type === 'AWS::ApiGateway::Resource') {
    const props = template.Resources[ref].Properties;
    parts.unshift(props.PathPart);
    ref = props.ParentId?.Ref;
  }
  return `/${parts.join('/')}`;
}

/** Logical ids a template value refers to through Ref and Fn::GetAtt. */
function referencesOf(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    value.forEach((v) => referencesOf(v, out));
  } else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'Ref' && typeof v === 'string') {
        out.add(v);
      } else if (key === 'Fn::GetAtt' && Array.isArray(v)) {
        out.add(String(v[0]));
      } else {
        referencesOf(v, out);
      }
    }
  }
  return out;
}

/** The upstream origin an HTTP integration forwards to. */
function upstreamOf(method: any): string | undefined {
  const uri = method.Properties.Integration?.Uri;
  const text = typeof uri === 'string' ? uri : JSON.stringify(uri ?? '');
  return /https:\/\/[^/"{]+/.exec(text)?.[0];
}

const quote = (s: string) => `"${s.replace(/"/g, '\\"')}"`;

/** A construct's class as users know it: the jsii name, else the JavaScript one. */
function classOf(construct: IConstruct): string {
  // aws-cdk-lib's classes carry their jsii name (sns.Topic is `Topic2` in
  // JavaScript); a class compiled without jsii inherits Construct's
  const fqn: string | undefined = (construct.constructor as any)[Symbol.for('jsii.rtti')]?.fqn;
  return fqn && fqn !== 'constructs.Construct' ? fqn.split('.').pop()! : construct.constructor.name;
}

/** The id of the construct that owns a CloudFormation resource (an L2's `Resource` is named by its L2). */
function ownerName(resource: CfnResource): string {
  return resource.node.id === 'Resource' && resource.node.scope ? resource.node.scope.node.id : resource.node.id;
}

interface Cluster {
  readonly id: string;
  readonly label: string;
  /** Drawn nodes: logical id, label and shape. */
  readonly nodes: Array<{ readonly id: string; readonly label: string; readonly shape: string }>;
}

/**
 * The DOT source of a stack's architecture. Deterministic: the same stack
 * gives the same text, so a test can hold the committed picture to it.
 */
export function architectureDot(stack: Stack, title: string): string {
  const template = Template.fromStack(stack).toJSON();
  const resources: Record<string, any> = template.Resources;
  const logicalId = (r: CfnResource) => stack.resolve((r as CfnElement).logicalId) as string;
  /** The node each drawn resource is drawn as (an alarm: its cluster's alarm node). */
  const nodeOf = new Map<string, string>();
  const clusters: Cluster[] = [];

  for (const child of stack.node.children) {
    const members = child.node.findAll()
      .filter((c: IConstruct): c is CfnResource => CfnResource.isCfnResource(c))
      .map((r) => ({ resource: r, id: logicalId(r) }))
      .sort((a, b) => a.id.localeCompare(b.id));
    const nodes: Cluster['nodes'][number][] = [];
    for (const { resource, id } of members) {
      const shown = SHOWN[resources[id]?.Type];
      if (shown) {
        nodes.push({ id, label: shown.label(resources[id], template, ownerName(resource)), shape: shown.shape });
        nodeOf.set(id, id);
      }
    }
    const alarms = members.filter(({ id }) => resources[id]?.Type === ALARM);
    if (alarms.length > 0) {
      const id = `${child.node.id}/alarms`;
      nodes.push({ id, label: `CloudWatch alarms x${alarms.length}`, shape: 'box' });
      alarms.forEach((a) => nodeOf.set(a.id, id));
    }
    if (nodes.length > 0) {
      clusters.push({ id: child.node.id, label: `${child.node.id} (${classOf(child)})`, nodes });
    }
  }

  const lines = [
    'digraph architecture {',
    `  label=${quote(title)}; labelloc=t; fontname="DejaVu Sans"; fontsize=16;`,
    '  rankdir=LR; newrank=true;',
    '  node [fontname="DejaVu Sans", fontsize=11, style="rounded,filled", fillcolor="#f5f7fa"];',
    '  edge [fontname="DejaVu Sans", fontsize=9];',
  ];
  for (const cluster of clusters.sort((a, b) => a.id.localeCompare(b.id))) {
    lines.push(`  subgraph ${quote(`cluster_${cluster.id}`)} {`, `    label=${quote(cluster.label)}; style=rounded; color="#7b8794";`);
    for (const node of cluster.nodes) {
      lines.push(`    ${quote(node.id)} [label=${quote(node.label)}, shape=${node.shape}];`);
    }
    lines.push('  }');
  }

  const edges = new Set<string>();
  const upstreams = new Set<string>();
  const typeKey = (id: string) => (resources[id].Type === ALARM ? 'alarms' : resources[id].Type);
  const methodsOf = (api: string) => [...nodeOf.keys()]
    .filter((m) => resources[m].Type === 'AWS::ApiGateway::Method' && referencesOf(resources[m].Properties).has(api));
  for (const from of [...nodeOf.keys()].sort()) {
    for (const to of [...referencesOf(resources[from].Properties)].sort()) {
      // a state machine that calls an API reaches it through the API's routes
      const targets = resources[to]?.Type === 'AWS::ApiGateway::RestApi' ? methodsOf(to) : nodeOf.has(to) ? [to] : [];
      for (const target of targets) {
        const label = EDGE_LABELS[`${typeKey(from)}>${typeKey(target)}`];
        // only named edges are drawn: an alarm's metric dimensions, or a
        // method's own API, are not a flow worth a line
        if (label) {
          edges.add(`  ${quote(nodeOf.get(from)!)} -> ${quote(nodeOf.get(target)!)} [label=${quote(label)}];`);
        }
      }
    }
    if (resources[from].Type === 'AWS::ApiGateway::Method') {
      const upstream = upstreamOf(resources[from]);
      if (upstream) {
        upstreams.add(upstream);
        edges.add(`  ${quote(from)} -> ${quote(upstream)} [label="HTTPS"];`);
      }
    }
  }
  lines.push('  subgraph "cluster_internet" {', '    label="Internet"; style="rounded,dashed"; color="#7b8794";');
  for (const upstream of [...upstreams].sort()) {
    lines.push(`    ${quote(upstream)} [label=${quote(upstream.replace('https://', ''))}, shape=box, style="rounded,dashed"];`);
  }
  lines.push('  }');
  lines.push(...[...edges].sort(), '}', '');
  return lines.join('\n');
}
