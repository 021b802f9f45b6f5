// Size limits of everything a client can send or read, designed from the NATS maximum payload down.
// Every message between services (a command, its reply, an event) must fit in one NATS payload, so each
// value a client controls is bounded here, once, and checked at the edge (ingress) and again by the service
// that computes the final value (leads, e.g. after a PATCH merge).
import { DomainError } from './errors';
import type { FieldError } from './validation';

/** The NATS server default `max_payload`; every command, reply and event must stay well inside it. */
export const NATS_MAX_PAYLOAD_BYTES = 1024 * 1024;
/** Largest HTTP request body, raw and re-serialized (numbers such as `1e20` grow when re-serialized). */
export const MAX_BODY_BYTES = 1024 * 1024;
/** A lead's `data` plus `customFieldData`, serialized as JSON (UTF-8): leaves the event and reply room. */
export const MAX_ENTRY_BYTES = 256 * 1024;
/** Keys of any one JSON object in a request (`data`, `customFieldData`, `tableSchema`, ...). */
export const MAX_KEYS_PER_OBJECT = 200;
/** Keys a lead pool schema may hold in total. */
export const MAX_SCHEMA_KEYS = 1000;
/** A lead pool schema, serialized as JSON (UTF-8). */
export const MAX_SCHEMA_BYTES = 256 * 1024;
/** Characters (UTF-16 code units) of any string value. */
export const MAX_STRING_LENGTH = 64 * 1024;
/** Characters of any object key (and of a name: pools, lead states, custom fields). */
export const MAX_KEY_LENGTH = 200;
/** Items of any JSON array. */
export const MAX_ARRAY_LENGTH = 1000;
/** Nesting of objects and arrays; the body itself is level 1 (`{"data":{"tags":["a"]}}` is 3 deep). */
export const MAX_DEPTH = 8;
/** Lead states of one lead pool (their list is one reply). */
export const MAX_LEAD_STATES_PER_POOL = 100;
/** Custom fields of one organization (their list is one reply). */
export const MAX_CUSTOM_FIELDS_PER_ORGANIZATION = 200;
/** A page of table entries stops before it grows past this many bytes, and says where to continue. */
export const PAGE_BYTE_BUDGET = 512 * 1024;
/** The largest reply a service builds; larger becomes a typed error instead of an unsendable message. */
export const MAX_REPLY_BYTES = 768 * 1024;
/** Field errors listed in one response at most; the rest is summarised in one more line. */
export const MAX_REPORTED_ERRORS = 20;
/** The field of the line that counts the errors not listed. */
const MORE_ERRORS_FIELD = '(more)';

/** UTF-8 length of a string, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** Bytes of `value` as it travels: JSON, UTF-8 (what NATS and Postgres receive). */
export function jsonByteLength(value: unknown): number {
  const text = JSON.stringify(value) as string | undefined;
  return text === undefined ? 0 : utf8Length(text);
}

/**
 * The leading items of a page whose JSON stays within PAGE_BYTE_BUDGET (always at least one), so the page
 * always fits in a reply; the caller's cursor continues after the last one kept. An item larger than
 * MAX_REPLY_BYTES on its own cannot be returned at all: `tooLarge` names it.
 */
export function withinPageBudget<T>(items: T[], tooLarge: (item: T, bytes: number) => Error): T[] {
  const kept: T[] = [];
  let bytes = 1; // the array's brackets
  for (const item of items) {
    const size = jsonByteLength(item) + 1; // and its comma
    if (kept.length > 0 && bytes + size > PAGE_BYTE_BUDGET) break;
    if (size > MAX_REPLY_BYTES) throw tooLarge(item, size);
    kept.push(item);
    bytes += size;
  }
  return kept;
}

/**
 * One page from `limit + 1` rows read after a cursor: the items of the first `limit` rows that fit the page
 * budget, and the cursor of the last row kept when more remain. An item too large for any reply is refused as
 * `<what> on this page is too large to return`, naming it by `idKey`.
 */
