import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@rocketlead/contracts';
import { checkOrder } from './bookings.service';
import { parseDateTimes } from './date-time';

function failure(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('parseDateTimes', () => {
  it('parses the given fields and skips absent ones', () => {
    expect(parseDateTimes({ from: '2026-05-10T12:00:00+02:00', to: undefined })).toEqual({
      from: new Date('2026-05-10T10:00:00Z'),
    });
  });

  it('names every bad field in one validation error', () => {
    const error = failure(() =>
      parseDateTimes({ startDateTime: '2026-05-10T12:00:00', endDateTime: '2026-02-30T12:00:00Z' }),
    );
    expect(error.code).toBe('VALIDATION_FAILED');
    expect((error.details?.errors as { field: string }[]).map((e) => e.field)).toEqual([
      'startDateTime',
      'endDateTime',
    ]);
  });
});

describe('checkOrder', () => {
  it('wants the end after the start, naming endDateTime', () => {
    const start = new Date('2026-05-10T12:00:00Z');
    expect(() => checkOrder(start, new Date('2026-05-10T12:00:00.001Z'))).not.toThrow();
    for (const end of [start, new Date('2026-05-10T11:00:00Z')])
      expect(failure(() => checkOrder(start, end)).details).toEqual({
        errors: [{ field: 'endDateTime', message: 'must be after startDateTime' }],
      });
  });
});
