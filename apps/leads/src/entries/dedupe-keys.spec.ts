import { describe, expect, it } from '@jest/globals';
import { dedupeKeysOf, duplicateOf, normaliseKey, type KeyOwner } from './dedupe-keys';

describe('normaliseKey', () => {
  it('compares emails trimmed and case-insensitively, by key name or by an @ in the value', () => {
    expect(normaliseKey('email', '  John.Doe@Example.COM ', null)).toBe('john.doe@example.com');
    expect(normaliseKey('E-Mail', 'A@B.de', null)).toBe('a@b.de');
    expect(normaliseKey('contact', ' X@Y.org', null)).toBe('x@y.org');
  });

  it('compares phone keys as E.164, reading national numbers in the region', () => {
    expect(normaliseKey('phone', '+49 30 1234567', 'DE')).toBe('+49301234567');
    expect(normaliseKey('phone', '030 1234567', 'DE')).toBe('+49301234567');
    expect(normaliseKey('mobilePhone', '0049 (30) 123-4567', 'DE')).toBe('+49301234567');
    expect(normaliseKey('tel', 14155552671, 'US')).toBe('+14155552671');
    expect(normaliseKey('phone', '+1 415 555 2671', null)).toBe('+14155552671');
  });

  it('does not use a phone key whose value is no valid number, or a national number without a region', () => {
    expect(normaliseKey('phone', '12', 'DE')).toBeNull();
    expect(normaliseKey('phone', 'call me', 'DE')).toBeNull();
    expect(normaliseKey('phone', '030 1234567', null)).toBeNull();
    expect(normaliseKey('phone', '   ', 'DE')).toBeNull();
    expect(normaliseKey('phone', true, 'DE')).toBeNull();
  });

  it('reads a number-like value of another key as a phone number, and other text trimmed and case-folded', () => {
    expect(normaliseKey('contact', '030 1234567', 'DE')).toBe('+49301234567');
    expect(normaliseKey('name', '  Jöhn DOE ', 'DE')).toBe('jöhn doe');
    expect(normaliseKey('name', 'Jo\u0308hn', null)).toBe('jöhn');
  });

  it('uses neither empty strings nor non-string values of other keys', () => {
    expect(normaliseKey('name', '', null)).toBeNull();
    expect(normaliseKey('customerId', 42, null)).toBeNull();
    expect(normaliseKey('name', ['a'], null)).toBeNull();
    expect(normaliseKey('name', null, null)).toBeNull();
    expect(normaliseKey('name', undefined, null)).toBeNull();
  });

  it('compares long values by their digest, so every value fits the index', () => {
    const long = normaliseKey('note', 'x'.repeat(5_000), null);
    expect(long).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(normaliseKey('note', ` ${'X'.repeat(5_000)} `, null)).toBe(long);
    expect(normaliseKey('note', 'y'.repeat(5_000), null)).not.toBe(long);
  });
});

describe('dedupeKeysOf', () => {
  it('returns the usable keys in the configured order, from own properties only', () => {
    const data = { phone: '030 1234567', email: ' A@B.de ', name: 'x' };
    expect(dedupeKeysOf({ keys: ['phone', 'email', 'missing'], phoneRegion: 'DE' }, data)).toEqual([
      { key: 'phone', value: '+49301234567' },
      { key: 'email', value: 'a@b.de' },
    ]);
    expect(dedupeKeysOf({ keys: ['toString'], phoneRegion: null }, { name: 'x' })).toEqual([]);
  });
});

describe('duplicateOf', () => {
  const keys = [
    { key: 'email', value: 'a@b.de' },
    { key: 'phone', value: '+49301234567' },
  ];

  it('is null when the entry holds every key itself or nobody does', () => {
    expect(
      duplicateOf('me', keys, () => ({ entryId: 'me', createdAt: '2026-01-01T00:00:00.000Z' })),
    ).toBeNull();
    expect(duplicateOf('me', keys, () => undefined)).toBeNull();
    expect(duplicateOf('me', [], () => undefined)).toBeNull();
  });

  it('points at the earliest owner by (createdAt, id) and names every matched key in pool order', () => {
    const owners: Record<string, KeyOwner> = {
      email: { entryId: 'later', createdAt: '2026-01-02T00:00:00.000Z' },
      phone: { entryId: 'earlier', createdAt: '2026-01-01T00:00:00.000Z' },
    };
    expect(duplicateOf('me', keys, (k) => owners[k.key])).toEqual({
      duplicateOfId: 'earlier',
      matchedOn: ['email', 'phone'],
    });
    const tie: Record<string, KeyOwner> = {
      email: { entryId: 'b', createdAt: '2026-01-01T00:00:00.000Z' },
      phone: { entryId: 'a', createdAt: '2026-01-01T00:00:00.000Z' },
    };
    expect(duplicateOf('me', keys, (k) => tie[k.key])?.duplicateOfId).toBe('a');
  });

  it('matches only the keys another entry holds', () => {
    const owners: Record<string, KeyOwner> = {
      email: { entryId: 'me', createdAt: '2026-01-02T00:00:00.000Z' },
      phone: { entryId: 'other', createdAt: '2026-01-01T00:00:00.000Z' },
    };
    expect(duplicateOf('me', keys, (k) => owners[k.key])).toEqual({
      duplicateOfId: 'other',
      matchedOn: ['phone'],
    });
  });
});