export function budgetedPage<R, T extends { id: string }>(
  rows: R[],
  limit: number,
  item: (row: R) => T,
  cursorOf: (row: R) => string,
  tooLarge: { what: string; idKey: string },
): { items: T[]; nextCursor: string | null } {
  const items = withinPageBudget(
    rows.slice(0, limit).map(item),
    (big, bytes) =>
      new DomainError('REPLY_TOO_LARGE', `${tooLarge.what} on this page is too large to return`, {
        [tooLarge.idKey]: big.id,
        bytes,
        limit: MAX_REPLY_BYTES,
      }),
  );
  const last = rows[items.length - 1];
  return { items, nextCursor: rows.length > items.length && last !== undefined ? cursorOf(last) : null };
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What a string may not contain: Postgres stores neither NUL nor half of a surrogate pair. */
function stringProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain NUL (\\u0000) characters';
  if (LONE_SURROGATE.test(text)) return 'must not contain unpaired UTF-16 surrogates (invalid Unicode)';
  return null;
}

/** A path segment readable in an error and storable as JSON: NUL and lone surrogates become visible escapes. */
export function safeKey(key: string): string {
  // eslint-disable-next-line no-control-regex
  return key.replace(/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) =>
    c === '\u0000' ? '\\u0000' : `\\u${c.charCodeAt(0).toString(16)}`,
  );
}

const join = (path: string, key: string): string => (path ? `${path}.${safeKey(key)}` : safeKey(key));

export interface InspectOptions {
  /** Path of `value` in its message, e.g. `data`; empty for a whole body. */
  path?: string;
  /** Depth `value` itself is at; the body is level 1. */
  depth?: number;
  /** Per-object key limit (default MAX_KEYS_PER_OBJECT). */
  maxKeys?: number;
}

/**
 * Checks a parsed JSON value against the limits above in one iterative walk (no recursion, so no stack
 * overflow however deep the input): depth, keys per object, key and string length, array length, finite
 * numbers, NUL and unpaired surrogates in strings and keys, and `__proto__` keys. Returns at most
 * MAX_REPORTED_ERRORS field errors (plus a line counting the rest); an empty list means the value is fine.
 */
export function inspectJson(value: unknown, options: InspectOptions = {}): FieldError[] {
  const maxKeys = options.maxKeys ?? MAX_KEYS_PER_OBJECT;
  const errors: FieldError[] = [];
  let omitted = 0;
  const report = (field: string, message: string): void => {
    if (errors.length < MAX_REPORTED_ERRORS) errors.push({ field: field || '(body)', message });
    else omitted++;
  };
  const stack: { value: unknown; path: string; depth: number }[] = [
    { value, path: options.path ?? '', depth: options.depth ?? 1 },
  ];
  while (stack.length > 0) {
    const item = stack.pop()!;
    const v = item.value;
    if (typeof v === 'string') {
      if (v.length > MAX_STRING_LENGTH)
        report(item.path, `must be at most ${MAX_STRING_LENGTH} characters (got ${v.length})`);
      const problem = stringProblem(v);
      if (problem) report(item.path, problem);
      continue;
    }
    if (typeof v === 'number') {
      if (!Number.isFinite(v))
        report(item.path, 'must be a finite number (JSON numbers beyond ±1.8e308 are not)');
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (item.depth > MAX_DEPTH) {
      report(item.path, `nests deeper than ${MAX_DEPTH} levels of objects and arrays`);
      continue;
    }
    if (Array.isArray(v)) {
      if (v.length > MAX_ARRAY_LENGTH) {
        report(item.path, `must have at most ${MAX_ARRAY_LENGTH} items (got ${v.length})`);
        continue;
      }
      for (let i = v.length - 1; i >= 0; i--)
        stack.push({ value: v[i] as unknown, path: `${item.path}[${i}]`, depth: item.depth + 1 });
      continue;
    }
    const keys = Object.keys(v);
    if (keys.length > maxKeys) {
      report(item.path, `must have at most ${maxKeys} keys (got ${keys.length})`);
      continue;
    }
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      const path = join(item.path, key);
      if (key === '__proto__') {
        report(path, '"__proto__" is not accepted as a key: JavaScript reserves it for the object prototype');
        continue;
      }
      if (key.length > MAX_KEY_LENGTH) report(path, `keys must be at most ${MAX_KEY_LENGTH} characters`);
      const problem = stringProblem(key);
      if (problem) report(path, `key ${problem}`);
      stack.push({ value: (v as Record<string, unknown>)[key], path, depth: item.depth + 1 });
    }
  }
  if (omitted > 0) errors.push(moreErrors(omitted));
  return errors;
}

