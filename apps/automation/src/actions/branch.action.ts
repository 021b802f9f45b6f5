import { Injectable } from '@nestjs/common';
import type { AutomationAction, Conditions } from '@rocketlead/contracts';
import { evaluateCriteria } from '../conditions/conditions';
import { contextRecord, type ActionHandler, type StepInput, type StepResult } from './action-handler';

/** The actions of a branch's chosen list, each with an id (given ones kept). */
export function branchActions(
  params: Record<string, unknown>,
  path: 'then' | 'else',
  branchActionId: string,
): AutomationAction[] {
  const list = Array.isArray(params[path]) ? (params[path] as Partial<AutomationAction>[]) : [];
  return list.map((action, i) => ({
    id: action.id ?? `${branchActionId}.${path}[${i}]`,
    type: action.type ?? '',
    params: action.params ?? {},
  }));
}

/**
 * `branch {conditions?, match?, then, else}`: evaluated like a trigger's conditions, over the context with the
 * steps so far; the chosen list becomes the next steps. Changes nothing, so it also runs in sandbox.
 */
@Injectable()
export class BranchAction implements ActionHandler {
  readonly type = 'branch' as const;

  execute(input: StepInput): Promise<StepResult> {
    const params = input.step.params;
    const result = evaluateCriteria(
      { conditions: params.conditions as Conditions | undefined, match: params.match },
      contextRecord(input),
    );
    const path = result.matched ? 'then' : 'else';
    return Promise.resolve({
      output: { matched: result.matched, path },
      insert: branchActions(params, path, input.step.actionId),
    });
  }

  async describe(input: StepInput): Promise<unknown> {
    return (await this.execute(input)).output;
  }
}
