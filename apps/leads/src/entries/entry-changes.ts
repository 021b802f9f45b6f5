import type { EntryValue, FieldChange } from '@rocketlead/contracts';

const own = (values: Record<string, EntryValue>, key: string): EntryValue =>
  Object.prototype.hasOwnProperty.call(values, key) ? (values[key] ?? null) : null;

function same(a: EntryValue, b: EntryValue): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}

/**
 * What a patch changes, for `table.entry.updated`: by data key, and `customFieldData.<id>` for custom fields,
 * each with the value before (null when absent) and after. A value patched to what it was (an absent key
 * patched to null included) is no change; an empty result means nothing changed.
 */
export function changesOf(
  current: { data: Record<string, EntryValue>; customFieldData: Record<string, EntryValue> },
  patch: { data?: Record<string, unknown>; customFieldData?: Record<string, unknown> },
): Record<string, FieldChange> {
  const changes = new Map<string, FieldChange>();
  const compare = (prefix: string, before: Record<string, EntryValue>, after?: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(after ?? {})) {
      const from = own(before, key);
      const to = (value ?? null) as EntryValue;
      if (!same(from, to)) changes.set(`${prefix}${key}`, { from, to });
    }
  };
  compare('', current.data, patch.data);
  compare('customFieldData.', current.customFieldData, patch.customFieldData);
  // A Map, then an object: a key named like an inherited property is still just a key.
  return Object.fromEntries(changes);
}
