import { describe, expect, it } from '@jest/globals';
import { changesOf } from './entry-changes';

describe('changesOf', () => {
  const current = {
    data: { email: 'a@b.de', tags: ['x', 'y'], note: null },
    customFieldData: { cf1: 3 },
  };

  it('reports each changed value with before and after, custom fields under customFieldData.<id>', () => {
    expect(
      changesOf(current, {
        data: { email: 'c@d.de', city: 'Berlin' },
        customFieldData: { cf1: 4, cf2: true },
      }),
    ).toEqual({
      email: { from: 'a@b.de', to: 'c@d.de' },
      city: { from: null, to: 'Berlin' },
      'customFieldData.cf1': { from: 3, to: 4 },
      'customFieldData.cf2': { from: null, to: true },
    });
  });

  it('reports nothing for values patched to what they were, lists compared by content', () => {
    expect(
      changesOf(current, {
        data: { email: 'a@b.de', tags: ['x', 'y'], note: null, absent: null },
        customFieldData: { cf1: 3 },
      }),
    ).toEqual({});
    expect(changesOf(current, {})).toEqual({});
    expect(changesOf(current, { data: { tags: ['y', 'x'] } })).toEqual({
      tags: { from: ['x', 'y'], to: ['y', 'x'] },
    });
  });

  it('treats keys named like inherited properties as plain keys', () => {
    expect(changesOf(current, { data: { constructor: 'v', __proto__x: 1 } })).toEqual({
      constructor: { from: null, to: 'v' },
      __proto__x: { from: null, to: 1 },
    });
  });
});
