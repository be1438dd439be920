/**
 * Reading a synthesized CloudFormation template for the rules: intrinsic
 * values as text, references between resources, and IAM statements.
 */

/** The template's resources as [logical id, resource] pairs, optionally of one type. */
export function resourcesOf(template: any, type?: string): Array<[string, any]> {
  return Object.entries<any>(template?.Resources ?? {}).filter(([, r]) => !type || r?.Type === type);
}

function placeholder(name: string): string {
  // `<AWS.Partition>`, `<Bucket.Arn>`: no colon, slash, quote or brace, so
  // a placeholder neither splits an ARN nor looks like an intrinsic's
  // reserved character
  return `<${name.replace(/::/g, '.')}>`;
}

/**
 * A template value as text, as CloudFormation would render it, with each
 * value known only at deploy time (Ref, Fn::GetAtt, parameters, imports)
 * replaced by a placeholder in angle brackets.
 */
export function textOf(value: any): string {
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  if (Array.isArray(value)) {
    return value.map(textOf).join(',');
  }
  if (!value || typeof value !== 'object') {
    return '';
  }
  const [fn, arg] = Object.entries<any>(value)[0] ?? [];
  switch (fn) {
    case 'Ref':
      return placeholder(arg);
    case 'Fn::GetAtt':
      return placeholder(Array.isArray(arg) ? arg.join('.') : String(arg));
    case 'Fn::Join':
      return Array.isArray(arg?.[1]) ? arg[1].map(textOf).join(arg[0]) : placeholder(fn);
    case 'Fn::Sub': {
      const [text, vars] = Array.isArray(arg) ? arg : [arg, {}];
      return String(text).replace(/\$\{([^}]+)\}/g, (_, name: string) =>
        name.startsWith('!') ? `\${${name.slice(1)}}` : name in (vars ?? {}) ? textOf(vars[name]) : placeholder(name));
    }
    case 'Fn::Select':
      return Array.isArray(arg?.[1]) ? textOf(arg[1][Number(arg[0])]) : placeholder(fn);
    default:
      return placeholder(String(fn));
  }
}

/** Whether text from textOf still holds a deploy-time placeholder. */
export function hasPlaceholder(text: string): boolean {
  return /<[^<>\s]+>/.test(text);
}

/** The logical id a value points at: `{Ref: X}`, `{Fn::GetAtt: [X, …]}`. */
export function refTarget(value: any): string | undefined {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    if (typeof value.Ref === 'string') {
      return value.Ref;
    }
    const att = value['Fn::GetAtt'];
    if (att) {
      return Array.isArray(att) ? att[0] : String(att).split('.')[0];
    }
  }
  return undefined;
}

/** Every name a value refers to, at any depth (Ref, Fn::GetAtt, `${…}` in Fn::Sub). */
export function referencedNames(value: any, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    value.forEach((v) => referencedNames(v, out));
  } else if (value && typeof value === 'object') {
    const target = refTarget(value);
    if (target) {
      out.add(target);
    }
    const sub = value['Fn::Sub'];
    if (sub !== undefined) {
      const text = Array.isArray(sub) ? sub[0] : sub;
      for (const m of String(text).matchAll(/\$\{([^!}][^}]*)\}/g)) {
        if (!(Array.isArray(sub) && m[1] in (sub[1] ?? {}))) {
          out.add(m[1].split('.')[0]);
        }
      }
    }
    Object.values(value).forEach((v) => referencedNames(v, out));
  }
  return out;
}

/** A value as a list: IAM allows a single value or an array almost everywhere. */
export function listOf(value: any): any[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** Whether an IAM action pattern list (with `*` and `?`) covers an action, case-insensitively. */
export function actionCovers(patterns: any, action: string): boolean {
  return listOf(patterns).some((p) => {
    const re = new RegExp(`^${String(p).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
    return re.test(action);
  });
}

/** Whether a statement's Resource names the resource (by reference) or is `*`. */
export function resourceCovers(resource: any, logicalId: string): boolean {
  return listOf(resource).some((r) => r === '*' || referencedNames(r).has(logicalId));
}

/** The service principals of a statement, as text (`<AWS.URLSuffix>` read as amazonaws.com). */
export function servicePrincipals(principal: any): string[] {
  if (!principal || typeof principal !== 'object') {
    return [];
  }
  return listOf(principal.Service).map((s) => textOf(s).replace('<AWS.URLSuffix>', 'amazonaws.com').toLowerCase());
}

/** Whether a resource-policy statement's Principal admits a service: the service itself, or everyone. */
export function principalAdmitsService(principal: any, service: string): boolean {
  if (principal === '*' || (principal && listOf(principal.AWS).includes('*'))) {
    return true;
  }
  return servicePrincipals(principal).includes(service);
}

/** One Allow or Deny statement of an identity policy, and the roles it applies to. */
export interface IdentityStatement {
  /** logical ids of the roles the statement applies to (empty for users and groups only) */
  readonly roles: string[];
  /** the policy's logical id (the role's for an inline policy of AWS::IAM::Role) */
  readonly policy: string;
  readonly statement: any;
}

/**
 * Every statement of the identity policies in the template: AWS::IAM::Policy
 * and AWS::IAM::ManagedPolicy with their Roles (and the roles that list a
 * managed policy of the template in ManagedPolicyArns), and the inline
 * Policies of AWS::IAM::Role.
 */
export function identityStatements(template: any): IdentityStatement[] {
  const out: IdentityStatement[] = [];
  const roles = resourcesOf(template, 'AWS::IAM::Role');
  for (const [id, r] of resourcesOf(template)) {
    if (r.Type !== 'AWS::IAM::Policy' && r.Type !== 'AWS::IAM::ManagedPolicy') {
      continue;
    }
    const attached = listOf(r.Properties?.Roles).map(refTarget).filter((x): x is string => !!x);
    if (r.Type === 'AWS::IAM::ManagedPolicy') {
      attached.push(...roles.filter(([, role]) => listOf(role.Properties?.ManagedPolicyArns).some((a) => refTarget(a) === id)).map(([rid]) => rid));
    }
    for (const statement of listOf(r.Properties?.PolicyDocument?.Statement)) {
      out.push({ roles: [...new Set(attached)], policy: id, statement });
    }
  }
  for (const [id, role] of roles) {
    for (const p of listOf(role.Properties?.Policies)) {
      for (const statement of listOf(p?.PolicyDocument?.Statement)) {
        out.push({ roles: [id], policy: id, statement });
      }
    }
  }
  return out;
}

/** The logical id of the customer KMS key of the template a KmsMasterKeyId points at, if any. */
export function customerKeyOf(template: any, keyId: any): string | undefined {
  const target = refTarget(keyId);
  return target && template?.Resources?.[target]?.Type === 'AWS::KMS::Key' ? target : undefined;
}
