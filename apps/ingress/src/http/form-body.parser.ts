import type { FastifyRequest } from 'fastify';
import { assertWithinLimits, MAX_BODY_BYTES } from '@rocketlead/contracts';
import { rawBodyLimit } from './raw-body';
import { ExtendRouteConfig, routeConfigValue } from './route-config';

/**
 * Form bodies are small (SMS provider callbacks, one-click unsubscribe, public form submissions): far below the
 * JSON limit.
 */
export const FORM_BODY_MAX_BYTES = 64 * 1024;
export const FORM_BODY_MAX_FIELDS = 100;

export const FORM_TYPE = 'application/x-www-form-urlencoded';
export const MULTIPART_TYPE = 'multipart/form-data';
export const FORM_TYPE_PATTERN = /^application\/x-www-form-urlencoded\s*(;|$)/i;
export const MULTIPART_TYPE_PATTERN = /^multipart\/form-data\s*(;|$)/i;

/**
 * `form`: urlencoded only; `form-or-multipart`: also multipart/form-data, read (bounded) and dropped;
 * `json-or-form`: JSON (with the JSON limits) or urlencoded (with the form limits), e.g. a public form's
 * submission posted by an HTML form or by fetch().
 */
export type FormBodyPolicy = 'form' | 'form-or-multipart' | 'json-or-form';

const FORM_BODY_POLICIES: readonly unknown[] = [
  'form',
  'form-or-multipart',
  'json-or-form',
] satisfies FormBodyPolicy[];

const FORM_BODY_CONFIG = 'rocketleadFormBody';

/**
 * Marks a route that takes a form body instead of JSON (every other route stays JSON-only). It becomes the
 * Fastify route's config, which the content-type hook reads before the body is parsed.
 */
export const FormBody = (policy: FormBodyPolicy = 'form'): MethodDecorator =>
  ExtendRouteConfig({ [FORM_BODY_CONFIG]: policy });

/** The form policy of the route a request matched; null for JSON routes. */
export function formBodyPolicy(request: FastifyRequest): FormBodyPolicy | null {
  const policy = routeConfigValue(request, FORM_BODY_CONFIG);
  return FORM_BODY_POLICIES.includes(policy) ? (policy as FormBodyPolicy) : null;
}

/** The body size limit of a request: the form limit for form bodies, the JSON limit for JSON ones. */
export function bodyLimitOf(request: FastifyRequest | undefined): number {
  if (!request) return MAX_BODY_BYTES;
  const raw = rawBodyLimit(request);
  if (raw !== null) return raw;
  const policy = formBodyPolicy(request);
  if (policy === null) return MAX_BODY_BYTES;
  // On a route taking either, the parser (and so the limit) follows the request's content type.
  if (policy === 'json-or-form' && !FORM_TYPE_PATTERN.test(request.headers['content-type'] ?? ''))
    return MAX_BODY_BYTES;
  return FORM_BODY_MAX_BYTES;
}

/**
 * Parses an urlencoded body into flat string fields: the first value of a repeated key wins, at most
 * FORM_BODY_MAX_FIELDS fields, and the same content checks as JSON bodies (NUL, `__proto__`, lengths) give a
 * 400 naming the field.
 */
export function parseFormBody(body: Buffer | string): Record<string, string> {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const fields = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(text)) if (!fields.has(key)) fields.set(key, value);
  // Built from entries, so a `__proto__` key is an own property the limits check refuses, not a prototype.
  const params = Object.fromEntries(fields) as Record<string, string>;
  assertWithinLimits(params, { maxKeys: FORM_BODY_MAX_FIELDS });
  return params;
}
