import { Injectable } from '@nestjs/common';
import { LeadsGateway } from '../gateways/leads.gateway';
import { requireEntry, type ActionHandler, type StepInput, type StepResult } from './action-handler';

/** `change_lead_state {stateId}`: moves the lead to another state of its pool, once per step. */
@Injectable()
export class ChangeLeadStateAction implements ActionHandler {
  readonly type = 'change_lead_state' as const;

  constructor(private readonly leads: LeadsGateway) {}

  async execute(input: StepInput): Promise<StepResult> {
    const entryId = requireEntry(input);
    const stateId = input.step.params.stateId as string;
    const entry = await this.leads.updateEntry({
      actor: input.actor,
      id: entryId,
      leadStateId: stateId,
      idempotencyKey: input.idempotencyKey,
      causationId: input.run.id,
      depth: input.run.depth + 1,
    });
    return { output: { entryId, leadStateId: entry.leadStateId } };
  }

  describe(input: StepInput): Promise<unknown> {
    requireEntry(input);
    const from = input.context.entry?.leadStateId ?? null;
    return Promise.resolve({ leadStateId: { from, to: input.step.params.stateId as string } });
  }
}
