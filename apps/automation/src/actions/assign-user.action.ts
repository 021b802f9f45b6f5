import { Injectable } from '@nestjs/common';
import type { AssignStrategy } from '@rocketlead/contracts';
import { LeadsGateway } from '../gateways/leads.gateway';
import { requireEntry, type ActionHandler, type StepInput, type StepResult } from './action-handler';
import { entryChange, failOnRefusal } from './entry-change';

/**
 * `assign_user {memberId} | {groupId, strategy?}` (Lead Actions "Assign to User"): leads assigns the lead, to
 * the member or to an active member of the group it picks (round robin by default), once per step. The engine
 * runs it before the run's other actions (runsFirst), so they see the new assignee.
 */
@Injectable()
export class AssignUserAction implements ActionHandler {
  readonly type = 'assign_user' as const;

  constructor(private readonly leads: LeadsGateway) {}

  async execute(input: StepInput): Promise<StepResult> {
    const entry = await failOnRefusal(this.leads.assign({ ...entryChange(input), ...target(input) }));
    return { output: { entryId: entry.id, memberId: entry.assignedMemberId } };
  }

  describe(input: StepInput): Promise<unknown> {
    requireEntry(input);
    const from = input.context.entry?.assignedMemberId ?? null;
    const to = target(input);
    return Promise.resolve({
      assign: to.groupId
        ? { from, groupId: to.groupId, strategy: to.strategy }
        : { from, memberId: to.memberId },
    });
  }
}

function target(input: StepInput): { memberId?: string; groupId?: string; strategy?: AssignStrategy } {
  const { memberId, groupId, strategy } = input.step.params;
  if (typeof groupId === 'string')
    return { groupId, strategy: (strategy as AssignStrategy | undefined) ?? 'round_robin' };
  return { memberId: memberId as string };
}
