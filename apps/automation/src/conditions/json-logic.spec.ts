import { describe, expect, it } from '@jest/globals';
import { checkJsonLogic, matchesJsonLogic } from './json-logic';

describe('JSON Logic', () => {
  it('accepts known operations and evaluates them over the context', () => {
    const rule = {
      and: [{ '==': [{ var: 'entry.data.source' }, 'ads'] }, { '>': [{ var: 'event.depth' }, 0] }],
    };
    expect(checkJsonLogic(rule, 'trigger.match')).toEqual([]);
    expect(matchesJsonLogic(rule, { entry: { data: { source: 'ads' } }, event: { depth: 1 } })).toBe(true);
    expect(matchesJsonLogic(rule, { entry: { data: { source: 'seo' } }, event: { depth: 1 } })).toBe(false);
  });

  it('refuses unknown operations, log, malformed nodes and non-expressions, naming the field', () => {
    expect(checkJsonLogic({ frobnicate: [1] }, 'trigger.match')).toEqual([
      { field: 'trigger.match', message: 'invalid JSON Logic: unknown operation "frobnicate"' },
    ]);
    expect(checkJsonLogic({ and: [{ log: 'x' }] }, 'actions[0].params.match')[0]?.field).toBe(
      'actions[0].params.match',
    );
    expect(checkJsonLogic({ '==': [1, 1], '!=': [1, 2] }, 'm')).toHaveLength(1);
    expect(checkJsonLogic('text', 'm')).toHaveLength(1);
  });
});
