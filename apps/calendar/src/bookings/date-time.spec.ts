import { describe, expect, it } from 'vitest';
import { isValidTimeZone, parseOffsetDateTime } from './date-time';

describe('parseOffsetDateTime', () => {
  it('accepts Z and numeric offsets', () => {
    expect(parseOffsetDateTime('start', '2026-05-10T12:00:00Z')).toEqual(new Date('2026-05-10T12:00:00Z'));
    expect(parseOffsetDateTime('start', '2026-05-10T12:00:00.250+02:00')).toEqual(
      new Date('2026-05-10T10:00:00.250Z'),
    );
  });

  it('refuses a date-time without an offset, naming the field', () => {
    expect(parseOffsetDateTime('startDateTime', '2026-05-10T12:00:00')).toMatchObject({
      field: 'startDateTime',
    });
    expect(parseOffsetDateTime('endDateTime', 'tomorrow')).toMatchObject({ field: 'endDateTime' });
    expect(parseOffsetDateTime('endDateTime', '2026-13-40T12:00:00Z')).toMatchObject({
      message: 'is not a valid date-time',
    });
  });
});

describe('isValidTimeZone', () => {
  it('knows IANA zones and refuses made-up ones', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
});
