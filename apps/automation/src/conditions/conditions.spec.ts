import { describe, expect, it } from '@jest/globals';
import { conditionValue, evaluateCriteria, failedCondition, parsePath, valueAtPath } from './conditions';

const context = {
  event: { type: 'table.entry.added', channel: 'connect_api', data: { tableId: 't1' } },
  entry: {
    id: 'e1',
    leadStateId: 's1',
    data: { source: 'ads', country: 'DE', tags: ['a', 'b'], leadStateId: 'shadowed' },
    customFieldData: { cf1: 42 },
  },
  booking: { title: 'Intro call' },
  steps: [
    { index: 0, output: null },
    { index: 1, output: { approved: true, list: [{ n: 1 }, { n: 2 }] } },
  ],
};

describe('paths into the run context', () => {
  it('parses dotted keys with array indexes', () => {
    expect(parsePath('steps[1].output.approved')).toEqual(['steps', 1, 'output', 'approved']);
    expect(parsePath('a.b[0][2].c')).toEqual(['a', 'b', 0, 2, 'c']);
    expect(parsePath('a..b')).toBeNull();
    expect(parsePath('a[x]')).toBeNull();
    expect(parsePath('a[1')).toBeNull();
  });

  it('reads own properties and array elements; anything missing is undefined', () => {
    expect(valueAtPath(context, 'steps[1].output.approved')).toBe(true);
    expect(valueAtPath(context, 'steps[1].output.list[1].n')).toBe(2);
    expect(valueAtPath(context, 'steps[5].output')).toBeUndefined();
    expect(valueAtPath(context, 'booking.title')).toBe('Intro call');
    expect(valueAtPath(context, 'entry.customFieldData.cf1')).toBe(42);
    expect(valueAtPath(context, 'entry.data.toString')).toBeUndefined();
    expect(valueAtPath(context, 'entry.data.tags.length')).toBeUndefined();
  });

  it('takes a bare key from entry.data first, then from the entry itself', () => {
    expect(conditionValue(context, 'source')).toBe('ads');
    expect(conditionValue(context, 'leadStateId')).toBe('shadowed');
    expect(conditionValue({ entry: { id: 'e1', leadStateId: 's1', data: {} } }, 'leadStateId')).toBe('s1');
    expect(conditionValue(context, 'missing')).toBeUndefined();
    expect(conditionValue({ entry: null }, 'source')).toBeUndefined();
    expect(conditionValue(context, 'event.channel')).toBe('connect_api');
  });
});

describe('conditions map', () => {
  it('needs every key to hold; an array means one of; otherwise deep equality', () => {
    expect(failedCondition({ source: 'ads', country: ['DE', 'AT'] }, context)).toBeNull();
    expect(failedCondition({ source: 'ads', country: ['FR', 'AT'] }, context)).toBe('country');
    expect(failedCondition({ 'entry.data.tags': [['a', 'b']] }, context)).toBeNull();
    expect(failedCondition({ 'steps[1].output.approved': true }, context)).toBeNull();
    expect(failedCondition({ 'steps[1].output.approved': 'true' }, context)).toBe('steps[1].output.approved');
    expect(failedCondition({ 'entry.customFieldData.cf1': 42 }, context)).toBeNull();
    expect(failedCondition({ unknown: null }, context)).toBe('unknown');
    expect(failedCondition(undefined, context)).toBeNull();
  });

  it('evaluates conditions then match, and says which failed', () => {
    expect(evaluateCriteria({ conditions: { source: 'ads' } }, context)).toEqual({ matched: true });
    expect(evaluateCriteria({ conditions: { source: 'seo' } }, context)).toEqual({
      matched: false,
      reason: 'conditions not met: source',
    });
    const match = { '==': [{ var: 'booking.title' }, 'Intro call'] };
    expect(evaluateCriteria({ conditions: { source: 'ads' }, match }, context)).toEqual({ matched: true });
    expect(evaluateCriteria({ match: { '==': [{ var: 'event.channel' }, 'form'] } }, context)).toEqual({
      matched: false,
      reason: 'match is false',
    });
  });
});
