import { randomInt } from 'node:crypto';
import {
  actionDefinition,
  isActionType,
  type AutomationAction,
  type FieldError,
} from '@rocketlead/contracts';

const ID_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A short action id: `a_` and 10 random base36 characters (36^10 ≈ 3.7e15 values). */
export function newActionId(): string {
  let id = 'a_';
  for (let i = 0; i < 10; i += 1) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

interface Visited {
  action: Record<string, unknown>;
  path: string;
}

/** Every action object of the list and of the nested lists of its actions (branch then/else), with its path. */
function walk(list: unknown, path: string, visit: (visited: Visited) => void): void {
  if (!Array.isArray(list)) return;
  list.forEach((action: unknown, i) => {
    if (!isPlainObject(action)) return;
    const at = `${path}[${i}]`;
    visit({ action, path: at });
    if (!isActionType(action.type) || !isPlainObject(action.params)) return;
    for (const key of actionDefinition(action.type).nested)
      walk(action.params[key], `${at}.params.${key}`, visit);
  });
}

/**
 * Reports given ids that are used twice within the automation (at the later occurrence), so a step can be
 * named by its action id unambiguously.
 */
export function checkActionIds(actions: unknown, errors: FieldError[]): void {
  const seen = new Set<string>();
  walk(actions, 'actions', ({ action, path }) => {
    if (typeof action.id !== 'string') return;
    if (seen.has(action.id))
      errors.push({
        field: `${path}.id`,
        message: `"${action.id}" is used by another action of this automation`,
      });
    seen.add(action.id);
  });
}

/**
 * The checked action list in its stored shape `{id, type, params}`: given ids are kept, the others get a new
 * one unique within the automation. Nested lists are normalized the same way. Call only on a list that
 * passed `checkActions`.
 */
export function withActionIds(actions: readonly Partial<AutomationAction>[]): AutomationAction[] {
  const taken = new Set<string>();
  walk(actions, 'actions', ({ action }) => {
    if (typeof action.id === 'string') taken.add(action.id);
  });
  const fresh = (): string => {
    let id = newActionId();
    while (taken.has(id)) id = newActionId();
    taken.add(id);
    return id;
  };
  const normalize = (list: readonly Partial<AutomationAction>[]): AutomationAction[] =>
    list.map((action) => {
      const type = action.type as string;
      const params: Record<string, unknown> = { ...(action.params ?? {}) };
      if (isActionType(type)) {
        for (const key of actionDefinition(type).nested) {
          const nested = params[key];
          if (Array.isArray(nested)) params[key] = normalize(nested as Partial<AutomationAction>[]);
        }
      }
      return { id: typeof action.id === 'string' ? action.id : fresh(), type, params };
    });
  return normalize(actions);
}

/** Every action of the list and of nested lists, with its path (`actions[0].params.then[1]`). */
export function eachAction(
  actions: readonly AutomationAction[],
  visit: (action: AutomationAction, path: string) => void,
): void {
  walk(actions, 'actions', ({ action, path }) => visit(action as unknown as AutomationAction, path));
}
