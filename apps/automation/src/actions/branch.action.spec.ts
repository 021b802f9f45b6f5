import { describe, expect, it } from '@jest/globals';
import type { StepInput } from './action-handler';
import { BranchAction, branchActions } from './branch.action';

const input = (params: Record<string, unknown>, steps: StepInput['context']['steps'] = []): StepInput =>
  ({
    run: { id: 'r' },
    step: { index: 1, actionId: 'b1', type: 'branch', params },
    context: {
      event: { channel: 'form' },
      entry: { data: { source: 'ads' } },
      booking: null,
      steps,
      automation: { id: 'a', name: 'A', version: 1 },
    },
  }) as unknown as StepInput;

describe('branch', () => {
  const then = [{ id: 'x', type: 'change_lead_state', params: { stateId: 's' } }];
  const otherwise = [{ type: 'send_sms', params: { body: 'hi' } }];

  it('chooses then when the conditions hold and inserts its actions', async () => {
    const result = await new BranchAction().execute(
      input({ conditions: { source: 'ads' }, then, else: otherwise }),
    );
    expect(result.output).toEqual({ matched: true, path: 'then' });
    expect(result.insert).toEqual(then);
  });

  it('chooses else otherwise, giving actions without an id one derived from the branch', async () => {
    const result = await new BranchAction().execute(
      input({ match: { '==': [{ var: 'event.channel' }, 'connect_api'] }, then, else: otherwise }),
    );
    expect(result.output).toEqual({ matched: false, path: 'else' });
    expect(result.insert).toEqual([{ id: 'b1.else[0]', type: 'send_sms', params: { body: 'hi' } }]);
  });

  it('sees the outputs of earlier steps', async () => {
    const steps = [
      { index: 0, type: 'update_fields', status: 'completed' as const, output: { approved: true } },
    ];
    const result = await new BranchAction().execute(
      input({ conditions: { 'steps[0].output.approved': true }, then: [] }, steps),
    );
    expect(result.output).toEqual({ matched: true, path: 'then' });
    expect(result.insert).toEqual([]);
    expect(branchActions({}, 'else', 'b')).toEqual([]);
  });
});
