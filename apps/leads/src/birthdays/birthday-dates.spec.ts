import { describe, expect, it } from '@jest/globals';
import { addDays, birthdayMonthDays, isBirthdayOn, isCalendarDate, localDate } from './birthday-dates';

describe('birthday dates', () => {
  it('matches YYYY-MM-DD and MM-DD birthdays by month and day', () => {
    expect(isBirthdayOn('1990-07-14', '2026-07-14')).toBe(true);
    expect(isBirthdayOn('07-14', '2026-07-14')).toBe(true);
    expect(isBirthdayOn('1990-07-15', '2026-07-14')).toBe(false);
    expect(isBirthdayOn('07-13', '2026-07-14')).toBe(false);
  });

  it('ignores values of any other form', () => {
    for (const value of [
      '14.07.1990',
      '7-14',
      '1990-7-14',
      '1990-07-14T00:00:00Z',
      ' 07-14',
      714,
      null,
      true,
    ])
      expect(isBirthdayOn(value, '2026-07-14')).toBe(false);
  });

  it('celebrates Feb 29 birthdays on Feb 28 of non-leap years only', () => {
    expect(birthdayMonthDays('2027-02-28')).toEqual(['02-28', '02-29']);
    expect(isBirthdayOn('2000-02-29', '2027-02-28')).toBe(true);
    expect(isBirthdayOn('02-29', '2027-02-28')).toBe(true);
    // 2028 is a leap year: Feb 29 exists, so Feb 28 is only Feb 28's.
    expect(birthdayMonthDays('2028-02-28')).toEqual(['02-28']);
    expect(isBirthdayOn('2000-02-29', '2028-02-28')).toBe(false);
    expect(isBirthdayOn('2000-02-29', '2028-02-29')).toBe(true);
    // 2100 is not a leap year (divisible by 100), 2000 was (by 400).
    expect(birthdayMonthDays('2100-02-28')).toEqual(['02-28', '02-29']);
    expect(birthdayMonthDays('2000-02-28')).toEqual(['02-28']);
    expect(isBirthdayOn('2000-02-28', '2027-02-28')).toBe(true);
  });

  it('accepts only real calendar dates', () => {
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2027-02-29')).toBe(false);
    expect(isCalendarDate('2026-13-01')).toBe(false);
    expect(isCalendarDate('2026-04-31')).toBe(false);
    expect(isCalendarDate('2026-4-1')).toBe(false);
  });

  it('reads the local date of an instant in a time zone and moves dates by days', () => {
    const at = new Date('2026-03-10T12:00:00Z');
    expect(localDate(at, 'Pacific/Kiritimati')).toBe('2026-03-11'); // UTC+14
    expect(localDate(at, 'Pacific/Pago_Pago')).toBe('2026-03-10'); // UTC-11
    expect(localDate(new Date('2026-03-10T23:30:00Z'), 'Pacific/Pago_Pago')).toBe('2026-03-10');
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });
});
