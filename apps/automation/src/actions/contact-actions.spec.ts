import { describe, expect, it } from '@jest/globals';
import {
  DomainError,
  validateEvent,
  uuidv7,
  type EntriesAssignCommand,
  type EntriesTagApplyCommand,
  type Member,
  type TableEntry,
  type Tag,
} from '@rocketlead/contracts';
import type { LeadsGateway } from '../gateways/leads.gateway';
import { StepFailure, type StepInput } from './action-handler';
import { AddTagAction } from './add-tag.action';
import { AssignUserAction } from './assign-user.action';
import { NotifyUserAction } from './notify-user.action';
import { RemoveTagAction } from './remove-tag.action';
import { TemplateRenderer } from './templates';

// A step of a run on one lead (snapshot as the trigger saw it), and leads answering from memory.

const org = uuidv7();

function entryOf(changes: Partial<TableEntry> = {}): TableEntry {
  const now = new Date().toISOString();
  return {
    id: uuidv7(),
    tableId: uuidv7(),
    organizationId: org,
    data: { name: 'Ada' },
    customFieldData: {},
    leadStateId: uuidv7(),
    assignedMemberId: null,
    duplicateOfId: null,
    tags: [],
    createdAt: now,
    updatedAt: now,
    ...changes,
  };
}

function memberOf(name: string, active = true): Member {
  return {
    id: uuidv7(),
    name,
    email: `${name.toLowerCase()}@example.test`,
    active,
    groupIds: [],
    createdAt: new Date().toISOString(),
  };
}

function stepInput(
  type: string,
  params: Record<string, unknown>,
  snapshotEntry: TableEntry,
  steps: StepInput['context']['steps'] = [],
): StepInput {
  const runId = uuidv7();
  return {
    run: { id: runId, organizationId: org, automationId: uuidv7(), entryId: snapshotEntry.id, depth: 2 },
    step: { index: steps.length, actionId: 'a_1', type, params },
    context: {
      event: { type: 'table.entry.added', data: {} },
      entry: snapshotEntry,
      booking: null,
      steps,
      automation: { id: 'a', name: 'A', version: 1 },
    },
    idempotencyKey: `${runId}:${steps.length}`,
    actor: {
      organizationId: org,
      channel: 'automation',
      apiTokenId: null,
      memberId: null,
      correlationId: uuidv7(),
      traceparent: null,
    },
  } as unknown as StepInput;
}

/** What the fake leads holds and was asked to change. */
interface FakeLeadsState {
  entry: TableEntry;
  members: Member[];
  tags: Tag[];
  assigns: EntriesAssignCommand[];
  tagChanges: EntriesTagApplyCommand[];
  /** Set: the next change is refused with it. */
  refuse: DomainError | null;
}

/** Leads from memory for `org`: the entry as it is now, members and tags; change requests are recorded. */
function fakeLeads(state: FakeLeadsState): LeadsGateway {
  const ours = <T extends { id: string }>(list: T[], organizationId: string, id: string): T | null =>
    organizationId === org ? (list.find((item) => item.id === id) ?? null) : null;
  const change = (apply: () => TableEntry): Promise<TableEntry> => {
    const refusal = state.refuse;
    state.refuse = null;
    return refusal ? Promise.reject(refusal) : Promise.resolve(apply());
  };
  const gateway: Partial<LeadsGateway> = {
    entry: (organizationId, id) => Promise.resolve(ours([state.entry], organizationId, id)),
    member: (organizationId, id) => Promise.resolve(ours(state.members, organizationId, id)),
    tag: (organizationId, id) => Promise.resolve(ours(state.tags, organizationId, id)),
    assign: (request) =>
      change(() => {
        state.assigns.push(request);
        state.entry = { ...state.entry, assignedMemberId: request.memberId ?? state.members[0]!.id };
        return state.entry;
      }),
    tagApply: (request) =>
      change(() => {
        state.tagChanges.push(request);
        const tag = state.tags.find((t) => t.id === request.tagId)!;
        state.entry = { ...state.entry, tags: [...state.entry.tags, { id: tag.id, name: tag.name }] };
        return state.entry;
      }),
    tagRemove: (request) =>
      change(() => {
        state.tagChanges.push(request);
        state.entry = { ...state.entry, tags: state.entry.tags.filter((t) => t.id !== request.tagId) };
        return state.entry;
      }),
  };
  return gateway as LeadsGateway;
}

