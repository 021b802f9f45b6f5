import { describe, expect, it } from '@jest/globals';
import { withContext } from '@rocketlead/testing';
import { isValidTimeZone, parseOffsetDateTime } from './date-time';

describe('parseOffsetDateTime', () => {
  it('accepts Z and ±hh:mm offsets and returns the instant', () => {
    expect(parseOffsetDateTime('start', '2026-05-10T12:00:00Z')).toEqual(new Date('2026-05-10T12:00:00Z'));
    expect(parseOffsetDateTime('start', '2026-05-10T12:00:00.250+02:00')).toEqual(
      new Date('2026-05-10T10:00:00.250Z'),
    );
    expect(parseOffsetDateTime('start', '2026-05-10T12:00-05:30')).toEqual(new Date('2026-05-10T17:30:00Z'));
    expect(parseOffsetDateTime('start', '2026-12-31T23:59:59.999999+00:00')).toEqual(
      new Date('2026-12-31T23:59:59.999Z'),
    );
    expect(parseOffsetDateTime('start', '2028-02-29T00:00:00z')).toEqual(new Date('2028-02-29T00:00:00Z'));
  });

  it('refuses a date-time without an offset, or with another offset form, naming the field', () => {
    for (const value of ['2026-05-10T12:00:00', '2026-05-10', 'tomorrow', '2026-05-10T12:00:00+0200', ''])
      expect(parseOffsetDateTime('startDateTime', value)).toEqual({
        field: 'startDateTime',
        message: expect.stringContaining('with an offset'),
      });
  });

  it('refuses dates that do not exist instead of rolling them over', () => {
    for (const value of [
      '2026-02-29T12:00:00Z',
      '2026-02-30T12:00:00Z',
      '2026-04-31T12:00:00Z',
      '2026-13-01T12:00:00Z',
      '2026-00-10T12:00:00Z',
      '2026-05-10T24:00:00Z',
      '2026-05-10T12:60:00Z',
      '2026-05-10T12:00:60Z',
      '2026-05-10T12:00:00+24:00',
      '2026-05-10T12:00:00+01:60',
    ])
      withContext(value, () =>
        expect(parseOffsetDateTime('endDateTime', value)).toEqual({
          field: 'endDateTime',
          message: 'is not a valid date-time',
        }),
      );
  });
});

describe('isValidTimeZone', () => {
  it('knows IANA zones and their aliases', () => {
    for (const zone of ['UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Asia/Calcutta'])
      withContext(zone, () => expect(isValidTimeZone(zone)).toBe(true));
  });

  it('refuses made-up zones and bare offsets', () => {
    for (const zone of ['Mars/Olympus', 'Europe/Nowhere', '+01:00', '-05:00', ''])
      withContext(zone, () => expect(isValidTimeZone(zone)).toBe(false));
  });
});
