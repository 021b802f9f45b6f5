// Validation of message classes (HTTP bodies and the commands they become) with class-validator:
// one definition per message, checked the same way at the edge and in the service that handles it.
// class-transformer's @Type reads design-type metadata: the polyfill must be there whoever imports contracts.
import 'reflect-metadata';
import { Type, type ClassConstructor } from 'class-transformer';
import {
  ValidateBy,
  ValidateIf,
  ValidateNested,
  validateSync,
  type ValidationError,
  type ValidationOptions,
} from 'class-validator';
import { FIELD_TYPES } from './models';
import { reportedErrors } from './limits';
import type { FieldError } from './validation';
import { cacheValidationRules } from './validation-rules-cache';

// Every process that validates a message loads this module first.
cacheValidationRules();

/** How flattened errors read their keys and messages (ingress takes off the prefix it gave special keys). */
export interface ErrorText {
  key?: (property: string) => string;
  message?: (text: string) => string;
}

/**
 * class-validator's error tree as one list, each failure naming its field: `params.stateId` for an object's
 * property, `stages[4].name` for an array's item.
 */
export function flattenValidationErrors(errors: ValidationError[], text: ErrorText = {}): FieldError[] {
  const { key = (property: string) => property, message = (m: string) => m } = text;
  const walk = (list: ValidationError[], parent: string, parentValue: unknown): FieldError[] =>
    list.flatMap((error) => {
      const property = key(error.property);
      const field = !parent
        ? property
        : Array.isArray(parentValue)
          ? `${parent}[${property}]`
          : `${parent}.${property}`;
      const own = Object.values(error.constraints ?? {}).map((m) => ({ field, message: message(m) }));
      return [...own, ...walk(error.children ?? [], field, error.value)];
    });
  return walk(errors, '', undefined);
}

export type MessageClass<T = object> = ClassConstructor<T>;

const NESTED = new Map<object, Map<string, () => MessageClass>>();

/**
 * A property holding another message (or an array of them with `each`): validated as that class.
 * Also tells class-transformer (the HTTP pipe) which class to build.
 */
export function NestedMessage(type: () => MessageClass, options: { each?: boolean } = {}): PropertyDecorator {
  return (target, key) => {
    ValidateNested({ each: options.each })(target, key);
    Type(type)(target, key);
    const own = NESTED.get(target.constructor) ?? new Map<string, () => MessageClass>();
    own.set(String(key), type);
    NESTED.set(target.constructor, own);
  };
}

function nestedTypeOf(type: MessageClass, key: string): (() => MessageClass) | undefined {
  for (let c: unknown = type; typeof c === 'function'; c = Object.getPrototypeOf(c)) {
    const found = NESTED.get(c)?.get(key);
    if (found) return found;
  }
  return undefined;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The checked copy of a message: an instance of its class with the same own properties. Written by hand
 * rather than with class-transformer, which throws on keys such as `constructor` inside free-form objects
 * and treats `__proto__` as the prototype; free-form values (`data`) are shared, never copied.
 */
function instantiate(type: MessageClass, value: Record<string, unknown>): object {
  const out = Object.create(type.prototype as object) as object;
  for (const key of Object.keys(value)) {
    const nested = nestedTypeOf(type, key);
    let item = value[key];
    if (nested && isPlainObject(item)) item = instantiate(nested(), item);
    else if (nested && Array.isArray(item))
      item = (item as unknown[]).map((each) => (isPlainObject(each) ? instantiate(nested(), each) : each));
    Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Checks a parsed JSON value against a message class: unknown properties are refused and every failure
 * names its field. The value itself is left as it is.
 */
export function validateMessage(type: MessageClass, value: unknown): FieldError[] {
  if (!isPlainObject(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
    return [{ field: '(body)', message: `must be an object, got ${got}` }];
  }
  const errors = validateSync(instantiate(type, value), {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
  });
  return reportedErrors(flattenValidationErrors(errors));
}

/** Re-declares an inherited optional property as required (overrides the parent's `@IsOptional`). */
export const IsRequired = (): PropertyDecorator => ValidateIf(() => true);

/** Allows null besides the value the other decorators describe; undefined still fails. */
export const IsNullable = (): PropertyDecorator => ValidateIf((_, value) => value !== null);

/** An object mapping keys to one of the field types: `string`, `number`, `boolean`, `string[]`. */
export function IsTableSchema(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTableSchema',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.entries(value).every(
            ([k, v]) => k.length > 0 && k.length <= 200 && (FIELD_TYPES as readonly unknown[]).includes(v),
          ),
        defaultMessage: () => `tableSchema must map each key to one of ${FIELD_TYPES.join(', ')}`,
      },
    },
    options,
  );
}
