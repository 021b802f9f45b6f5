// A small runtime validator for event payloads: producers and consumers share these schemas.
import { isUuid } from './uuid';

export interface FieldError {
  field: string;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export interface Schema<T> {
  check(value: unknown, path: string, errors: FieldError[]): void;
  /** Marker for type inference only. */
  readonly _type?: T;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

export function validate<T>(schema: Schema<T>, value: unknown): Validated<T> {
  const errors: FieldError[] = [];
  schema.check(value, '', errors);
  return errors.length === 0 ? { ok: true, value: value as T } : { ok: false, errors };
}

const at = (path: string, key: string): string => (path ? `${path}.${key}` : key);
const describe = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;

function make<T>(check: Schema<T>['check']): Schema<T> {
  return { check };
}

export const s = {
  string(opts: { min?: number; max?: number; pattern?: RegExp } = {}): Schema<string> {
    return make((v, path, errors) => {
      if (typeof v !== 'string')
        return errors.push({ field: path, message: `must be a string, got ${describe(v)}` });
      if (opts.min !== undefined && v.length < opts.min)
        errors.push({
          field: path,
          message: opts.min === 1 ? 'must not be empty' : `must be at least ${opts.min} characters`,
        });
      if (opts.max !== undefined && v.length > opts.max)
        errors.push({ field: path, message: `must be at most ${opts.max} characters` });
      if (opts.pattern && !opts.pattern.test(v))
        errors.push({ field: path, message: `must match ${String(opts.pattern)}` });
    });
  },
  uuid(): Schema<string> {
    return make((v, path, errors) => {
      if (!isUuid(v)) errors.push({ field: path, message: 'must be a UUID' });
    });
  },
  number(opts: { int?: boolean; min?: number; max?: number } = {}): Schema<number> {
    return make((v, path, errors) => {
      if (typeof v !== 'number' || !Number.isFinite(v))
        return errors.push({ field: path, message: `must be a number, got ${describe(v)}` });
      if (opts.int && !Number.isInteger(v)) errors.push({ field: path, message: 'must be an integer' });
      if (opts.min !== undefined && v < opts.min)
        errors.push({ field: path, message: `must be at least ${opts.min}` });
      if (opts.max !== undefined && v > opts.max)
        errors.push({ field: path, message: `must be at most ${opts.max}` });
    });
  },
  boolean(): Schema<boolean> {
    return make((v, path, errors) => {
      if (typeof v !== 'boolean')
        errors.push({ field: path, message: `must be a boolean, got ${describe(v)}` });
    });
  },
  literal<const L extends string | number>(...values: L[]): Schema<L> {
    return make((v, path, errors) => {
      if (!values.includes(v as L))
        errors.push({ field: path, message: `must be one of ${values.join(', ')}` });
    });
  },
  isoDate(): Schema<string> {
    return make((v, path, errors) => {
      if (typeof v !== 'string' || Number.isNaN(Date.parse(v)))
        errors.push({ field: path, message: 'must be an ISO 8601 date-time' });
    });
  },
  nullable<T>(inner: Schema<T>): Schema<T | null> {
    return make((v, path, errors) => {
      if (v !== null) inner.check(v, path, errors);
    });
  },
  optional<T>(inner: Schema<T>): Schema<T | undefined> {
    return make((v, path, errors) => {
      if (v !== undefined) inner.check(v, path, errors);
    });
  },
  array<T>(inner: Schema<T>, opts: { max?: number } = {}): Schema<T[]> {
    return make((v, path, errors) => {
      if (!Array.isArray(v))
        return errors.push({ field: path, message: `must be an array, got ${describe(v)}` });
      if (opts.max !== undefined && v.length > opts.max)
        errors.push({ field: path, message: `must have at most ${opts.max} items` });
      v.forEach((item, i) => inner.check(item, `${path}[${i}]`, errors));
    });
  },
  record<T>(inner: Schema<T>, opts: { maxKeys?: number } = {}): Schema<Record<string, T>> {
    return make((v, path, errors) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v))
        return errors.push({ field: path, message: `must be an object, got ${describe(v)}` });
      const keys = Object.keys(v);
      if (opts.maxKeys !== undefined && keys.length > opts.maxKeys)
        errors.push({ field: path, message: `must have at most ${opts.maxKeys} keys` });
      for (const key of keys) inner.check((v as Record<string, unknown>)[key], at(path, key), errors);
    });
  },
  unknown(): Schema<unknown> {
    return make(() => undefined);
  },
  object<P extends Record<string, Schema<unknown>>>(
    props: P,
    opts: { strict?: boolean } = {},
  ): Schema<{ [K in keyof P]: Infer<P[K]> }> {
    return make((v, path, errors) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v))
        return errors.push({ field: path || '(body)', message: `must be an object, got ${describe(v)}` });
      const obj = v as Record<string, unknown>;
      for (const [key, schema] of Object.entries(props)) schema.check(obj[key], at(path, key), errors);
      if (opts.strict) {
        for (const key of Object.keys(obj))
          if (!(key in props)) errors.push({ field: at(path, key), message: 'is not allowed' });
      }
    });
  },
};
