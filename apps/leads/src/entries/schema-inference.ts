import {
  MAX_KEY_LENGTH,
  type EntryValue,
  type FieldError,
  type FieldType,
  type TableSchema,
} from '@rocketlead/contracts';

export interface TypeError {
  key: string;
  expected: FieldType;
  received: string;
}

export interface DataCheck {
  /** Values that are not a string, number, boolean, array of strings or null. */
  invalid: FieldError[];
  /** Known keys whose value has another type than the locked one. */
  typeErrors: TypeError[];
  /** Keys not in the schema (in `strict` mode these are errors, in `infer` mode they lock a type). */
  unknownKeys: string[];
  /** Types the unknown, non-null keys would lock. */
  newKeys: TableSchema;
}

/** The type a value locks, `null` for null (which infers nothing), or undefined when not a storable value. */
export function inferType(value: unknown): FieldType | null | undefined {
  if (value === null) return null;
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return Number.isFinite(value) ? 'number' : undefined;
  if (typeof value === 'boolean') return 'boolean';
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return 'string[]';
  return undefined;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value;
}

export function checkData(schema: TableSchema, data: Record<string, unknown>, field = 'data'): DataCheck {
  // Own-property lookups only, and a prototype-less map of new keys: a key such as `constructor` or
  // `toString` is a key like any other, never something inherited from Object.prototype.
  const result: DataCheck = {
    invalid: [],
    typeErrors: [],
    unknownKeys: [],
    newKeys: Object.create(null) as TableSchema,
  };
  for (const [key, value] of Object.entries(data)) {
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
      result.invalid.push({
        field: `${field}.${key}`,
        message: `keys must be 1-${MAX_KEY_LENGTH} characters`,
      });
      continue;
    }
    const type = inferType(value);
    if (type === undefined) {
      result.invalid.push({
        field: `${field}.${key}`,
        message: `must be a string, number, boolean, array of strings or null, got ${describe(value)}`,
      });
      continue;
    }
    const locked = Object.prototype.hasOwnProperty.call(schema, key) ? schema[key] : undefined;
    if (locked === undefined) {
      result.unknownKeys.push(key);
      if (type !== null) result.newKeys[key] = type;
    } else if (type !== null && type !== locked) {
      result.typeErrors.push({ key, expected: locked, received: type });
    }
  }
  return result;
}

/** The data is valid and each of its keys is in the schema with its type: nothing to infer or refuse. */
export function fitsSchema(schema: TableSchema, data: Record<string, unknown>): boolean {
  const check = checkData(schema, data);
  return check.invalid.length === 0 && check.typeErrors.length === 0 && check.unknownKeys.length === 0;
}

/** Type changes of already-locked keys in a proposed schema (keys may only be added). */
export function schemaConflicts(current: TableSchema, proposed: TableSchema): TypeError[] {
  return Object.entries(proposed)
    .filter(([key, type]) => Object.prototype.hasOwnProperty.call(current, key) && current[key] !== type)
    .map(([key, type]) => ({ key, expected: current[key]!, received: type }));
}

/** The schema with `added` keys appended; locked keys keep their type (keys are only ever added). */
export function mergeSchema(current: TableSchema, added: TableSchema): TableSchema {
  const merged = new Map(Object.entries(current));
  for (const [key, type] of Object.entries(added)) if (!merged.has(key)) merged.set(key, type);
  // fromEntries defines own properties: no key is taken for an accessor of Object.prototype.
  return Object.fromEntries(merged) as TableSchema;
}

/** Checks custom-field values against the organization's field definitions. */
export function checkCustomFieldData(
  fields: Map<string, FieldType>,
  values: Record<string, unknown>,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const [id, value] of Object.entries(values)) {
    const expected = fields.get(id);
    const field = `customFieldData.${id}`;
    if (!expected) {
      errors.push({ field, message: 'unknown custom field' });
      continue;
    }
    const type = inferType(value);
    if (type === undefined || (type !== null && type !== expected)) {
      errors.push({ field, message: `expected ${expected}, received ${type ?? describe(value)}` });
    }
  }
  return errors;
}

export type { EntryValue };
