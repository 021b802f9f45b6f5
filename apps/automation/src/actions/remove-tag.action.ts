import { Injectable } from '@nestjs/common';
import { LeadsGateway } from '../gateways/leads.gateway';
import type { ActionHandler, StepInput, StepResult } from './action-handler';
import { entryChange, failOnRefusal } from './entry-change';
import { describeTag } from './tag-step';

/** `remove_tag {tagId}`: leads removes the tag once per step; removing one the lead lacks changes nothing. */
@Injectable()
export class RemoveTagAction implements ActionHandler {
  readonly type = 'remove_tag' as const;

  constructor(private readonly leads: LeadsGateway) {}

  async execute(input: StepInput): Promise<StepResult> {
    const tagId = input.step.params.tagId as string;
    const entry = await failOnRefusal(this.leads.tagRemove({ ...entryChange(input), tagId }));
    return { output: { entryId: entry.id, tagId, tags: entry.tags } };
  }

  async describe(input: StepInput): Promise<unknown> {
    return { removeTag: await describeTag(this.leads, input) };
  }
}
