import {
  FORM_HONEYPOT_FIELD,
  FORM_LIMITS,
  isEmailAddress,
  type EntryData,
  type FieldError,
  type FormField,
} from '@rocketlead/contracts';

/** A submission's values checked against its form: the entry data, and the appointment asked for. */
export interface CheckedValues {
  data: EntryData;
  /** The start (ISO 8601 with its offset) of a booking field's appointment, or null. */
  bookingStart: string | null;
}

const PHONE = /^\+?[\d\s().\-/]+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// A start time must say where it is: an offset or Z (a form page knows its visitor's offset).
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
// What a checkbox or a select sends for yes and no.
const TRUE_TEXTS = new Set(['true', 'on', 'yes', '1']);
const FALSE_TEXTS = new Set(['false', 'off', 'no', '0']);

/** True when a (non-empty) honeypot was filled in: a bot, whose submission is dropped. */
export function isHoneypotFilled(values: Record<string, unknown>): boolean {
  const value = Object.prototype.hasOwnProperty.call(values, FORM_HONEYPOT_FIELD)
    ? values[FORM_HONEYPOT_FIELD]
    : undefined;
  return value !== undefined && value !== null && value !== '' && value !== false;
}

function isValidDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

type Checked = { value: string | number | boolean } | { error: string };

function checkText(raw: unknown): Checked | string {
  if (typeof raw !== 'string') return { error: 'must be a string' };
  if (raw.length > FORM_LIMITS.valueLength)
    return { error: `must be at most ${FORM_LIMITS.valueLength} characters` };
  return raw.trim();
}

function checkOne(field: FormField, raw: unknown): Checked {
  switch (field.type) {
    case 'number': {
      const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw.trim()) : raw;
      return typeof value === 'number' && Number.isFinite(value) ? { value } : { error: 'must be a number' };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { value: raw };
      const text = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
      if (TRUE_TEXTS.has(text)) return { value: true };
      if (FALSE_TEXTS.has(text)) return { value: false };
      return { error: 'must be true or false' };
    }
    case 'string':
    case 'email':
    case 'phone':
    case 'date':
    case 'select':
    case 'booking': {
      const text = checkText(raw);
      if (typeof text !== 'string') return text;
      if (field.type === 'email' && !isEmailAddress(text)) return { error: 'must be an email address' };
      if (field.type === 'phone' && (!PHONE.test(text) || text.replace(/\D/g, '').length < 5))
        return { error: 'must be a phone number' };
      if (field.type === 'date' && !isValidDate(text)) return { error: 'must be a date (YYYY-MM-DD)' };
      if (field.type === 'select' && !(field.options ?? []).includes(text))
        return { error: `must be one of ${(field.options ?? []).join(', ')}` };
      if (field.type === 'booking' && (!DATE_TIME.test(text) || Number.isNaN(Date.parse(text))))
        return { error: 'must be a date-time with an offset (2026-03-01T10:00:00+01:00)' };
      return { value: text };
    }
  }
}

/** A value left empty: absent, null, or blank text (an HTML form sends every input, filled or not). */
function isEmpty(raw: unknown): boolean {
  return raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '');
}

/**
 * Checks the submitted values against the form's fields; every bad one is named (by its field key).
 * Values of keys that are not fields of the form are dropped; empty optional fields are left out.
 */
export function checkValues(
  fields: FormField[],
  values: Record<string, unknown>,
): { ok: true; values: CheckedValues } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const data: EntryData = {};
  let bookingStart: string | null = null;
  for (const field of fields) {
    const raw = Object.prototype.hasOwnProperty.call(values, field.key) ? values[field.key] : undefined;
    if (isEmpty(raw)) {
      if (field.required) errors.push({ field: field.key, message: 'is required' });
      continue;
    }
    const checked = checkOne(field, raw);
    if ('error' in checked) {
      errors.push({ field: field.key, message: checked.error });
      continue;
    }
    // The booking becomes an appointment, not a value of the contact.
    if (field.type === 'booking') bookingStart = String(checked.value);
    else data[field.key] = checked.value;
  }
  return errors.length ? { ok: false, errors } : { ok: true, values: { data, bookingStart } };
}
