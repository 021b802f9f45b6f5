import { describe, expect, it } from '@jest/globals';
import { defaultDedupeKey, formFieldsOf, formShapeErrors } from './form-definition';

const base = {
  dedupeKey: null,
  bookingCalendarId: null,
  redirectUrl: null,
  webhookUrl: null,
};

describe('formShapeErrors', () => {
  it('accepts a consistent form with a booking field and its calendar', () => {
    expect(
      formShapeErrors({
        ...base,
        bookingCalendarId: '0190a0a0-0000-7000-8000-000000000000',
        redirectUrl: 'https://example.test/thanks',
        fields: [
          { key: 'email', label: 'Email', type: 'email' },
          { key: 'plan', label: 'Plan', type: 'select', options: ['a'] },
          { key: 'slot', label: 'Slot', type: 'booking', durationMinutes: 30 },
        ],
      }),
    ).toEqual([]);
  });

  it('names a second booking field, a dedupe key on a booking, and a non-http redirect', () => {
    const errors = formShapeErrors({
      ...base,
      dedupeKey: 'slot',
      bookingCalendarId: '0190a0a0-0000-7000-8000-000000000000',
      redirectUrl: 'javascript:alert(1)',
      fields: [
        { key: 'slot', label: 'Slot', type: 'booking', durationMinutes: 30 },
        { key: 'other', label: 'Other', type: 'booking', durationMinutes: 30 },
      ],
    });
    expect(errors.map((e) => e.field)).toEqual(['fields[1].type', 'dedupeKey', 'redirectUrl']);
  });
});

describe('formFieldsOf', () => {
  it('gives a booking field without a duration 30 minutes, and other fields none', () => {
    const [slot, name] = formFieldsOf([
      { key: 'slot', label: 'Slot', type: 'booking' },
      { key: 'name', label: 'Name', type: 'string', durationMinutes: 15 },
    ]);
    expect(slot).toMatchObject({ durationMinutes: 30, required: false, options: null });
    expect(name).toMatchObject({ durationMinutes: null });
  });
});

describe('defaultDedupeKey', () => {
  it('prefers an email key, then the first email field, then the first phone field', () => {
    expect(
      defaultDedupeKey([
        { key: 'phone', type: 'phone' },
        { key: 'email', type: 'string' },
      ]),
    ).toBe('email');
    expect(
      defaultDedupeKey([
        { key: 'mobile', type: 'phone' },
        { key: 'work', type: 'email' },
      ]),
    ).toBe('work');
    expect(
      defaultDedupeKey([
        { key: 'name', type: 'string' },
        { key: 'mobile', type: 'phone' },
      ]),
    ).toBe('mobile');
    expect(defaultDedupeKey([{ key: 'name', type: 'string' }])).toBe('email');
  });
});
