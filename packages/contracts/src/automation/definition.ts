import type { FieldError } from '../validation';
import { EVENT_DEFINITIONS, TRIGGER_EVENT_TYPES, TRIGGER_ID_FORMATS, isKnownEventType } from '../events';
import { isUuid } from '../uuid';
import { ACTION_TYPES, actionDefinition, isActionType } from './actions';
import { durationSchema } from './schedule';

/** Bounds of an automation definition (README, "Limits"). */
export const AUTOMATION_LIMITS = {
  actionsPerList: 50,
  actionsTotal: 200,
  nestingDepth: 4,
  conditionKeys: 50,
  definitionBytes: 128 * 1024,
  nameLength: 200,
  descriptionLength: 2000,
} as const;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Structural checks of a trigger; what needs the organization's data (does `triggerId` exist, is `match`
 * valid JSON Logic) is checked by the automation service. Fields are named from the body's root.
 */
export function checkTrigger(trigger: unknown, errors: FieldError[]): void {
  if (!isPlainObject(trigger)) {
    errors.push({ field: 'trigger', message: 'must be an object' });
    return;
  }
  const allowed = new Set(['event', 'triggerId', 'from', 'to', 'offset', 'conditions', 'match']);
  for (const key of Object.keys(trigger))
    if (!allowed.has(key)) errors.push({ field: `trigger.${key}`, message: 'is not allowed' });
  const event = trigger.event;
  if (typeof event !== 'string' || !isKnownEventType(event) || !EVENT_DEFINITIONS[event].triggerable) {
    errors.push({
      field: 'trigger.event',
      message: `must be one of ${TRIGGER_EVENT_TYPES.join(', ')}`,
    });
  }
  const definition = typeof event === 'string' && isKnownEventType(event) ? EVENT_DEFINITIONS[event] : null;
  if (trigger.triggerId !== undefined && trigger.triggerId !== null) {
    const format = definition?.scope ? TRIGGER_ID_FORMATS[definition.scope.kind] : null;
    if (typeof trigger.triggerId !== 'string' || trigger.triggerId.length > 200)
      errors.push({ field: 'trigger.triggerId', message: format?.message ?? 'must be a UUID' });
    else if (definition && !definition.scope)
      errors.push({ field: 'trigger.triggerId', message: `cannot scope ${String(event)}` });
    else if (trigger.triggerId === definition?.scope?.anyId) {
      // Stands for every object of the kind: nothing more to check.
    } else if (format ? !format.test(trigger.triggerId) : !isUuid(trigger.triggerId))
      errors.push({ field: 'trigger.triggerId', message: format?.message ?? 'must be a UUID' });
  }
  for (const key of ['from', 'to'] as const) {
    const value = trigger[key];
    if (value === undefined || (key === 'from' && value === null)) continue;
    if (definition && !definition.transition)
      errors.push({ field: `trigger.${key}`, message: `applies only to state change events` });
    else if (!isUuid(value)) errors.push({ field: `trigger.${key}`, message: 'must be a UUID' });
  }
  if (definition?.reminder) {
    if (trigger.offset === undefined)
      errors.push({ field: 'trigger.offset', message: `is required for ${String(event)} (e.g. PT24H)` });
    else durationSchema({ allowZero: true }).check(trigger.offset, 'trigger.offset', errors);
  } else if (definition && trigger.offset !== undefined) {
    errors.push({ field: 'trigger.offset', message: 'applies only to appointment reminders' });
  }
  checkConditions(trigger.conditions, 'trigger.conditions', errors);
}

export function checkConditions(conditions: unknown, field: string, errors: FieldError[]): void {
  if (conditions === undefined) return;
  if (!isPlainObject(conditions)) {
    errors.push({ field, message: 'must be an object' });
    return;
  }
  const keys = Object.keys(conditions);
  if (keys.length > AUTOMATION_LIMITS.conditionKeys)
    errors.push({ field, message: `must have at most ${AUTOMATION_LIMITS.conditionKeys} keys` });
  for (const key of keys) {
    if (key.length === 0 || key.length > 200)
      errors.push({ field: `${field}.${key}`, message: 'key must be 1-200 characters' });
  }
}

/** Checks a list of actions (and nested ones), assigning nothing; `path` is e.g. `actions`. */
export function checkActions(
  actions: unknown,
  path: string,
  errors: FieldError[],
  state = { total: 0 },
  depth = 1,
): void {
  if (!Array.isArray(actions)) {
    errors.push({ field: path, message: 'must be an array' });
    return;
  }
  if (actions.length > AUTOMATION_LIMITS.actionsPerList)
    errors.push({ field: path, message: `must have at most ${AUTOMATION_LIMITS.actionsPerList} actions` });
  state.total += actions.length;
  if (state.total > AUTOMATION_LIMITS.actionsTotal) {
    errors.push({
      field: path,
      message: `an automation has at most ${AUTOMATION_LIMITS.actionsTotal} actions`,
    });
    return;
  }
  actions.forEach((action, i) => {
    const at = `${path}[${i}]`;
    if (!isPlainObject(action)) {
      errors.push({ field: at, message: 'must be an object' });
      return;
    }
    for (const key of Object.keys(action))
      if (!['id', 'type', 'params'].includes(key))
        errors.push({ field: `${at}.${key}`, message: 'is not allowed' });
    if (
      action.id !== undefined &&
      (typeof action.id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(action.id))
    )
      errors.push({ field: `${at}.id`, message: 'must be 1-64 letters, digits, _ or -' });
    if (!isActionType(action.type)) {
      errors.push({ field: `${at}.type`, message: `must be one of ${ACTION_TYPES.join(', ')}` });
      return;
    }
    const definition = actionDefinition(action.type);
    const params = action.params ?? {};
    const before = errors.length;
    definition.params.check(params, `${at}.params`, errors);
    if (errors.length === before && isPlainObject(params)) {
      for (const e of definition.refine?.(params) ?? [])
        errors.push({ ...e, field: `${at}.params.${e.field}` });
      if (action.type === 'branch') checkConditions(params.conditions, `${at}.params.conditions`, errors);
      for (const key of definition.nested) {
        if (params[key] === undefined) continue;
        if (depth >= AUTOMATION_LIMITS.nestingDepth) {
          errors.push({
            field: `${at}.params.${key}`,
            message: `actions nest at most ${AUTOMATION_LIMITS.nestingDepth} deep`,
          });
          continue;
        }
        checkActions(params[key], `${at}.params.${key}`, errors, state, depth + 1);
      }
    }
  });
}

/** Each action's params: a `match` anywhere (trigger or branch) by path, for the service's JSON Logic check. */
export function forEachMatch(
  trigger: { match?: unknown },
  actions: { type: string; params?: Record<string, unknown> }[],
  visit: (expression: unknown, field: string) => void,
): void {
  if (trigger.match !== undefined) visit(trigger.match, 'trigger.match');
  const walk = (list: unknown, path: string): void => {
    if (!Array.isArray(list)) return;
    list.forEach((action: { type?: unknown; params?: Record<string, unknown> }, i) => {
      if (!isPlainObject(action) || !isActionType(action.type)) return;
      const params = action.params ?? {};
      if (params.match !== undefined) visit(params.match, `${path}[${i}].params.match`);
      for (const key of actionDefinition(action.type).nested)
        walk(params[key], `${path}[${i}].params.${key}`);
    });
  };
  walk(actions, 'actions');
}
