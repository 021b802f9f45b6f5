import { Injectable } from '@nestjs/common';
import { LeadsGateway } from '../gateways/leads.gateway';
import type { ActionHandler, StepInput, StepResult } from './action-handler';
import { entryChange, failOnRefusal } from './entry-change';
import { describeTag } from './tag-step';

/**
 * `add_tag {tagId}` (Gordon "Tag Applied" as an action): leads applies the tag once per step; a tag the lead
 * already has changes nothing and emits nothing. The table.entry.tag.applied it causes is one level deeper.
 */
@Injectable()
export class AddTagAction implements ActionHandler {
  readonly type = 'add_tag' as const;

  constructor(private readonly leads: LeadsGateway) {}

  async execute(input: StepInput): Promise<StepResult> {
    const tagId = input.step.params.tagId as string;
    const entry = await failOnRefusal(this.leads.tagApply({ ...entryChange(input), tagId }));
    return { output: { entryId: entry.id, tagId, tags: entry.tags } };
  }

  async describe(input: StepInput): Promise<unknown> {
    return { addTag: await describeTag(this.leads, input) };
  }
}
