import type { FieldError } from '@rocketlead/contracts';

// ISO 8601 date-time with an explicit offset: `Z` or `±hh:mm` (a local time without offset is ambiguous).
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** The instant, or a field error naming why it is not one. */
export function parseOffsetDateTime(field: string, value: string): Date | FieldError {
  if (!WITH_OFFSET.test(value)) {
    return { field, message: 'must be an ISO 8601 date-time with an offset, e.g. 2026-05-10T12:00:00+02:00' };
  }
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? { field, message: 'is not a valid date-time' } : date;
}

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