/** The line that counts the errors a list leaves out. */
const moreErrors = (omitted: number): FieldError => ({
  field: MORE_ERRORS_FIELD,
  message: `${omitted} more errors not listed`,
});

/**
 * At most MAX_REPORTED_ERRORS field errors, then a line counting the rest; a list `inspectJson` already cut
 * (it ends with that line) is kept as it is.
 */
export function reportedErrors(errors: FieldError[]): FieldError[] {
  const alreadyCut =
    errors.length === MAX_REPORTED_ERRORS + 1 && errors[MAX_REPORTED_ERRORS]?.field === MORE_ERRORS_FIELD;
  if (errors.length <= MAX_REPORTED_ERRORS || alreadyCut) return errors;
  return [...errors.slice(0, MAX_REPORTED_ERRORS), moreErrors(errors.length - MAX_REPORTED_ERRORS)];
}

/** The 400 `Validation failed` naming each bad field (`details.errors`, as reportedErrors lists them). */
export function validationFailed(errors: FieldError[]): DomainError {
  return new DomainError('VALIDATION_FAILED', 'Validation failed', { errors: reportedErrors(errors) });
}

/** Throws the 400 of `inspectJson` when `value` breaks a limit. */
export function assertWithinLimits(value: unknown, options: InspectOptions = {}): void {
  const errors = inspectJson(value, options);
  if (errors.length > 0) throw validationFailed(errors);
}

/** A byte-size limit broken: 413 naming the field, the limit and the size. */
export function tooLarge(field: string, what: string, bytes: number, limit: number): DomainError {
  return new DomainError(
    'PAYLOAD_TOO_LARGE',
    `${what} is ${bytes} bytes serialized as JSON; the limit is ${limit} bytes`,
    { field, limit, bytes },
  );
}

/**
 * A lead's `data` + `customFieldData` must serialize to at most MAX_ENTRY_BYTES; the field named is the
 * larger of the two.
 */
export function assertEntryFits(data: unknown, customFieldData: unknown): void {
  const dataBytes = jsonByteLength(data ?? {});
  const customBytes = jsonByteLength(customFieldData ?? {});
  const total = dataBytes + customBytes;
  if (total > MAX_ENTRY_BYTES) {
    throw tooLarge(
      dataBytes >= customBytes ? 'data' : 'customFieldData',
      'data + customFieldData',
      total,
      MAX_ENTRY_BYTES,
    );
  }
}

/** A key count limit broken: a 400 naming the field. */
export function tooManyKeys(field: string, what: string, count: number, limit: number): DomainError {
  return validationFailed([{ field, message: `${what} would have ${count} keys; the limit is ${limit}` }]);
}

/**
 * A reply a service is about to send must fit in one NATS message; a stored value from before these limits
 * that does not fit becomes this typed error instead of an unsendable reply.
 */
export function assertReplyFits<T>(reply: T, what: string): T {
  const bytes = jsonByteLength(reply);
  if (bytes > MAX_REPLY_BYTES) {
    // The same code the command transport answers with: the server, not the request, is at fault.
    throw new DomainError(
      'REPLY_TOO_LARGE',
      `${what} is ${bytes} bytes serialized, more than a reply can carry (${MAX_REPLY_BYTES} bytes)`,
      { limit: MAX_REPLY_BYTES, bytes },
    );
  }
  return reply;
}
