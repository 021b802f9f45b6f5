import type { Schema } from '../validation';

/** An ISO-8601 duration (`P2D`, `PT2H30M`, `P1W`), as its parts. */
export interface Duration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/** The longest wait, task deadline or reminder offset an automation may state (README, "Limits"). */
export const MAX_SCHEDULE_DAYS = 366;

const DURATION_PATTERN =
  /^P(?:(\d{1,4})Y)?(?:(\d{1,4})M)?(?:(\d{1,4})W)?(?:(\d{1,5})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,7})M)?(?:(\d{1,9}(?:\.\d{1,3})?)S)?)?$/;

/** The parts of an ISO-8601 duration, or null when it is not one (or is empty, like `P` or `PT`). */
export function parseDuration(text: string): Duration | null {
  const m = DURATION_PATTERN.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return null;
  const n = (i: number): number => (m[i] === undefined ? 0 : Number(m[i]));
  return { years: n(1), months: n(2), weeks: n(3), days: n(4), hours: n(5), minutes: n(6), seconds: n(7) };
}

/** `from` moved by the duration: years, months and days by the calendar (UTC), the rest by the clock. */
export function addDuration(from: Date, d: Duration, sign: 1 | -1 = 1): Date {
  const at = new Date(from.getTime());
  if (d.years || d.months) {
    // Jan 31 + 1 month is the last day of February, not early March.
    const day = at.getUTCDate();
    at.setUTCDate(1);
    at.setUTCMonth(at.getUTCMonth() + sign * (d.years * 12 + d.months));
    const lastDay = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 0)).getUTCDate();
    at.setUTCDate(Math.min(day, lastDay));
  }
  if (d.weeks || d.days) at.setUTCDate(at.getUTCDate() + sign * (d.weeks * 7 + d.days));
  const ms = ((d.hours * 60 + d.minutes) * 60 + d.seconds) * 1000;
  return new Date(at.getTime() + sign * ms);
}

/** The duration's length from the epoch, for bounds (months as calendar months from 1970). */
export function durationMs(d: Duration): number {
  return addDuration(new Date(0), d).getTime();
}

/** A schema for an ISO-8601 duration between 0 (exclusive, unless `allowZero`) and MAX_SCHEDULE_DAYS. */
export function durationSchema(opts: { allowZero?: boolean } = {}): Schema<string> {
  return {
    check(value, path, errors) {
      if (typeof value !== 'string') {
        errors.push({ field: path, message: 'must be an ISO 8601 duration such as PT2H or P1D' });
        return;
      }
      const parsed = parseDuration(value);
      if (!parsed) {
        errors.push({ field: path, message: 'must be an ISO 8601 duration such as PT2H or P1D' });
        return;
      }
      const ms = durationMs(parsed);
      if (ms > MAX_SCHEDULE_DAYS * 86_400_000)
        errors.push({ field: path, message: `must be at most ${MAX_SCHEDULE_DAYS} days` });
      else if (ms <= 0 && !opts.allowZero) errors.push({ field: path, message: 'must be longer than zero' });
    },
  };
}

const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Whether Intl knows the IANA time zone (`Europe/Berlin`, `UTC`). */
export function isTimeZone(zone: unknown): zone is string {
  if (typeof zone !== 'string' || zone.length === 0 || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const timeOfDaySchema: Schema<string> = {
  check(value, path, errors) {
    if (typeof value !== 'string' || !TIME_OF_DAY.test(value))
      errors.push({ field: path, message: 'must be a time of day HH:MM (24 h), e.g. 09:00' });
  },
};

export const timeZoneSchema: Schema<string> = {
  check(value, path, errors) {
    if (!isTimeZone(value))
      errors.push({ field: path, message: 'must be an IANA time zone, e.g. Europe/Berlin' });
  },
};

/** The wall-clock fields of an instant in a time zone. */
function wallClock(at: Date, zone: string): { y: number; mo: number; d: number; h: number; mi: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(at);
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { y: get('year'), mo: get('month'), d: get('day'), h: get('hour'), mi: get('minute') };
}

/** The instant at which the zone's clock shows this wall time (the later one when a DST change repeats it). */
function zonedInstant(y: number, mo: number, d: number, h: number, mi: number, zone: string): Date {
  const asUtc = Date.UTC(y, mo - 1, d, h, mi);
  // Two passes settle the offset, also on days the offset changes.
  let guess = asUtc;
  for (let i = 0; i < 2; i += 1) {
    const w = wallClock(new Date(guess), zone);
    const shown = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi);
    guess += asUtc - shown;
  }
  return new Date(guess);
}

/** The next instant after `now` at which the clock in `zone` shows `timeOfDay` (HH:MM). */
export function nextTimeOfDay(now: Date, timeOfDay: string, zone: string): Date {
  const m = TIME_OF_DAY.exec(timeOfDay);
  if (!m) throw new Error(`invalid time of day ${timeOfDay}`);
  const [h, mi] = [Number(m[1]), Number(m[2])];
  const today = wallClock(now, zone);
  for (let dayOffset = 0; dayOffset <= 2; dayOffset += 1) {
    const day = new Date(Date.UTC(today.y, today.mo - 1, today.d + dayOffset));
    const candidate = zonedInstant(
      day.getUTCFullYear(),
      day.getUTCMonth() + 1,
      day.getUTCDate(),
      h,
      mi,
      zone,
    );
    if (candidate.getTime() > now.getTime()) return candidate;
  }
  throw new Error(`no next ${timeOfDay} in ${zone}`);
}
