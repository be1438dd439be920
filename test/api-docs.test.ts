/**
 * API.md is generated from the jsii assembly, so the assembly is what
 * Construct Hub readers see: every exported type, property, method and
 * parameter must have a summary, and every optional property a @default.
 * (The build compiles before it tests, so .jsii is current.)
 */
import * as fs from 'fs';
import * as path from 'path';

const assembly = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '.jsii'), 'utf8'));

function gaps(): string[] {
  const out: string[] = [];
  for (const [fqn, type] of Object.entries<any>(assembly.types ?? {})) {
    if (!type.docs?.summary) out.push(`${fqn}: no summary`);
    for (const p of type.properties ?? []) {
      if (!p.docs?.summary) out.push(`${fqn}.${p.name}: no summary`);
      if (p.optional && type.datatype && p.docs?.default === undefined) out.push(`${fqn}.${p.name}: optional without @default`);
    }
    for (const m of [...(type.methods ?? []), ...(type.initializer ? [{ ...type.initializer, name: '<init>' }] : [])]) {
      if (m.name !== '<init>' && !m.docs?.summary) out.push(`${fqn}.${m.name}(): no summary`);
      for (const param of m.parameters ?? []) {
        if (!param.docs?.summary && !['scope', 'id', 'props'].includes(param.name)) out.push(`${fqn}.${m.name}(${param.name}): no summary`);
      }
    }
    for (const member of type.members ?? []) {
      if (!member.docs?.summary) out.push(`${fqn}.${member.name}: no summary`);
    }
  }
  return out;
}

describe('API documentation in the jsii assembly', () => {
  test('the assembly holds the library\'s public types', () => {
    expect(Object.keys(assembly.types)).toEqual(expect.arrayContaining([
      'cdk-inside-out-gateway.HttpProxyApi',
      'cdk-inside-out-gateway.HttpProxyApiProps',
      'cdk-inside-out-gateway.HttpTargetOptions',
      'cdk-inside-out-gateway.HttpProxyTarget',
    ]));
  });

  test('every exported type, property, method and parameter has a summary, every optional prop a @default', () => {
    expect(gaps()).toEqual([]);
  });

  test('every public class has an @example (rosetta:extract compiles each under --strict)', () => {
    const classes = Object.entries<any>(assembly.types).filter(([, t]) => t.kind === 'class').map(([fqn]) => fqn);
    const withoutExample = classes.filter((fqn) => !assembly.types[fqn].docs?.example);
    expect(classes.length).toBeGreaterThanOrEqual(10);
    expect(withoutExample).toEqual([]);
  });
});
