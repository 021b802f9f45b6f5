import { describe, expect, it } from '@jest/globals';
import type { AutomationAction } from '@rocketlead/contracts';
import { executionOrder } from './action-order';

const action = (id: string, type: string): AutomationAction => ({ id, type, params: {} });

describe('executionOrder', () => {
  it('moves the runsFirst actions (assign_user) ahead of the others, keeping both groups in listed order', () => {
    const listed = [
      action('notify', 'notify_user'),
      action('tag', 'add_tag'),
      action('assign-a', 'assign_user'),
      action('state', 'change_lead_state'),
      action('assign-b', 'assign_user'),
    ];
    expect(executionOrder(listed).map((a) => a.id)).toEqual([
      'assign-a',
      'assign-b',
      'notify',
      'tag',
      'state',
    ]);
  });

  it('leaves a list without runsFirst actions, and unknown types, where they are', () => {
    const listed = [action('x', 'teleport'), action('w', 'wait'), action('t', 'add_tag')];
    expect(executionOrder(listed)).toEqual(listed);
  });

  it('does not reorder what a branch holds: only the top-level list', () => {
    const branch: AutomationAction = {
      id: 'b',
      type: 'branch',
      params: { match: true, then: [action('n', 'notify_user'), action('a', 'assign_user')] },
    };
    const ordered = executionOrder([branch, action('a2', 'assign_user')]);
    expect(ordered.map((a) => a.id)).toEqual(['a2', 'b']);
    expect(ordered[1]).toBe(branch);
  });

  it('does not change the list it is given', () => {
    const listed = [action('n', 'notify_user'), action('a', 'assign_user')];
    executionOrder(listed);
    expect(listed.map((a) => a.id)).toEqual(['n', 'a']);
  });
});