const newState = (entry: TableEntry, members: Member[] = [], tags: Tag[] = []): FakeLeadsState => ({
  entry,
  members,
  tags,
  assigns: [],
  tagChanges: [],
  refuse: null,
});

const rejection = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );

describe('assign_user', () => {
  it('asks leads to assign once per step, one level deeper, and outputs the assigned member', async () => {
    const ada = memberOf('Ada');
    const state = newState(entryOf(), [ada]);
    const input = stepInput('assign_user', { memberId: ada.id }, state.entry);
    const result = await new AssignUserAction(fakeLeads(state)).execute(input);
    expect(result.output).toEqual({ entryId: state.entry.id, memberId: ada.id });
    expect(state.assigns).toEqual([
      {
        actor: input.actor,
        id: state.entry.id,
        memberId: ada.id,
        idempotencyKey: input.idempotencyKey,
        causationId: input.run.id,
        depth: 3,
      },
    ]);
  });

  it('passes a group with round robin as the default strategy', async () => {
    const state = newState(entryOf(), [memberOf('Ada')]);
    const groupId = uuidv7();
    await new AssignUserAction(fakeLeads(state)).execute(stepInput('assign_user', { groupId }, state.entry));
    await new AssignUserAction(fakeLeads(state)).execute(
      stepInput('assign_user', { groupId, strategy: 'random' }, state.entry),
    );
    expect(state.assigns.map((a) => [a.groupId, a.strategy, a.memberId])).toEqual([
      [groupId, 'round_robin', undefined],
      [groupId, 'random', undefined],
    ]);
  });

  it("fails the step for good with leads' details when leads refuses the member", async () => {
    const state = newState(entryOf());
    state.refuse = new DomainError('VALIDATION_FAILED', 'Validation failed', {
      errors: [{ field: 'memberId', message: 'must be an active member' }],
    });
    const error = await rejection(
      new AssignUserAction(fakeLeads(state)).execute(
        stepInput('assign_user', { memberId: uuidv7() }, state.entry),
      ),
    );
    expect(error).toBeInstanceOf(StepFailure);
    expect(error).toMatchObject({
      message: 'Validation failed: memberId must be an active member',
      details: {
        code: 'VALIDATION_FAILED',
        errors: [{ field: 'memberId', message: 'must be an active member' }],
      },
    });
  });

  it('describes whom it would assign, changing nothing', async () => {
    const from = uuidv7();
    const state = newState(entryOf({ assignedMemberId: from }));
    const groupId = uuidv7();
    const action = new AssignUserAction(fakeLeads(state));
    await expect(action.describe(stepInput('assign_user', { groupId }, state.entry))).resolves.toEqual({
      assign: { from, groupId, strategy: 'round_robin' },
    });
    expect(state.assigns).toEqual([]);
  });
});

