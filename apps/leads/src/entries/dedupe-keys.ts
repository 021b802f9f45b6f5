import { createHash } from 'node:crypto';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { DedupeConfig, EntryData, EntryValue } from '@rocketlead/contracts';

/** One normalised value of a dedupe key: entries of a pool with the same (key, value) are the same contact. */
export interface DedupeKey {
  key: string;
  value: string;
}

const EMAIL_KEY = /e-?mail/i;
const PHONE_KEY = /phone|mobile|tel/i;
// Only digits and the punctuation people write numbers with: a word or a date-like text is no phone number.
const PHONE_CHARS = /^\+?[\d\s().\-/]+$/;
// Longer values are compared by their hash: an index row must stay small, and a digest is as exact.
const MAX_VALUE_BYTES = 256;

function phone(value: string, region: string | null): string | null {
  const parsed = parsePhoneNumberFromString(value, region ? (region as CountryCode) : undefined);
  return parsed?.isValid() ? parsed.number : null;
}

function bounded(value: string): string {
  return Buffer.byteLength(value) > MAX_VALUE_BYTES
    ? `sha256:${createHash('sha256').update(value).digest('hex')}`
    : value;
}

/**
 * The normalised value of one key, or null when the key cannot identify a contact. The rule, by key:
 * - a key named like a phone (contains `phone`, `mobile` or `tel`): the value (a string, or a number) as E.164,
 *   numbers without a country code read in `phoneRegion`; a value that is no valid number is not used;
 * - else a key named like an email (`email`, `e-mail`) or a string containing `@`: trimmed and lower-cased;
 * - else a string made of digits and phone punctuation that is a valid number: E.164 (a `contact` field may hold
 *   a phone number);
 * - else a string: trimmed and case-folded (lower-cased after Unicode NFC normalisation).
 * Empty strings, other value types (booleans, lists, null) and numbers outside phone keys are not used.
 */
export function normaliseKey(
  key: string,
  value: EntryValue | undefined,
  region: string | null,
): string | null {
  if (PHONE_KEY.test(key)) {
    if (typeof value === 'number') return Number.isFinite(value) ? phone(String(value), region) : null;
    if (typeof value !== 'string' || value.trim() === '') return null;
    return phone(value.trim(), region);
  }
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  if (trimmed === '') return null;
  if (EMAIL_KEY.test(key) || trimmed.includes('@')) return bounded(trimmed.toLowerCase());
  if (PHONE_CHARS.test(trimmed)) {
    const e164 = phone(trimmed, region);
    if (e164) return e164;
  }
  return bounded(trimmed.normalize('NFC').toLowerCase());
}

/** The entry's dedupe keys, in the pool's key order; keys it cannot be matched on are left out. */
export function dedupeKeysOf(config: DedupeConfig, data: EntryData): DedupeKey[] {
  const keys: DedupeKey[] = [];
  for (const key of config.keys) {
    // Own properties only: a data key named like an inherited property is still just a key.
    const raw = Object.prototype.hasOwnProperty.call(data, key) ? data[key] : undefined;
    const value = normaliseKey(key, raw, config.phoneRegion);
    if (value !== null) keys.push({ key, value });
  }
  return keys;
}

/** The entry holding a (pool, key, value): the first one stored with it. */
export interface KeyOwner {
  entryId: string;
  createdAt: string;
}

/** What makes an entry a duplicate: its original, and the keys it matched earlier entries on. */
export interface Duplicate {
  duplicateOfId: string;
  matchedOn: string[];
}

/**
 * The duplicate an entry is, from the owners of its keys (`ownerOf`, undefined for a key nobody holds): the
 * keys owned by another entry are `matchedOn` (in `keys` order, the pool's), and the original is the earliest
 * (createdAt, id) of their owners. Null when every key is its own (or it has none): not a duplicate.
 */
export function duplicateOf(
  entryId: string,
  keys: DedupeKey[],
  ownerOf: (key: DedupeKey) => KeyOwner | undefined,
): Duplicate | null {
  let original: KeyOwner | undefined;
  const matchedOn: string[] = [];
  for (const key of keys) {
    const owner = ownerOf(key);
    if (!owner || owner.entryId === entryId) continue;
    matchedOn.push(key.key);
    if (
      !original ||
      owner.createdAt < original.createdAt ||
      (owner.createdAt === original.createdAt && owner.entryId < original.entryId)
    )
      original = owner;
  }
  return original ? { duplicateOfId: original.entryId, matchedOn } : null;
}
