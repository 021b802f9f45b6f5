/** A birthday as stored in an entry: `YYYY-MM-DD` or `MM-DD` (the same pattern is used in SQL). */
export const BIRTHDAY_VALUE = /^(\d{4}-)?\d{2}-\d{2}$/;
export const BIRTHDAY_VALUE_SQL = '^([0-9]{4}-)?[0-9]{2}-[0-9]{2}$';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** Whether `text` is a real calendar date `YYYY-MM-DD` (no Feb 30, no month 13). */
export function isCalendarDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const at = new Date(Date.UTC(y, mo - 1, d));
  return at.getUTCFullYear() === y && at.getUTCMonth() === mo - 1 && at.getUTCDate() === d;
}

/** The year of a date `YYYY-MM-DD`. */
export const yearOf = (date: string): number => Number(date.slice(0, 4));

/**
 * The birthdays (`MM-DD`) celebrated on `date`: its own month and day and, on Feb 28 of a non-leap year,
 * Feb 29 too (that day does not exist this year).
 */
export function birthdayMonthDays(date: string): string[] {
  const monthDay = date.slice(5);
  return monthDay === '02-28' && !isLeapYear(yearOf(date)) ? ['02-28', '02-29'] : [monthDay];
}

/** Whether an entry's birthday value is celebrated on `date`; values of any other form never are. */
export function isBirthdayOn(value: unknown, date: string): boolean {
  if (typeof value !== 'string' || !BIRTHDAY_VALUE.test(value)) return false;
  return birthdayMonthDays(date).includes(value.slice(-5));
}

/** The date `YYYY-MM-DD` the clock of `zone` shows at `at`. */
export function localDate(at: Date, zone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(at);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year').padStart(4, '0')}-${get('month')}-${get('day')}`;
}

/** `date` moved by `days` calendar days. */
export function addDays(date: string, days: number): string {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, mo - 1, d + days)).toISOString().slice(0, 10);
}