describe('notify_user', () => {
  const templates = new TemplateRenderer();
  const params = { subject: 'New lead: {{ entry.data.name }}', text: 'Call {{ entry.data.name }} today' };

  it("emails the lead's assignee as it is now, not as the trigger's snapshot had it", async () => {
    const ada = memberOf('Ada');
    const snapshot = entryOf();
    // An assign_user of the same run assigned Ada after the trigger.
    const state = newState({ ...snapshot, assignedMemberId: ada.id }, [ada]);
    const input = stepInput('notify_user', params, snapshot);
    const result = await new NotifyUserAction(fakeLeads(state), templates).execute(input);
    expect(result.skip).toBeUndefined();
    expect(result.output).toEqual({ requested: true, kind: 'email', memberId: ada.id });
    expect(result.events).toHaveLength(1);
    const request = result.events![0]!;
    expect(validateEvent(request).ok).toBe(true);
    expect(request.data).toMatchObject({
      kind: 'email',
      idempotencyKey: input.idempotencyKey,
      email: { to: 'ada@example.test', subject: 'New lead: Ada', text: 'Call Ada today', html: null },
    });
  });

  it('emails the given member rather than the assignee', async () => {
    const ada = memberOf('Ada');
    const bob = memberOf('Bob');
    const state = newState(entryOf({ assignedMemberId: ada.id }), [ada, bob]);
    const result = await new NotifyUserAction(fakeLeads(state), templates).execute(
      stepInput('notify_user', { ...params, memberId: bob.id }, state.entry),
    );
    expect(result.events![0]!.data).toMatchObject({ email: { to: 'bob@example.test' } });
  });

  it('is skipped with a reason when the lead has no assignee', async () => {
    const state = newState(entryOf());
    const result = await new NotifyUserAction(fakeLeads(state), templates).execute(
      stepInput('notify_user', params, state.entry),
    );
    expect(result).toEqual({ output: null, skip: 'the lead has no assigned member' });
  });

  it('fails for a member that is deactivated or unknown', async () => {
    const gone = memberOf('Gone', false);
    const state = newState(entryOf({ assignedMemberId: gone.id }), [gone]);
    const action = new NotifyUserAction(fakeLeads(state), templates);
    const deactivated = await rejection(action.execute(stepInput('notify_user', params, state.entry)));
    expect(deactivated).toBeInstanceOf(StepFailure);
    expect((deactivated as Error).message).toBe(`member ${gone.id} is deactivated`);
    const unknown = uuidv7();
    const missing = await rejection(
      action.execute(stepInput('notify_user', { ...params, memberId: unknown }, state.entry)),
    );
    expect((missing as Error).message).toBe(`member ${unknown} not found`);
  });

  it('describes the email, or the skip, or the member an earlier assign_user picks', async () => {
    const ada = memberOf('Ada');
    const assigned = newState(entryOf({ assignedMemberId: ada.id }), [ada]);
    await expect(
      new NotifyUserAction(fakeLeads(assigned), templates).describe(
        stepInput('notify_user', params, assigned.entry),
      ),
    ).resolves.toEqual({
      kind: 'email',
      memberId: ada.id,
      email: { to: 'ada@example.test', subject: 'New lead: Ada', text: 'Call Ada today', html: null },
    });
    const nobody = newState(entryOf());
    const action = new NotifyUserAction(fakeLeads(nobody), templates);
    await expect(action.describe(stepInput('notify_user', params, nobody.entry))).resolves.toMatchObject({
      skip: 'the lead has no assigned member',
    });
    const assignStep = { index: 0, type: 'assign_user', status: 'wouldRun' as const, output: undefined };
    await expect(
      action.describe(stepInput('notify_user', params, nobody.entry, [assignStep])),
    ).resolves.toMatchObject({ recipient: 'the member assigned by the assign_user step' });
  });
});

describe('add_tag and remove_tag', () => {
  it('ask leads to apply and remove the tag once per step, one level deeper', async () => {
    const vip: Tag = { id: uuidv7(), name: 'VIP', color: null };
    const state = newState(entryOf(), [], [vip]);
    const add = stepInput('add_tag', { tagId: vip.id }, state.entry);
    const added = await new AddTagAction(fakeLeads(state)).execute(add);
    expect(added.output).toEqual({
      entryId: state.entry.id,
      tagId: vip.id,
      tags: [{ id: vip.id, name: 'VIP' }],
    });
    const remove = stepInput('remove_tag', { tagId: vip.id }, state.entry);
    const removed = await new RemoveTagAction(fakeLeads(state)).execute(remove);
    expect(removed.output).toEqual({ entryId: state.entry.id, tagId: vip.id, tags: [] });
    expect(state.tagChanges).toEqual([
      {
        actor: add.actor,
        id: state.entry.id,
        tagId: vip.id,
        idempotencyKey: add.idempotencyKey,
        causationId: add.run.id,
        depth: 3,
      },
      {
        actor: remove.actor,
        id: state.entry.id,
        tagId: vip.id,
        idempotencyKey: remove.idempotencyKey,
        causationId: remove.run.id,
        depth: 3,
      },
    ]);
  });

  it('describe the tag by name and whether the lead has it, changing nothing', async () => {
    const vip: Tag = { id: uuidv7(), name: 'VIP', color: null };
    const state = newState(entryOf({ tags: [{ id: vip.id, name: 'VIP' }] }), [], [vip]);
    await expect(
      new AddTagAction(fakeLeads(state)).describe(stepInput('add_tag', { tagId: vip.id }, state.entry)),
    ).resolves.toEqual({ addTag: { tagId: vip.id, name: 'VIP', entryHasIt: true } });
    await expect(
      new RemoveTagAction(fakeLeads(state)).describe(stepInput('remove_tag', { tagId: vip.id }, state.entry)),
    ).resolves.toEqual({ removeTag: { tagId: vip.id, name: 'VIP', entryHasIt: true } });
    const unknown = uuidv7();
    await expect(
      new AddTagAction(fakeLeads(state)).describe(stepInput('add_tag', { tagId: unknown }, state.entry)),
    ).rejects.toThrow(`tag ${unknown} not found`);
    expect(state.tagChanges).toEqual([]);
  });
});
