import jsonLogic, { type RulesLogic } from 'json-logic-js';
import type { FieldError } from '@rocketlead/contracts';

// The operations an automation may use. `log` writes to the console, so it is left out; anything else the
// library does not know is refused when the automation is saved, not when an event arrives.
const OPERATIONS = new Set([
  '==',
  '===',
  '!=',
  '!==',
  '>',
  '>=',
  '<',
  '<=',
  '!!',
  '!',
  '%',
  'in',
  'cat',
  'substr',
  '+',
  '*',
  '-',
  '/',
  'min',
  'max',
  'merge',
  'var',
  'missing',
  'missing_some',
  'if',
  '?:',
  'and',
  'or',
  'filter',
  'map',
  'reduce',
  'all',
  'none',
  'some',
]);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Errors of a JSON Logic expression, at `field` (e.g. `trigger.match`); empty when it is valid. */
export function checkJsonLogic(expression: unknown, field: string): FieldError[] {
  const errors: FieldError[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!isPlainObject(node)) return; // a literal
    const keys = Object.keys(node);
    if (keys.length !== 1) {
      errors.push({ field, message: `invalid JSON Logic: an operation is an object with exactly one key` });
      return;
    }
    const op = keys[0]!;
    if (!OPERATIONS.has(op)) {
      errors.push({ field, message: `invalid JSON Logic: unknown operation "${op}"` });
      return;
    }
    walk(node[op]);
  };
  if (!isPlainObject(expression) && typeof expression !== 'boolean')
    return [{ field, message: 'invalid JSON Logic: must be an object (an operation) or a boolean' }];
  walk(expression);
  return errors.slice(0, 1);
}

/** Evaluates a checked expression over `data`; JSON Logic's truthiness decides. */
export function matchesJsonLogic(expression: unknown, data: Record<string, unknown>): boolean {
  return jsonLogic.truthy(jsonLogic.apply(expression as RulesLogic, data));
}
