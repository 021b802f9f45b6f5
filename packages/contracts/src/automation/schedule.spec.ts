import { describe, expect, it } from '@jest/globals';
import { addDuration, durationSchema, isTimeZone, nextTimeOfDay, parseDuration } from './schedule';
import type { FieldError } from '../validation';

const check = (value: unknown, allowZero = false): FieldError[] => {
  const errors: FieldError[] = [];
  durationSchema({ allowZero }).check(value, 'd', errors);
  return errors;
};

describe('ISO 8601 durations', () => {
  it('parses every part and refuses what is not a duration', () => {
    expect(parseDuration('P1Y2M3W4DT5H6M7.5S')).toEqual({
      years: 1,
      months: 2,
      weeks: 3,
      days: 4,
      hours: 5,
      minutes: 6,
      seconds: 7.5,
    });
    expect(parseDuration('PT2H')).toMatchObject({ hours: 2, minutes: 0 });
    for (const bad of ['', 'P', 'PT', '2H', 'PT2', 'P1DT', 'pt2h', 'PT-1H', 'P1.5D'])
      expect(parseDuration(bad)).toBeNull();
  });

  it('adds days by the calendar and hours by the clock, and subtracts', () => {
    const from = new Date('2026-01-31T10:00:00.000Z');
    expect(addDuration(from, parseDuration('P1M')!).toISOString()).toBe('2026-02-28T10:00:00.000Z');
    expect(addDuration(from, parseDuration('P1DT2H30M')!).toISOString()).toBe('2026-02-01T12:30:00.000Z');
    expect(addDuration(from, parseDuration('PT24H')!, -1).toISOString()).toBe('2026-01-30T10:00:00.000Z');
  });

  it('bounds a duration: longer than zero (unless allowed) and at most 366 days', () => {
    expect(check('PT2H')).toEqual([]);
    expect(check('PT0S')).toEqual([{ field: 'd', message: 'must be longer than zero' }]);
    expect(check('PT0S', true)).toEqual([]);
    expect(check('P367D')).toEqual([{ field: 'd', message: 'must be at most 366 days' }]);
    expect(check('soon')[0]?.message).toMatch(/ISO 8601 duration/);
    expect(check(5)[0]?.field).toBe('d');
  });
});

describe('time of day in a time zone', () => {
  it('knows IANA zones and refuses others', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Base')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });

  it('is later today when the time is still ahead, else tomorrow, in the zone’s clock', () => {
    const now = new Date('2026-06-15T05:30:00.000Z'); // 07:30 in Berlin (summer time, UTC+2)
    expect(nextTimeOfDay(now, '09:00', 'Europe/Berlin').toISOString()).toBe('2026-06-15T07:00:00.000Z');
    expect(nextTimeOfDay(now, '07:00', 'Europe/Berlin').toISOString()).toBe('2026-06-16T05:00:00.000Z');
    expect(nextTimeOfDay(now, '09:00', 'UTC').toISOString()).toBe('2026-06-15T09:00:00.000Z');
  });

  it('follows the zone across a change of its offset', () => {
    // Berlin leaves summer time on 2026-10-25 at 03:00 local: 09:00 is UTC+1 that day.
    const now = new Date('2026-10-24T12:00:00.000Z');
    expect(nextTimeOfDay(now, '09:00', 'Europe/Berlin').toISOString()).toBe('2026-10-25T08:00:00.000Z');
    // New York: the day after 2026-03-08 (spring forward), 09:00 is UTC−4.
    const ny = new Date('2026-03-08T15:00:00.000Z');
    expect(nextTimeOfDay(ny, '09:00', 'America/New_York').toISOString()).toBe('2026-03-09T13:00:00.000Z');
  });
});
