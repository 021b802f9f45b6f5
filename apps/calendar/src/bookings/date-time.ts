import { validationFailed, type FieldError } from '@rocketlead/contracts';

// ISO 8601 / RFC 3339 date-time with an explicit offset, `Z` or `±hh:mm`: a local time without one is
// ambiguous. Fractions beyond milliseconds are accepted and truncated (JavaScript dates hold milliseconds).
const OFFSET_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const FORMAT_HINT = 'must be an ISO 8601 date-time with an offset, e.g. 2026-05-10T12:00:00+02:00';

/**
 * The instant, or a field error naming why it is not one. Checked field by field, because `new Date()`
 * quietly rolls impossible values over (2026-02-30 becomes March 2nd).
 */
export function parseOffsetDateTime(field: string, value: string): Date | FieldError {
  const m = OFFSET_DATE_TIME.exec(value);
  if (!m) return { field, message: FORMAT_HINT };
  const part = (i: number): number => Number(m[i] ?? 0);
  const year = part(1);
  const month = part(2);
  const day = part(3);
  const hour = part(4);
  const minute = part(5);
  const second = part(6);
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offsetHours = part(10);
  const offsetMins = part(11);
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    offsetHours > 23 ||
    offsetMins > 59
  ) {
    return { field, message: 'is not a valid date-time' };
  }
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: the latter maps years 0-99 to 1900-1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  const sign = m[9] === '-' ? -1 : 1;
  date.setTime(date.getTime() - sign * (offsetHours * 60 + offsetMins) * 60_000);
  return Number.isNaN(date.getTime()) ? { field, message: 'is not a valid date-time' } : date;
}

/** Parses the given date-time fields (each must carry an offset); every bad one is named in one 400. */
export function parseDateTimes<F extends string>(
  fields: Partial<Record<F, string | null>>,
): Partial<Record<F, Date>> {
  const errors: FieldError[] = [];
  const parsed: Partial<Record<F, Date>> = {};
  for (const [field, raw] of Object.entries(fields) as [F, string | null | undefined][]) {
    if (raw === undefined || raw === null) continue;
    const value = parseOffsetDateTime(field, raw);
    if (value instanceof Date) parsed[field] = value;
    else errors.push(value);
  }
  if (errors.length) throw validationFailed(errors);
  return parsed;
}

/** The end comes after the start (zero length is refused too); a 400 names the end field. */
export function checkTimeOrder(startAt: Date, endAt: Date, fields: { start: string; end: string }): void {
  if (endAt.getTime() <= startAt.getTime())
    throw validationFailed([{ field: fields.end, message: `must be after ${fields.start}` }]);
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/**
 * An IANA time zone name (`Europe/Berlin`, `UTC`). ICU also accepts bare offsets (`+01:00`), which are not
 * zones (no daylight saving rules), so those are refused.
 */
export function isValidTimeZone(zone: string): boolean {
  if (!/^[A-Za-z]/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
