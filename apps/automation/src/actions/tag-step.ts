import type { LeadsGateway } from '../gateways/leads.gateway';
import { StepFailure, requireEntry, type StepInput } from './action-handler';

/** The tag a tag step names, and whether the lead has it now (sandbox and dry-run). */
export async function describeTag(
  leads: LeadsGateway,
  input: StepInput,
): Promise<{ tagId: string; name: string; entryHasIt: boolean }> {
  requireEntry(input);
  const tagId = input.step.params.tagId as string;
  const tag = await leads.tag(input.run.organizationId, tagId, input.actor.traceparent);
  if (!tag) throw new StepFailure(`tag ${tagId} not found`);
  const entryHasIt = (input.context.entry?.tags ?? []).some((t) => t.id === tagId);
  return { tagId, name: tag.name, entryHasIt };
}
