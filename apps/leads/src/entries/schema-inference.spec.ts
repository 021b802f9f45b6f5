import { describe, expect, it } from '@jest/globals';
import { checkCustomFieldData, checkData, inferType, schemaConflicts } from './schema-inference';

describe('inferType', () => {
  it('maps each documented source value to its type', () => {
    expect(inferType('x')).toBe('string');
    expect(inferType(25)).toBe('number');
    expect(inferType(true)).toBe('boolean');
    expect(inferType(['a', 'b'])).toBe('string[]');
    expect(inferType([])).toBe('string[]');
    expect(inferType(null)).toBeNull();
  });

  it('rejects values that cannot be stored', () => {
    expect(inferType({ a: 1 })).toBeUndefined();
    expect(inferType([1, 2])).toBeUndefined();
    expect(inferType(Number.NaN)).toBeUndefined();
  });
});

describe('checkData', () => {
  it('locks the type of new keys and skips nulls', () => {
    const check = checkData({}, { email: 'x@x', age: 25, optedIn: true, tags: ['a'], note: null });
    expect(check.newKeys).toEqual({ email: 'string', age: 'number', optedIn: 'boolean', tags: 'string[]' });
    expect(check.unknownKeys).toEqual(['email', 'age', 'optedIn', 'tags', 'note']);
    expect(check.typeErrors).toEqual([]);
  });

  it('reports a mismatch against a locked key with expected and received types', () => {
    const check = checkData({ email: 'string' }, { email: 123 });
    expect(check.typeErrors).toEqual([{ key: 'email', expected: 'string', received: 'number' }]);
    expect(check.newKeys).toEqual({});
  });

  it('accepts null for a locked key', () => {
    expect(checkData({ email: 'string' }, { email: null }).typeErrors).toEqual([]);
  });

  it('names invalid values by field', () => {
    const check = checkData({}, { nested: { a: 1 } });
    expect(check.invalid).toEqual([{ field: 'data.nested', message: expect.stringContaining('got object') }]);
  });
});

describe('schemaConflicts', () => {
  it('allows added keys and flags retyped ones', () => {
    expect(schemaConflicts({ a: 'string' }, { a: 'string', b: 'number' })).toEqual([]);
    expect(schemaConflicts({ a: 'string' }, { a: 'number' })).toEqual([
      { key: 'a', expected: 'string', received: 'number' },
    ]);
  });
});

describe('checkCustomFieldData', () => {
  it('rejects unknown ids and wrong types', () => {
    const fields = new Map([['f1', 'number' as const]]);
    expect(checkCustomFieldData(fields, { f1: 3 })).toEqual([]);
    expect(checkCustomFieldData(fields, { f1: 'x', f2: 1 }).map((e) => e.field)).toEqual([
      'customFieldData.f1',
      'customFieldData.f2',
    ]);
  });
});
