import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@rocketlead/contracts';
import { checkTimeOrder, parseDateTimes } from '../bookings/date-time';
import { checkEmail, eventbriteLinked, registrationStep, spotsLeft } from './crm-event-rules';

function failure(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('registrationStep', () => {
  it('creates a first registration and re-activates a cancelled one while places are left', () => {
    expect(registrationStep(null, null, 0)).toBe('create');
    expect(registrationStep(null, 3, 2)).toBe('create');
    expect(registrationStep('cancelled', 3, 2)).toBe('reactivate');
    expect(registrationStep('cancelled', null, 10_000)).toBe('reactivate');
  });

  it('refuses a new or re-activated registration once the capacity is taken, even when lowered below it', () => {
    expect(registrationStep(null, 3, 3)).toBe('full');
    expect(registrationStep('cancelled', 3, 3)).toBe('full');
    expect(registrationStep(null, 1, 5)).toBe('full');
  });

  it('answers an active registration as it is, full or not', () => {
    expect(registrationStep('active', null, 1)).toBe('already_active');
    expect(registrationStep('active', 1, 1)).toBe('already_active');
    expect(registrationStep('active', 1, 7)).toBe('already_active');
  });
});

describe('spotsLeft', () => {
  it('is the capacity less the active registrations, never below zero; null without a capacity', () => {
    expect(spotsLeft(null, 12)).toBeNull();
    expect(spotsLeft(10, 0)).toBe(10);
    expect(spotsLeft(10, 9)).toBe(1);
    expect(spotsLeft(10, 10)).toBe(0);
    expect(spotsLeft(2, 5)).toBe(0);
  });
});

describe('checkEmail', () => {
  it('accepts an address (surrounding spaces too) and names email otherwise', () => {
    expect(() => checkEmail(' Ada@Example.org ')).not.toThrow();
    for (const bad of ['ada', 'ada@example', 'a da@example.org', '<ada@example.org>'])
      expect(failure(() => checkEmail(bad)).details).toEqual({
        errors: [{ field: 'email', message: 'must be an email address' }],
      });
  });
});

describe('eventbriteLinked', () => {
  it('is a 409 naming eventbriteEventId and the event holding the link', () => {
    const error = eventbriteLinked('0190a000-0000-7000-8000-000000000002');
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toBe(
      'eventbriteEventId is already linked to event 0190a000-0000-7000-8000-000000000002',
    );
    expect(error.details).toMatchObject({ errors: [{ field: 'eventbriteEventId' }] });
  });
});

describe('event times', () => {
  it('parses startsAt and endsAt with an offset; a null endsAt is no end', () => {
    expect(parseDateTimes({ startsAt: '2030-05-10T12:00:00+02:00', endsAt: null })).toEqual({
      startsAt: new Date('2030-05-10T10:00:00Z'),
    });
    expect(failure(() => parseDateTimes({ startsAt: '2030-05-10 12:00', endsAt: 'soon' })).details).toEqual({
      errors: [expect.objectContaining({ field: 'startsAt' }), expect.objectContaining({ field: 'endsAt' })],
    });
  });

  it('wants endsAt after startsAt, naming endsAt', () => {
    const start = new Date('2030-05-10T12:00:00Z');
    const fields = { start: 'startsAt', end: 'endsAt' };
    expect(() => checkTimeOrder(start, new Date('2030-05-10T13:00:00Z'), fields)).not.toThrow();
    expect(failure(() => checkTimeOrder(start, start, fields)).details).toEqual({
      errors: [{ field: 'endsAt', message: 'must be after startsAt' }],
    });
  });
});
