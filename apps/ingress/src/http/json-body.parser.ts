import {
  DomainError,
  inspectJson,
  jsonByteLength,
  validationFailed,
  MAX_BODY_BYTES,
  tooLarge,
} from '@rocketlead/contracts';

/** `application/json` and every JSON media type with a structured suffix (`application/merge-patch+json`). */
export const JSON_SUFFIX_TYPE = /^application\/[\w.!#$&^-]+\+json(?=$|\s*;)/i;

/**
 * Parses every JSON body of ingress and applies the size and content limits of @rocketlead/contracts to the
 * whole of it before any route sees it: depth, keys, strings, arrays, finite numbers, NUL and unpaired
 * surrogates, `__proto__` keys (400 naming the field), and the re-serialized size (413). An empty body is
 * no body, so a body-less POST or DELETE sent with `Content-Type: application/json` reaches its route.
 */
export function parseJsonBody(body: Buffer | string): unknown {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.trim().length === 0) return undefined;
  let value: unknown;
  try {
    // V8's JSON.parse is iterative: a megabyte of `[[[[` cannot overflow the stack here.
    value = JSON.parse(text);
  } catch (error) {
    throw new DomainError('BAD_REQUEST', `Malformed JSON body: ${(error as Error).message}`, {
      field: '(body)',
    });
  }
  const errors = inspectJson(value);
  if (errors.length > 0) throw validationFailed(errors);
  // Numbers such as `1e20` grow when re-serialized; what travels on must still fit.
  const bytes = jsonByteLength(value);
  if (bytes > MAX_BODY_BYTES) throw tooLarge('(body)', 'The request body', bytes, MAX_BODY_BYTES);
  return value;
}
