import { describe, expect, it } from '@jest/globals';
import type { FormField } from '@rocketlead/contracts';
import { checkValues, isHoneypotFilled } from './form-values';

const field = (key: string, type: FormField['type'], extra: Partial<FormField> = {}): FormField => ({
  key,
  label: key,
  type,
  required: false,
  options: null,
  durationMinutes: null,
  ...extra,
});

describe('checkValues', () => {
  it('turns form texts into typed values and drops keys that are not fields', () => {
    const result = checkValues(
      [
        field('size', 'number'),
        field('agree', 'boolean'),
        field('born', 'date'),
        field('plan', 'select', { options: ['a', 'b'] }),
        field('email', 'email'),
        field('phone', 'phone'),
      ],
      {
        size: ' 12 ',
        agree: 'on',
        born: '2000-02-29',
        plan: 'b',
        email: ' x@y.test ',
        phone: '+1 (555) 010-9999',
        extra: 1,
      },
    );
    expect(result).toEqual({
      ok: true,
      values: {
        data: {
          size: 12,
          agree: true,
          born: '2000-02-29',
          plan: 'b',
          email: 'x@y.test',
          phone: '+1 (555) 010-9999',
        },
        bookingStart: null,
      },
    });
  });

  it('names every bad or missing value by its key', () => {
    const result = checkValues(
      [
        field('name', 'string', { required: true }),
        field('size', 'number'),
        field('born', 'date'),
        field('plan', 'select', { options: ['a'] }),
        field('slot', 'booking', { durationMinutes: 30 }),
        field('agree', 'boolean'),
      ],
      { name: '  ', size: 'ten', born: '2001-02-29', plan: 'z', slot: '2026-03-01T10:00:00', agree: 'maybe' },
    );
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors.map((e) => e.field)).toEqual(['name', 'size', 'born', 'plan', 'slot', 'agree']);
  });

  it('keeps a booking start apart from the data, and leaves empty optional fields out', () => {
    const result = checkValues([field('slot', 'booking', { durationMinutes: 30 }), field('note', 'string')], {
      slot: '2026-03-01T10:00:00+01:00',
      note: '',
    });
    expect(result).toEqual({ ok: true, values: { data: {}, bookingStart: '2026-03-01T10:00:00+01:00' } });
  });

  it('refuses values of the wrong kind (an object for a text)', () => {
    const result = checkValues([field('name', 'string')], { name: { nested: true } });
    expect(result.ok).toBe(false);
  });
});

describe('isHoneypotFilled', () => {
  it('is true only for a non-empty honeypot', () => {
    expect(isHoneypotFilled({ _hp: 'x' })).toBe(true);
    expect(isHoneypotFilled({ _hp: '' })).toBe(false);
    expect(isHoneypotFilled({})).toBe(false);
  });
});
