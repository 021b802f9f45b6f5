import {
  BadRequestException,
  ValidationPipe,
  type ArgumentMetadata,
  type PipeTransform,
} from '@nestjs/common';
import { flattenValidationErrors } from '@rocketlead/contracts';

// class-transformer skips keys that name something on Object.prototype (`toString`, `hasOwnProperty`, ...)
// and Nest's ValidationPipe deletes `constructor` and `prototype`, so a lead whose data uses such a key would
// lose it silently. Before the pipe runs, those keys get a prefix no client key can carry (the body parser
// refuses NUL), and the prefix is taken off again afterwards: every key arrives as the client sent it.
const ESCAPE = '\u0000';
const isSpecial = (key: string): boolean => key in Object.prototype || key === 'prototype';
const unescapeKey = (key: string): string => (key.startsWith(ESCAPE) ? key.slice(ESCAPE.length) : key);

type Rename = (key: string) => string;

/** A copy of `value` with its keys renamed; class instances keep their prototype. Depth is bounded upstream. */
function renameKeys(value: unknown, rename: Rename, needed: (key: string) => boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => renameKeys(item, rename, needed));
  if (value === null || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  const keys = Object.keys(source);
  if (!keys.some(needed)) {
    for (const key of keys) source[key] = renameKeys(source[key], rename, needed);
    return source;
  }
  const target = Object.create(Object.getPrototypeOf(source) as object | null) as Record<string, unknown>;
  for (const key of keys) {
    Object.defineProperty(target, rename(key), {
      value: renameKeys(source[key], rename, needed),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return target;
}

export const escapeSpecialKeys = (value: unknown): unknown =>
  renameKeys(value, (key) => (isSpecial(key) ? ESCAPE + key : key), isSpecial);
export const unescapeSpecialKeys = (value: unknown): unknown =>
  renameKeys(value, unescapeKey, (key) => key.startsWith(ESCAPE));

/** Global DTO validation: unknown fields are refused, every failure names its field, no key is lost. */
class FaithfulValidationPipe implements PipeTransform {
  private readonly inner = new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // Kept for flattenValidationErrors, which names array items by index (`stages[4].name`); not answered.
    validationError: { target: false, value: true },
    exceptionFactory: (errors) =>
      new BadRequestException({
        message: 'Validation failed',
        errors: flattenValidationErrors(errors, {
          key: unescapeKey,
          message: (text) => text.split(ESCAPE).join(''),
        }),
      }),
  });

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'custom') return this.inner.transform(value, metadata);
    return unescapeSpecialKeys(await this.inner.transform(escapeSpecialKeys(value), metadata));
  }
}

export function createValidationPipe(): PipeTransform {
  return new FaithfulValidationPipe();
}
