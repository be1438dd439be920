/**
 * The state machines of a template, their definitions read out of
 * DefinitionString (an Fn::Join with tokens, which become placeholders as
 * in textOf), and a walk over every state, nested ones included.
 */
import { isIntrinsic } from './intrinsic-parser';
import { hasPlaceholder, resourcesOf, textOf } from './template';

/** One AWS::StepFunctions::StateMachine of a template. */
export interface StateMachineOfTemplate {
  readonly logicalId: string;
  /** StateMachineName as text, when the template sets one */
  readonly name?: string;
  /** whether name holds no deploy-time value */
  readonly nameIsLiteral: boolean;
  /** the parsed definition, or undefined if it is kept in S3 */
  readonly definition?: any;
}

/** The state machines of a template; throws if a definition is not JSON once tokens are placeholders. */
export function stateMachinesOf(template: any): StateMachineOfTemplate[] {
  return resourcesOf(template, 'AWS::StepFunctions::StateMachine').map(([logicalId, r]) => {
    const p = r.Properties ?? {};
    let definition: any;
    if (p.Definition !== undefined) {
      definition = p.Definition;
    } else if (p.DefinitionString !== undefined) {
      const text = textOf(p.DefinitionString);
      try {
        definition = JSON.parse(text);
      } catch (e) {
        throw new Error(`${logicalId}: DefinitionString is not JSON once its tokens are placeholders: ${(e as Error).message}`);
      }
    }
    const name = p.StateMachineName === undefined ? undefined : textOf(p.StateMachineName);
    return { logicalId, name, nameIsLiteral: name !== undefined && !hasPlaceholder(name), definition };
  });
}

/** A state and where it is: the names of the Map and Parallel states around it, outermost first. */
export interface VisitedState {
  readonly name: string;
  readonly state: any;
  readonly scope: string[];
}

/** Every state of a definition, including those of Map ItemProcessor/Iterator and Parallel Branches. */
export function statesOf(definition: any, scope: string[] = []): VisitedState[] {
  const out: VisitedState[] = [];
  for (const [name, state] of Object.entries<any>(definition?.States ?? {})) {
    out.push({ name, state, scope });
    for (const inner of [state?.ItemProcessor, state?.Iterator]) {
      if (inner) {
        out.push(...statesOf(inner, [...scope, name]));
      }
    }
    (state?.Branches ?? []).forEach((branch: any, i: number) => out.push(...statesOf(branch, [...scope, `${name}[${i}]`])));
  }
  return out;
}

/** Where a state is, for a finding: `"Invoke each request" > "Record response"`. */
export function stateLocation(visited: VisitedState): string {
  return [...visited.scope, visited.name].map((n) => JSON.stringify(n)).join(' > ');
}

/** One field of a state whose value is an intrinsic call. */
export interface IntrinsicField {
  /** dotted path of the field inside the state, e.g. `Parameters.latencyMs.$` */
  readonly field: string;
  readonly expression: string;
}

const NESTED_STATES = new Set(['ItemProcessor', 'Iterator', 'Branches']);

/**
 * The fields of a state that hold an intrinsic call: any key ending in `.$`
 * at any depth (Parameters, ResultSelector, ItemSelector, Credentials,
 * Assign, …), and a Fail state's ErrorPath and CausePath. Nested states
 * are left to their own visit.
 */
export function intrinsicFieldsOf(state: any): IntrinsicField[] {
  const out: IntrinsicField[] = [];
  const walk = (value: any, path: string[]) => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, [...path, String(i)]));
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries<any>(value)) {
        if (path.length === 0 && NESTED_STATES.has(k)) {
          continue;
        }
        const at = [...path, k];
        const fromFail = path.length === 0 && (k === 'ErrorPath' || k === 'CausePath');
        if ((k.endsWith('.$') || fromFail) && isIntrinsic(v)) {
          out.push({ field: at.join('.'), expression: v });
        } else {
          walk(v, at);
        }
      }
    }
  };
  walk(state, []);
  return out;
}
