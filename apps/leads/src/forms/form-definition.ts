import {
  FORM_DEFAULT_DEDUPE_KEY,
  FORM_LIMITS,
  type FieldError,
  type FormField,
  type FormFieldBody,
} from '@rocketlead/contracts';

/** A form's fields as given, with the defaults filled in: what is stored. */
export function formFieldsOf(fields: FormFieldBody[]): FormField[] {
  return fields.map((field) => ({
    key: field.key,
    label: field.label,
    type: field.type,
    required: field.required ?? false,
    options: field.type === 'select' ? (field.options ?? null) : null,
    durationMinutes:
      field.type === 'booking' ? (field.durationMinutes ?? FORM_LIMITS.bookingMinutesDefault) : null,
  }));
}

/** The parts of a form checked together: each alone is already checked by the command's class. */
export interface FormShape {
  fields: FormFieldBody[];
  /** As the client gave it; null when it gave none (the default is then chosen, not checked). */
  dedupeKey: string | null;
  bookingCalendarId: string | null;
  redirectUrl: string | null;
  webhookUrl: string | null;
}

/**
 * The dedupe key of a form whose client named none: `email` when the form has that field, else its first
 * email field, else its first phone field; else `email`, which no submission holds (every one a new contact).
 */
export function defaultDedupeKey(fields: { key: string; type: string }[]): string {
  if (fields.some((field) => field.key === FORM_DEFAULT_DEDUPE_KEY)) return FORM_DEFAULT_DEDUPE_KEY;
  const identifying =
    fields.find((field) => field.type === 'email') ?? fields.find((field) => field.type === 'phone');
  return identifying?.key ?? FORM_DEFAULT_DEDUPE_KEY;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * What is wrong with a form as a whole, each named by its field: keys used twice, options only (and always)
 * for selects, one booking field at most with its duration and a calendar, a dedupe key that is one of the
 * fields, and http(s) URLs.
 */
export function formShapeErrors(form: FormShape): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  let bookings = 0;
  form.fields.forEach((field, i) => {
    const at = `fields[${i}]`;
    if (seen.has(field.key))
      errors.push({ field: `${at}.key`, message: 'is used by another field of the form' });
    seen.add(field.key);
    if (field.type === 'select' && !field.options)
      errors.push({ field: `${at}.options`, message: 'is required for a select field' });
    if (field.type !== 'select' && field.options)
      errors.push({ field: `${at}.options`, message: 'is only for select fields' });
    if (field.type === 'booking') {
      bookings += 1;
      if (bookings > 1) errors.push({ field: `${at}.type`, message: 'a form has at most one booking field' });
    } else if ((field.durationMinutes ?? null) !== null) {
      // null is how a read form shows "none": a form sent back as it was read passes.
      errors.push({ field: `${at}.durationMinutes`, message: 'is only for booking fields' });
    }
  });
  if (bookings > 0 && !form.bookingCalendarId)
    errors.push({ field: 'bookingCalendarId', message: 'is required with a booking field' });
  if (form.dedupeKey !== null) {
    const dedupeField = form.fields.find((field) => field.key === form.dedupeKey);
    if (!dedupeField || dedupeField.type === 'booking')
      errors.push({
        field: 'dedupeKey',
        message: "must be the key of one of the form's fields (not a booking)",
      });
  }
  for (const field of ['redirectUrl', 'webhookUrl'] as const) {
    const url = form[field];
    if (url !== null && !isHttpUrl(url)) errors.push({ field, message: 'must be an http(s) URL' });
  }
  return errors;
}
