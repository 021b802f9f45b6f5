import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { COMMANDS, uuidv7, type Actor, type TableEntry } from '@rocketlead/contracts';
import {
  commandSender,
  failure,
  type CollectedEvent,
  type CommandSender,
  type EventCollector,
} from '@rocketlead/testing';
import { startLeads, type LeadsUnderTest } from './support';

const STATE_CHANGED = 'table.entry.leadState.changed';
const MILESTONE = 'table.entry.milestone.reached';
const UPDATED = 'table.entry.updated';
const ASSIGNED = 'table.entry.assigned';

describe('entry updates, milestones and assignment (real Postgres and NATS)', () => {
  let leads: LeadsUnderTest;
  let send: CommandSender;
  let events: EventCollector;
  const org = uuidv7();
  const actor: Actor = {
    organizationId: org,
    channel: 'connect_api',
    apiTokenId: uuidv7(),
    memberId: null,
    correlationId: 'int',
    traceparent: null,
  };

  async function poolWithDefault(): Promise<{ tableId: string; defaultId: string }> {
    const pool = await send(COMMANDS.poolsCreate, { organizationId: org, name: 'Pool' });
    const state = await send(COMMANDS.leadStatesCreate, {
      organizationId: org,
      tableId: pool.id,
      name: 'New',
      isDefault: true,
    });
    return { tableId: pool.id, defaultId: state.id };
  }

  const entryIn = (tableId: string, data: Record<string, string | number> = { name: 'Ann' }) =>
    send(COMMANDS.entriesCreate, { actor, tableId, data, schemaMode: 'infer' });

  const ofEntry = (entryId: string, type?: string): CollectedEvent[] =>
    events.events.filter((e) => e.body.subject === entryId && (!type || e.body.type === type));

  /**
   * Waits for a marker event sent after the changes under test: their events, committed before it, are
   * published before it, so what is collected by then is all there is.
   */
  async function settle(entryId: string): Promise<void> {
    const marker = `marker-${uuidv7()}`;
    await send(COMMANDS.entriesUpdate, { actor, id: entryId, data: { marker }, schemaMode: 'infer' });
    await events.waitFor(
      (e) =>
        e.body.subject === entryId &&
        e.body.type === UPDATED &&
        (e.body.data.changes as Record<string, { to: unknown }>).marker?.to === marker,
    );
  }

  beforeAll(async () => {
    leads = await startLeads('leads-changes');
    send = commandSender(leads.nc, leads.names);
    events = await leads.collect('LEADS');
  }, 120_000);

  afterAll(() => leads?.stop(), 120_000);

  it('emits table.entry.updated with the changed values only; a PATCH that changes nothing emits nothing', async () => {
    const { tableId } = await poolWithDefault();
    const field = await send(COMMANDS.customFieldsCreate, {
      organizationId: org,
      name: 'Score',
      type: 'number',
    });
    const entry = await send(COMMANDS.entriesCreate, {
      actor,
      tableId,
      data: { name: 'Ann', city: 'Berlin' },
      customFieldData: { [field.id]: 1 },
      schemaMode: 'infer',
    });
    const updated = await send(COMMANDS.entriesUpdate, {
      actor,
      id: entry.id,
      data: { name: 'Anne', city: 'Berlin' },
      customFieldData: { [field.id]: 2 },
    });
    expect(updated.data).toMatchObject({ name: 'Anne', city: 'Berlin' });
    const [event] = await events.waitFor((e) => e.body.subject === entry.id && e.body.type === UPDATED);
    expect(event!.body.data).toEqual({
      entryId: entry.id,
      tableId,
      changes: {
        name: { from: 'Ann', to: 'Anne' },
        [`customFieldData.${field.id}`]: { from: 1, to: 2 },
      },
    });
    expect(event!.body).toMatchObject({ channel: 'connect_api' });

    // The same values again: nothing is written, nothing is emitted.
    const same = await send(COMMANDS.entriesUpdate, {
      actor,
      id: entry.id,
      data: { name: 'Anne' },
      customFieldData: { [field.id]: 2 },
    });
    expect(same).toEqual(updated);
    const custom = await send(COMMANDS.customFieldsCreate, {
      organizationId: org,
      name: 'Note',
      type: 'string',
    });
    // A custom field set for the first time reports null as its value before.
    await send(COMMANDS.entriesUpdate, { actor, id: entry.id, customFieldData: { [custom.id]: 'hi' } });
    await settle(entry.id);
    const updates = ofEntry(entry.id, UPDATED).map((e) => e.body.data.changes);
    expect(updates).toHaveLength(3);
    expect(updates[1]).toEqual({ [`customFieldData.${custom.id}`]: { from: null, to: 'hi' } });
  });

  it('emits table.entry.updated for automation steps, with their run and depth', async () => {
    const { tableId } = await poolWithDefault();
    const entry = await entryIn(tableId);
    const runId = uuidv7();
    await send(COMMANDS.entriesUpdate, {
      actor: { ...actor, channel: 'automation' },
      id: entry.id,
      data: { score: 7 },
      schemaMode: 'infer',
      idempotencyKey: `${runId}:0`,
      causationId: runId,
      depth: 1,
    });
    const [event] = await events.waitFor((e) => e.body.subject === entry.id && e.body.type === UPDATED);
    expect(event!.body).toMatchObject({ channel: 'automation', causationid: runId, depth: 1 });
    expect(event!.body.data.changes).toEqual({ score: { from: null, to: 7 } });
  });

  it('emits a milestone once per entry, across leaving and re-entering, and across states sharing it', async () => {
    const { tableId, defaultId } = await poolWithDefault();
    const state = (name: string, milestone?: 'validated' | 'qualified') =>
      send(COMMANDS.leadStatesCreate, {
        organizationId: org,
        tableId,
        name,
        ...(milestone ? { milestone } : {}),
      });
    const valid = await state('Valid', 'validated');
    const alsoValid = await state('Checked', 'validated');
    const qualified = await state('Qualified', 'qualified');
    const entry = await entryIn(tableId);
    const moveTo = (leadStateId: string) =>
      send(COMMANDS.entriesUpdate, { actor, id: entry.id, leadStateId });
    await moveTo(valid.id);
    await moveTo(defaultId);
    await moveTo(valid.id);
    await moveTo(alsoValid.id);
    await moveTo(qualified.id);
    await moveTo(valid.id);
    await settle(entry.id);
    const reached = ofEntry(entry.id, MILESTONE).map((e) => e.body.data);
    expect(reached).toEqual([
      { entryId: entry.id, tableId, milestone: 'validated', leadStateId: valid.id },
      { entryId: entry.id, tableId, milestone: 'qualified', leadStateId: qualified.id },
    ]);
    expect(ofEntry(entry.id, STATE_CHANGED)).toHaveLength(7);
    // Each milestone directly follows the state change that reached it.
    const stream = ofEntry(entry.id).filter((e) => e.body.type !== UPDATED);
    for (const milestone of ofEntry(entry.id, MILESTONE)) {
      const before = stream[stream.indexOf(milestone) - 1]!;
      expect(before.body.type).toBe(STATE_CHANGED);
      expect(before.body.data.to).toBe(milestone.body.data.leadStateId);
      expect(milestone.seq).toBe(before.seq + 1);
    }
  });

  it('emits the milestone of the state an entry is created in, requested or the default', async () => {
    const { tableId } = await poolWithDefault();
    const contacted = await send(COMMANDS.leadStatesCreate, {
      organizationId: org,
      tableId,
      name: 'Contacted',
      milestone: 'contacted',
    });
    const requested = await send(COMMANDS.entriesCreate, {
      actor,
      tableId,
      data: { name: 'Bo' },
      leadStateId: contacted.id,
      schemaMode: 'infer',
    });
    const own = await events.waitFor((e) => e.body.subject === requested.id, 10_000, 3);
    expect(own.map((e) => e.body.type)).toEqual(['table.entry.added', STATE_CHANGED, MILESTONE]);
    expect(own[2]!.body.data).toEqual({
      entryId: requested.id,
      tableId,
      milestone: 'contacted',
      leadStateId: contacted.id,
    });
    // A milestone set on the default state is seen by the next entry (the cached pool is dropped).
    await send(COMMANDS.leadStatesUpdate, {
      organizationId: org,
      tableId,
      id: contacted.id,
      isDefault: true,
    });
    const byDefault = await entryIn(tableId);
    const [reached] = await events.waitFor(
      (e) => e.body.subject === byDefault.id && e.body.type === MILESTONE,
    );
    expect(reached!.body.data).toMatchObject({ milestone: 'contacted', leadStateId: contacted.id });
    // Moving back into it later reaches nothing again.
    const other = await send(COMMANDS.leadStatesCreate, { organizationId: org, tableId, name: 'Other' });
    await send(COMMANDS.entriesUpdate, { actor, id: byDefault.id, leadStateId: other.id });
    await send(COMMANDS.entriesUpdate, { actor, id: byDefault.id, leadStateId: contacted.id });
    await settle(byDefault.id);
    expect(ofEntry(byDefault.id, MILESTONE)).toHaveLength(1);
    // A milestone given to the current default state is seen by the next entry too.
    const plain = await entryIn(tableId, { name: 'warm the cache' });
    await send(COMMANDS.leadStatesUpdate, {
      organizationId: org,
      tableId,
      id: contacted.id,
      milestone: 'qualified',
    });
    const afterChange = await entryIn(tableId);
    const [qualified] = await events.waitFor(
      (e) => e.body.subject === afterChange.id && e.body.type === MILESTONE,
    );
    expect(qualified!.body.data).toMatchObject({ milestone: 'qualified', leadStateId: contacted.id });
    expect(plain.leadStateId).toBe(contacted.id);
  });

  it('assigns and unassigns with PATCH assignedMemberId, refusing unknown and inactive members', async () => {
    const { tableId } = await poolWithDefault();
    const member = await send(COMMANDS.membersCreate, {
      organizationId: org,
      name: 'Max',
      email: `${uuidv7()}@x.de`,
    });
    const gone = await send(COMMANDS.membersCreate, {
      organizationId: org,
      name: 'Gone',
      email: `${uuidv7()}@x.de`,
    });
    await send(COMMANDS.membersDeactivate, { organizationId: org, id: gone.id });
    const stranger = await send(COMMANDS.membersCreate, {
      organizationId: uuidv7(),
      name: 'Stranger',
      email: `${uuidv7()}@x.de`,
    });
    const entry = await entryIn(tableId);
    expect(entry.assignedMemberId).toBeNull();

    for (const id of [uuidv7(), gone.id, stranger.id]) {
      const refused = await failure(
        send(COMMANDS.entriesUpdate, { actor, id: entry.id, assignedMemberId: id }),
      );
      expect(refused.code).toBe('VALIDATION_FAILED');
      expect(refused.details).toEqual({
        errors: [{ field: 'assignedMemberId', message: 'is not an active member of this organization' }],
      });
    }
    const assigned = await send(COMMANDS.entriesUpdate, { actor, id: entry.id, assignedMemberId: member.id });
    expect(assigned.assignedMemberId).toBe(member.id);
    expect((await send(COMMANDS.entriesGet, { organizationId: org, id: entry.id })).assignedMemberId).toBe(
      member.id,
    );
    const again = await send(COMMANDS.entriesUpdate, { actor, id: entry.id, assignedMemberId: member.id });
    expect(again).toEqual(assigned);
    const unassigned = await send(COMMANDS.entriesUpdate, { actor, id: entry.id, assignedMemberId: null });
    expect(unassigned.assignedMemberId).toBeNull();
    await settle(entry.id);
    expect(ofEntry(entry.id, ASSIGNED).map((e) => e.body.data)).toEqual([
      { entryId: entry.id, tableId, from: null, to: member.id },
      { entryId: entry.id, tableId, from: member.id, to: null },
    ]);

    const empty = await failure(send(COMMANDS.entriesUpdate, { actor, id: entry.id }));
    expect(empty.details).toEqual({
      errors: [
        {
          field: '(body)',
          message: 'must contain at least one of leadStateId, assignedMemberId, data, customFieldData',
        },
      ],
    });
  });

  it('orders the events of one PATCH: leadState.changed, milestone.reached, updated, assigned', async () => {
    const { tableId, defaultId } = await poolWithDefault();
    const won = await send(COMMANDS.leadStatesCreate, {
      organizationId: org,
      tableId,
      name: 'Won',
      milestone: 'converted',
    });
    const member = await send(COMMANDS.membersCreate, {
      organizationId: org,
      name: 'Eva',
      email: `${uuidv7()}@x.de`,
    });
    const entry = await entryIn(tableId);
    const updated: TableEntry = await send(COMMANDS.entriesUpdate, {
      actor,
      id: entry.id,
      leadStateId: won.id,
      assignedMemberId: member.id,
      data: { name: 'Ann B.' },
    });
    expect(updated).toMatchObject({
      leadStateId: won.id,
      assignedMemberId: member.id,
      data: { name: 'Ann B.' },
    });
    const own = await events.waitFor((e) => e.body.subject === entry.id, 10_000, 6);
    const patch = own.slice(2);
    expect(patch.map((e) => e.body.type)).toEqual([STATE_CHANGED, MILESTONE, UPDATED, ASSIGNED]);
    expect(patch.map((e) => e.seq - patch[0]!.seq)).toEqual([0, 1, 2, 3]);
    expect(patch[0]!.body.data).toEqual({ entryId: entry.id, tableId, from: defaultId, to: won.id });
    expect(patch[2]!.body.data.changes).toEqual({ name: { from: 'Ann', to: 'Ann B.' } });
  });

  it('lists only the entries carrying a tag, and 404 for a tag the organization does not have', async () => {
    const { tableId } = await poolWithDefault();
    const tag = await send(COMMANDS.tagsCreate, { organizationId: org, name: `vip-${uuidv7()}` });
    const tagged = [await entryIn(tableId), await entryIn(tableId)];
    await entryIn(tableId);
    for (const entry of tagged) await send(COMMANDS.entriesTagApply, { actor, id: entry.id, tagId: tag.id });
    const first = await send(COMMANDS.entriesList, { organizationId: org, tagId: tag.id, limit: 1 });
    expect(first.items.map((e) => e.id)).toEqual([tagged[1]!.id]);
    expect(first.items[0]!.tags).toEqual([{ id: tag.id, name: tag.name }]);
    const second = await send(COMMANDS.entriesList, {
      organizationId: org,
      tableId,
      tagId: tag.id,
      limit: 1,
      cursor: first.nextCursor!,
    });
    expect(second).toEqual({ items: [expect.objectContaining({ id: tagged[0]!.id })], nextCursor: null });
    for (const query of [
      { organizationId: org, tagId: uuidv7() },
      { organizationId: uuidv7(), tagId: tag.id },
    ]) {
      const missing = await failure(send(COMMANDS.entriesList, { ...query, limit: 10 }));
      expect(missing.code).toBe('NOT_FOUND');
      expect(missing.message).toBe('Tag not found');
    }
  });
});
