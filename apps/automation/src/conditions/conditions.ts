import { isDeepStrictEqual } from 'node:util';
import type { Conditions } from '@rocketlead/contracts';
import { matchesJsonLogic } from './json-logic';

const hasOwn = (value: unknown, key: string): boolean =>
  typeof value === 'object' && value !== null && Object.prototype.hasOwnProperty.call(value, key);

/**
 * Splits `steps[1].output.approved` into `['steps', 1, 'output', 'approved']`; null when the path is malformed
 * (an empty segment, an unclosed or non-numeric index).
 */
export function parsePath(path: string): (string | number)[] | null {
  const parts: (string | number)[] = [];
  for (const segment of path.split('.')) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(segment);
    if (!match) return null;
    const [, name, indexes] = match;
    if (name) parts.push(name);
    else if (!indexes) return null;
    for (const index of indexes!.matchAll(/\[(\d+)\]/g)) parts.push(Number(index[1]));
  }
  return parts.length > 0 ? parts : null;
}

/** The value at a path of the run context (own properties only); undefined when any step is missing. */
export function valueAtPath(root: unknown, path: string): unknown {
  const parts = parsePath(path);
  if (!parts) return undefined;
  let value: unknown = root;
  for (const part of parts) {
    if (typeof part === 'number') {
      if (!Array.isArray(value) || part >= value.length) return undefined;
      value = value[part] as unknown;
    } else {
      if (Array.isArray(value) || !hasOwn(value, part)) return undefined;
      value = (value as Record<string, unknown>)[part];
    }
  }
  return value;
}

/**
 * What a condition key names: a bare key is a field of the lead (`entry.data.<key>`, then the entry's own
 * field such as `leadStateId`); a dotted or indexed key is a path into the run context.
 */
export function conditionValue(context: Record<string, unknown>, key: string): unknown {
  if (key.includes('.') || key.includes('[')) return valueAtPath(context, key);
  const entry = context.entry;
  if (typeof entry !== 'object' || entry === null) return undefined;
  const data = (entry as { data?: unknown }).data;
  if (hasOwn(data, key)) return (data as Record<string, unknown>)[key];
  if (hasOwn(entry, key)) return (entry as Record<string, unknown>)[key];
  return undefined;
}

/** An array means "one of"; anything else must be deeply equal. */
export function conditionHolds(expected: unknown, actual: unknown): boolean {
  if (Array.isArray(expected)) return expected.some((option) => isDeepStrictEqual(option, actual));
  return isDeepStrictEqual(expected, actual);
}

/** The first key of the map that does not hold, or null when all do. */
export function failedCondition(
  conditions: Conditions | undefined,
  context: Record<string, unknown>,
): string | null {
  for (const [key, expected] of Object.entries(conditions ?? {})) {
    if (!conditionHolds(expected, conditionValue(context, key))) return key;
  }
  return null;
}

export interface Criteria {
  conditions?: Conditions;
  match?: unknown;
}

export type CriteriaResult = { matched: true } | { matched: false; reason: string };

/**
 * Conditions, then `match`: the test of a trigger after its event matched, and of a branch. The reason names
 * what failed, for the dry-run.
 */
export function evaluateCriteria(criteria: Criteria, context: Record<string, unknown>): CriteriaResult {
  const failed = failedCondition(criteria.conditions, context);
  if (failed !== null) return { matched: false, reason: `conditions not met: ${failed}` };
  if (criteria.match !== undefined && criteria.match !== null) {
    let ok: boolean;
    try {
      ok = matchesJsonLogic(criteria.match, context);
    } catch (error) {
      return { matched: false, reason: `match could not be evaluated: ${(error as Error).message}` };
    }
    if (!ok) return { matched: false, reason: 'match is false' };
  }
  return { matched: true };
}
