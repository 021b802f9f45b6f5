import { describe, expect, it } from '@jest/globals';
import type { FieldError } from '@rocketlead/contracts';
import { checkActionIds, newActionId, withActionIds } from './action-ids';

describe('action ids', () => {
  it('are a_ and 10 base36 characters', () => {
    const ids = Array.from({ length: 200 }, newActionId);
    for (const id of ids) expect(id).toMatch(/^a_[0-9a-z]{10}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps given ids, gives the others one, nested lists included, and stores empty params', () => {
    const actions = withActionIds([
      { id: 'mine', type: 'stop_workflow' },
      {
        type: 'branch',
        params: {
          conditions: { source: 'ads' },
          then: [{ type: 'stop_workflow', params: {} }],
          else: [{ id: 'other', type: 'stop_workflow' }],
        },
      },
    ]);
    const branch = actions[1]!;
    const {
      then,
      else: otherwise,
      conditions,
    } = branch.params as {
      then: { id: string }[];
      else: { id: string }[];
      conditions: unknown;
    };
    expect(actions[0]).toEqual({ id: 'mine', type: 'stop_workflow', params: {} });
    expect(branch.id).toMatch(/^a_/);
    expect(then[0]!.id).toMatch(/^a_/);
    expect(otherwise[0]).toEqual({ id: 'other', type: 'stop_workflow', params: {} });
    expect(conditions).toEqual({ source: 'ads' });
    expect(branch.id).not.toBe(then[0]!.id);
  });

  it('names the later use of an id used twice, at any depth', () => {
    const errors: FieldError[] = [];
    checkActionIds(
      [
        { id: 'x', type: 'stop_workflow' },
        {
          id: 'y',
          type: 'branch',
          params: { then: [{ id: 'x', type: 'stop_workflow' }], else: [{ id: 'y' }] },
        },
      ],
      errors,
    );
    expect(errors.map((e) => e.field)).toEqual([
      'actions[1].params.then[0].id',
      'actions[1].params.else[0].id',
    ]);
    const none: FieldError[] = [];
    checkActionIds('not a list', none);
    checkActionIds([{ type: 'stop_workflow' }, { type: 'stop_workflow' }], none);
    expect(none).toEqual([]);
  });
});
