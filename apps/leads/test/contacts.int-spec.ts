import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  COMMANDS,
  CONTACT_LIMITS,
  DomainError,
  uuidv7,
  type Actor,
  type TableEntry,
} from '@rocketlead/contracts';
import { commandSender, failure, type CommandSender, type EventCollector } from '@rocketlead/testing';
import { startLeads, type LeadsUnderTest } from './support';

const fields = (error: DomainError): string[] =>
  ((error.details?.errors ?? []) as { field: string }[]).map((e) => e.field);

describe('leads contacts: members, groups, tags, tagging and assignment (real Postgres and NATS)', () => {
  let leads: LeadsUnderTest;
  let send: CommandSender;
  let events: EventCollector;

  /** Each test its own organization, so lists and uniqueness start empty. */
  function organization(): { org: string; actor: Actor } {
    const org = uuidv7();
    return {
      org,
      actor: {
        organizationId: org,
        channel: 'connect_api',
        apiTokenId: uuidv7(),
        memberId: null,
        correlationId: 'contacts',
        traceparent: null,
      },
    };
  }

  async function entries(actor: Actor, count: number): Promise<TableEntry[]> {
    const org = actor.organizationId;
    const pool = await send(COMMANDS.poolsCreate, { organizationId: org, name: 'Pool' });
    await send(COMMANDS.leadStatesCreate, {
      organizationId: org,
      tableId: pool.id,
      name: 'New',
      isDefault: true,
    });
    return Promise.all(
      Array.from({ length: count }, (_, i) =>
        send(COMMANDS.entriesCreate, { actor, tableId: pool.id, data: { i }, schemaMode: 'infer' }),
      ),
    );
  }

  const ofEntry = (type: string, entryId: string) =>
    events.events.filter((e) => e.body.type === type && e.body.subject === entryId);

  beforeAll(async () => {
    leads = await startLeads('contacts');
    send = commandSender(leads.nc, leads.names);
    events = await leads.collect('LEADS');
  }, 120_000);

  afterAll(() => leads?.stop(), 120_000);

  it('creates, reads, updates and deactivates members; emails are unique per organization in any case', async () => {
    const { org } = organization();
    const ada = await send(COMMANDS.membersCreate, {
      organizationId: org,
      name: 'Ada',
      email: 'Ada@Example.com',
    });
    expect(ada).toMatchObject({ name: 'Ada', email: 'Ada@Example.com', active: true, groupIds: [] });
    expect(await send(COMMANDS.membersGet, { organizationId: org, id: ada.id })).toEqual(ada);

    const twin = await failure(
      send(COMMANDS.membersCreate, { organizationId: org, name: 'Twin', email: 'ada@example.COM' }),
    );
    expect(twin.code).toBe('CONFLICT');
    expect(fields(twin)).toEqual(['email']);
    // Another organization may use the same email.
    await send(COMMANDS.membersCreate, { organizationId: uuidv7(), name: 'Ada', email: 'ada@example.com' });

    const bob = await send(COMMANDS.membersCreate, {
      organizationId: org,
      name: 'Bob',
      email: 'bob@example.com',
    });
    const renamed = await send(COMMANDS.membersUpdate, { organizationId: org, id: bob.id, name: 'Robert' });
    expect(renamed).toMatchObject({ name: 'Robert', email: 'bob@example.com', active: true });
    const taken = await failure(
      send(COMMANDS.membersUpdate, { organizationId: org, id: bob.id, email: 'ADA@example.com' }),
    );
    expect(taken.code).toBe('CONFLICT');
    expect(fields(taken)).toEqual(['email']);

    const off = await send(COMMANDS.membersDeactivate, { organizationId: org, id: bob.id });
    expect(off).toMatchObject({ id: bob.id, active: false });
    expect(await send(COMMANDS.membersDeactivate, { organizationId: org, id: bob.id })).toEqual(off);
    const back = await send(COMMANDS.membersUpdate, { organizationId: org, id: bob.id, active: true });
    expect(back.active).toBe(true);

    const missing = await failure(send(COMMANDS.membersGet, { organizationId: uuidv7(), id: ada.id }));
    expect(missing.code).toBe('NOT_FOUND');
  });

  it('pages members newest first, filtered by group and by active', async () => {
    const { org } = organization();
    const created = [];
    for (let i = 0; i < 5; i++)
      created.push(
        await send(COMMANDS.membersCreate, {
          organizationId: org,
          name: `M${i}`,
          email: `m${i}@example.com`,
        }),
      );
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await send(COMMANDS.membersList, {
        organizationId: org,
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((m) => m.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(created.map((m) => m.id).reverse());

    await send(COMMANDS.membersDeactivate, { organizationId: org, id: created[1]!.id });
    const group = await send(COMMANDS.memberGroupsCreate, {
      organizationId: org,
      name: 'Sales',
      memberIds: [created[0]!.id, created[1]!.id],
    });
    const inGroup = await send(COMMANDS.membersList, { organizationId: org, limit: 10, groupId: group.id });
    expect(inGroup.items.map((m) => m.id)).toEqual([created[1]!.id, created[0]!.id]);
    expect(inGroup.items[0]!.groupIds).toEqual([group.id]);
    const activeInGroup = await send(COMMANDS.membersList, {
      organizationId: org,
      limit: 10,
      groupId: group.id,
      active: true,
    });
    expect(activeInGroup.items.map((m) => m.id)).toEqual([created[0]!.id]);
    const inactive = await send(COMMANDS.membersList, { organizationId: org, limit: 10, active: false });
    expect(inactive.items.map((m) => m.id)).toEqual([created[1]!.id]);

    const badCursor = await failure(
      send(COMMANDS.membersList, { organizationId: org, limit: 2, cursor: 'nope' }),
    );
    expect(fields(badCursor)).toEqual(['cursor']);
  });

  it('creates, pages, updates and deletes member groups of the organization’s members only', async () => {
    const { org } = organization();
    const [a, b, c] = await Promise.all(
      ['a', 'b', 'c'].map((n) =>
        send(COMMANDS.membersCreate, { organizationId: org, name: n, email: `${n}@x.io` }),
      ),
    );
    const group = await send(COMMANDS.memberGroupsCreate, {
      organizationId: org,
      name: 'Team',
      memberIds: [a!.id, b!.id, a!.id],
    });
    expect(group.name).toBe('Team');
    expect([...group.memberIds].sort()).toEqual([a!.id, b!.id].sort());
    expect(await send(COMMANDS.memberGroupsGet, { organizationId: org, id: group.id })).toEqual(group);

    const stranger = await send(COMMANDS.membersCreate, {
      organizationId: uuidv7(),
      name: 'Other',
      email: 'o@x.io',
    });
    const foreign = await failure(
      send(COMMANDS.memberGroupsCreate, {
        organizationId: org,
        name: 'Bad',
        memberIds: [a!.id, stranger.id],
      }),
    );
    expect(foreign.code).toBe('VALIDATION_FAILED');
    expect(fields(foreign)).toEqual(['memberIds']);
    const refusedUpdate = await failure(
      send(COMMANDS.memberGroupsUpdate, { organizationId: org, id: group.id, memberIds: [uuidv7()] }),
    );
    expect(fields(refusedUpdate)).toEqual(['memberIds']);

    const updated = await send(COMMANDS.memberGroupsUpdate, {
      organizationId: org,
      id: group.id,
      name: 'Renamed',
      memberIds: [c!.id],
    });
    expect(updated).toMatchObject({ id: group.id, name: 'Renamed', memberIds: [c!.id] });
    expect((await send(COMMANDS.membersGet, { organizationId: org, id: c!.id })).groupIds).toEqual([
      group.id,
    ]);
    expect((await send(COMMANDS.membersGet, { organizationId: org, id: a!.id })).groupIds).toEqual([]);

    const second = await send(COMMANDS.memberGroupsCreate, {
      organizationId: org,
      name: 'Second',
      memberIds: [],
    });
    const first = await send(COMMANDS.memberGroupsList, { organizationId: org, limit: 1 });
    expect(first.items.map((g) => g.id)).toEqual([second.id]);
    const rest = await send(COMMANDS.memberGroupsList, {
      organizationId: org,
      limit: 1,
      cursor: first.nextCursor!,
    });
    expect(rest.items.map((g) => g.id)).toEqual([group.id]);
    expect(rest.nextCursor).toBeNull();

    expect(await send(COMMANDS.memberGroupsDelete, { organizationId: org, id: group.id })).toEqual(updated);
    expect((await failure(send(COMMANDS.memberGroupsGet, { organizationId: org, id: group.id }))).code).toBe(
      'NOT_FOUND',
    );
    // Its members stay, without the group.
    expect((await send(COMMANDS.membersGet, { organizationId: org, id: c!.id })).groupIds).toEqual([]);
  });

  it('keeps tag names unique case-insensitively, pages, updates and deletes tags', async () => {
    const { org } = organization();
    const hot = await send(COMMANDS.tagsCreate, { organizationId: org, name: 'Hot', color: '#ff0000' });
    expect(hot).toEqual({ id: hot.id, name: 'Hot', color: '#ff0000' });
    const dup = await failure(send(COMMANDS.tagsCreate, { organizationId: org, name: 'HOT' }));
    expect(dup.code).toBe('CONFLICT');
    expect(fields(dup)).toEqual(['name']);

    const cold = await send(COMMANDS.tagsCreate, { organizationId: org, name: 'Cold' });
    expect(cold.color).toBeNull();
    const rename = await failure(
      send(COMMANDS.tagsUpdate, { organizationId: org, id: cold.id, name: 'hot' }),
    );
    expect(rename.code).toBe('CONFLICT');
    expect(fields(rename)).toEqual(['name']);
    // A change of case of its own name is no clash.
    const recased = await send(COMMANDS.tagsUpdate, {
      organizationId: org,
      id: cold.id,
      name: 'COLD',
      color: '#0000ff',
    });
    expect(recased).toEqual({ id: cold.id, name: 'COLD', color: '#0000ff' });
    const uncolored = await send(COMMANDS.tagsUpdate, { organizationId: org, id: cold.id, color: null });
    expect(uncolored).toEqual({ id: cold.id, name: 'COLD', color: null });
    expect(await send(COMMANDS.tagsGet, { organizationId: org, id: cold.id })).toEqual(uncolored);

    const first = await send(COMMANDS.tagsList, { organizationId: org, limit: 1 });
    expect(first.items).toEqual([uncolored]);
    const rest = await send(COMMANDS.tagsList, { organizationId: org, limit: 1, cursor: first.nextCursor! });
    expect(rest.items).toEqual([hot]);
    expect(rest.nextCursor).toBeNull();

    expect(await send(COMMANDS.tagsDelete, { organizationId: org, id: hot.id })).toEqual(hot);
    expect((await failure(send(COMMANDS.tagsGet, { organizationId: org, id: hot.id }))).code).toBe(
      'NOT_FOUND',
    );
    // The name is free again.
    await send(COMMANDS.tagsCreate, { organizationId: org, name: 'hot' });
  });

  it('applies and removes a tag with one event each, and nothing on a no-op', async () => {
    const { org, actor } = organization();
    const [entry] = await entries(actor, 1);
    const vip = await send(COMMANDS.tagsCreate, { organizationId: org, name: 'VIP' });
    const alpha = await send(COMMANDS.tagsCreate, { organizationId: org, name: 'alpha' });

    const tagged = await send(COMMANDS.entriesTagApply, { actor, id: entry!.id, tagId: vip.id });
    expect(tagged.tags).toEqual([{ id: vip.id, name: 'VIP' }]);
    expect(Date.parse(tagged.updatedAt)).toBeGreaterThanOrEqual(Date.parse(entry!.updatedAt));
    expect(await send(COMMANDS.entriesTagApply, { actor, id: entry!.id, tagId: vip.id })).toEqual(tagged);
    const both = await send(COMMANDS.entriesTagApply, { actor, id: entry!.id, tagId: alpha.id });
    // By name, case-insensitively.
    expect(both.tags).toEqual([
      { id: alpha.id, name: 'alpha' },
      { id: vip.id, name: 'VIP' },
    ]);
    expect(await send(COMMANDS.entriesGet, { organizationId: org, id: entry!.id })).toEqual(both);

    const removed = await send(COMMANDS.entriesTagRemove, { actor, id: entry!.id, tagId: vip.id });
    expect(removed.tags).toEqual([{ id: alpha.id, name: 'alpha' }]);
    expect(await send(COMMANDS.entriesTagRemove, { actor, id: entry!.id, tagId: vip.id })).toEqual(removed);
    // A marker after the no-ops: the relay publishes in order, so any event of a no-op is in by then.
    await send(COMMANDS.entriesTagRemove, { actor, id: entry!.id, tagId: alpha.id });
    await events.waitFor(
      (e) =>
        e.body.type === 'table.entry.tag.removed' &&
        e.body.subject === entry!.id &&
        e.body.data.tagId === alpha.id,
    );

    expect(ofEntry('table.entry.tag.applied', entry!.id).map((e) => e.body.data)).toEqual([
      { entryId: entry!.id, tableId: entry!.tableId, tagId: vip.id, tagName: 'VIP' },
      { entryId: entry!.id, tableId: entry!.tableId, tagId: alpha.id, tagName: 'alpha' },
    ]);
    expect(ofEntry('table.entry.tag.removed', entry!.id).map((e) => e.body.data)).toEqual([
      { entryId: entry!.id, tableId: entry!.tableId, tagId: vip.id, tagName: 'VIP' },
      { entryId: entry!.id, tableId: entry!.tableId, tagId: alpha.id, tagName: 'alpha' },
    ]);
    expect(ofEntry('table.entry.tag.applied', entry!.id)[0]!.body).toMatchObject({
      source: '/leads',
      apitokenid: actor.apiTokenId,
    });

    const unknownTag = await failure(
      send(COMMANDS.entriesTagApply, { actor, id: entry!.id, tagId: uuidv7() }),
    );
    expect(unknownTag.code).toBe('VALIDATION_FAILED');
    expect(fields(unknownTag)).toEqual(['tagId']);
    const foreignTag = await send(COMMANDS.tagsCreate, { organizationId: uuidv7(), name: 'VIP' });
    expect(
      fields(await failure(send(COMMANDS.entriesTagApply, { actor, id: entry!.id, tagId: foreignTag.id }))),
    ).toEqual(['tagId']);
    const noEntry = await failure(send(COMMANDS.entriesTagApply, { actor, id: uuidv7(), tagId: vip.id }));
    expect(noEntry.code).toBe('NOT_FOUND');
  });

  it('applies a tag once per idempotency key and carries causation and depth', async () => {
    const { org, actor } = organization();
    const [entry] = await entries(actor, 1);
    const tag = await send(COMMANDS.tagsCreate, { organizationId: org, name: 'Auto' });
    const runId = uuidv7();
    const step = {
      actor: { ...actor, channel: 'automation' as const },
      id: entry!.id,
      tagId: tag.id,
      idempotencyKey: `${runId}:0`,
      causationId: runId,
      depth: 3,
    };
    expect((await send(COMMANDS.entriesTagApply, step)).tags).toEqual([{ id: tag.id, name: 'Auto' }]);
    await send(COMMANDS.entriesTagRemove, { actor, id: entry!.id, tagId: tag.id });
    // The retried step does not apply the tag again.
    expect((await send(COMMANDS.entriesTagApply, step)).tags).toEqual([]);
    const [applied] = await events.waitFor(
      (e) => e.body.type === 'table.entry.tag.applied' && e.body.subject === entry!.id,
    );
    expect(applied!.body).toMatchObject({ channel: 'automation', causationid: runId, depth: 3 });
    await events.waitFor((e) => e.body.type === 'table.entry.tag.removed' && e.body.subject === entry!.id);
    expect(ofEntry('table.entry.tag.applied', entry!.id)).toHaveLength(1);
  });

  it('emits once when the same tag is applied concurrently', async () => {
    const { org, actor } = organization();
    const [entry] = await entries(actor, 1);
    const tag = await send(COMMANDS.tagsCreate, { organizationId: org, name: 'Race' });
    const marker = await send(COMMANDS.tagsCreate, { organizationId: org, name: 'Marker' });
    const applied = await Promise.all(
      Array.from({ length: 8 }, () =>
        send(COMMANDS.entriesTagApply, { actor, id: entry!.id, tagId: tag.id }),
      ),
    );
    // Every answer shows the tag, also those that waited for the one that applied it.
    expect(applied.every((e) => e.tags.some((t) => t.id === tag.id))).toBe(true);
    await send(COMMANDS.entriesTagApply, { actor, id: entry!.id, tagId: marker.id });
    await events.waitFor((e) => e.body.type === 'table.entry.tag.applied' && e.body.data.tagId === marker.id);
    expect(
      ofEntry('table.entry.tag.applied', entry!.id).filter((e) => e.body.data.tagId === tag.id),
    ).toHaveLength(1);
  });

  it('bounds the tags of one entry, also under concurrent applies', async () => {
    const { org, actor } = organization();
    const [entry] = await entries(actor, 1);
    const limit = CONTACT_LIMITS.tagsPerEntry;
    const tags = await Promise.all(
      Array.from({ length: limit + 1 }, (_, i) =>
        send(COMMANDS.tagsCreate, { organizationId: org, name: `t${i}` }),
      ),
    );
    const results = await Promise.allSettled(
      tags.map((tag) => send(COMMANDS.entriesTagApply, { actor, id: entry!.id, tagId: tag.id })),
    );
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect(fields((refused[0] as PromiseRejectedResult).reason as DomainError)).toEqual(['tagId']);
    expect((await send(COMMANDS.entriesGet, { organizationId: org, id: entry!.id })).tags).toHaveLength(
      limit,
    );
  });

  it('deletes a tag from every entry and emits nothing for it', async () => {
    const { org, actor } = organization();
    const [a, b] = await entries(actor, 2);
    const doomed = await send(COMMANDS.tagsCreate, { organizationId: org, name: 'Doomed' });
    const marker = await send(COMMANDS.tagsCreate, { organizationId: org, name: 'Marker' });
    await send(COMMANDS.entriesTagApply, { actor, id: a!.id, tagId: doomed.id });
    await send(COMMANDS.entriesTagApply, { actor, id: b!.id, tagId: doomed.id });
    await send(COMMANDS.tagsDelete, { organizationId: org, id: doomed.id });
    expect((await send(COMMANDS.entriesGet, { organizationId: org, id: a!.id })).tags).toEqual([]);
    expect((await send(COMMANDS.entriesGet, { organizationId: org, id: b!.id })).tags).toEqual([]);
    await send(COMMANDS.entriesTagApply, { actor, id: a!.id, tagId: marker.id });
    await events.waitFor((e) => e.body.type === 'table.entry.tag.applied' && e.body.data.tagId === marker.id);
    expect(
      events.events.filter(
        (e) => e.body.type === 'table.entry.tag.removed' && e.body.data.tagId === doomed.id,
      ),
    ).toEqual([]);
    // A deleted tag cannot be applied.
    expect(
      fields(await failure(send(COMMANDS.entriesTagApply, { actor, id: a!.id, tagId: doomed.id }))),
    ).toEqual(['tagId']);
  });

  it('assigns round robin fairly: 30 concurrent assignments over 3 members give 10 each', async () => {
    const { org, actor } = organization();
    const members = [];
    for (const n of ['r1', 'r2', 'r3'])
      members.push(await send(COMMANDS.membersCreate, { organizationId: org, name: n, email: `${n}@x.io` }));
    const group = await send(COMMANDS.memberGroupsCreate, {
      organizationId: org,
      name: 'Round',
      memberIds: members.map((m) => m.id),
    });
    const leadsToAssign = await entries(actor, 30);
    const assigned = await Promise.all(
      leadsToAssign.map((entry) => send(COMMANDS.entriesAssign, { actor, id: entry.id, groupId: group.id })),
    );
    const counts = new Map<string, number>();
    for (const entry of assigned)
      counts.set(entry.assignedMemberId!, (counts.get(entry.assignedMemberId!) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(members.map((m) => [m.id, 10])));
    // Each assignment is stored and emitted from null to its member.
    const stored = await send(COMMANDS.entriesGet, { organizationId: org, id: assigned[0]!.id });
    expect(stored.assignedMemberId).toBe(assigned[0]!.assignedMemberId);
    await events.waitFor(
      (e) => e.body.type === 'table.entry.assigned' && leadsToAssign.some((l) => l.id === e.body.subject),
      10_000,
      30,
    );
    const emitted = events.events.filter(
      (e) => e.body.type === 'table.entry.assigned' && leadsToAssign.some((l) => l.id === e.body.subject),
    );
    expect(emitted).toHaveLength(30);
    const first = emitted.find((e) => e.body.subject === assigned[0]!.id)!;
    expect(first.body.data).toEqual({
      entryId: assigned[0]!.id,
      tableId: assigned[0]!.tableId,
      from: null,
      to: assigned[0]!.assignedMemberId,
    });
  });

  it('never picks nor accepts a deactivated member, and assigns the same member without an event', async () => {
    const { org, actor } = organization();
    const [on1, off, on2] = await Promise.all(
      ['on1', 'off', 'on2'].map((n) =>
        send(COMMANDS.membersCreate, { organizationId: org, name: n, email: `${n}@x.io` }),
      ),
    );
    await send(COMMANDS.membersDeactivate, { organizationId: org, id: off!.id });
    const group = await send(COMMANDS.memberGroupsCreate, {
      organizationId: org,
      name: 'Mixed',
      memberIds: [on1!.id, off!.id, on2!.id],
    });
    const leadsToAssign = await entries(actor, 8);
    const roundRobin = await Promise.all(
      leadsToAssign
        .slice(0, 4)
        .map((entry) => send(COMMANDS.entriesAssign, { actor, id: entry.id, groupId: group.id })),
    );
    const random = await Promise.all(
      leadsToAssign
        .slice(4)
        .map((entry) =>
          send(COMMANDS.entriesAssign, { actor, id: entry.id, groupId: group.id, strategy: 'random' }),
        ),
    );
    const picked = [...roundRobin, ...random].map((e) => e.assignedMemberId);
    expect(picked.every((id) => id === on1!.id || id === on2!.id)).toBe(true);
    expect(roundRobin.filter((e) => e.assignedMemberId === on1!.id)).toHaveLength(2);

    const refused = await failure(
      send(COMMANDS.entriesAssign, { actor, id: leadsToAssign[0]!.id, memberId: off!.id }),
    );
    expect(refused.code).toBe('VALIDATION_FAILED');
    expect(fields(refused)).toEqual(['memberId']);
    expect(
      fields(
        await failure(send(COMMANDS.entriesAssign, { actor, id: leadsToAssign[0]!.id, memberId: uuidv7() })),
      ),
    ).toEqual(['memberId']);

    const onlyOff = await send(COMMANDS.memberGroupsCreate, {
      organizationId: org,
      name: 'Off',
      memberIds: [off!.id],
    });
    const empty = await failure(
      send(COMMANDS.entriesAssign, { actor, id: leadsToAssign[0]!.id, groupId: onlyOff.id }),
    );
    expect(fields(empty)).toEqual(['groupId']);
    expect((empty.details?.errors as { message: string }[])[0]!.message).toBe('has no active member');
    expect(
      fields(
        await failure(send(COMMANDS.entriesAssign, { actor, id: leadsToAssign[0]!.id, groupId: uuidv7() })),
      ),
    ).toEqual(['groupId']);

    // Direct assignment: a change emits from → to; the same member again changes nothing and emits nothing.
    const target = leadsToAssign[0]!;
    const before = roundRobin[0]!.assignedMemberId;
    const other = before === on1!.id ? on2! : on1!;
    const moved = await send(COMMANDS.entriesAssign, { actor, id: target.id, memberId: other.id });
    expect(moved.assignedMemberId).toBe(other.id);
    expect(await send(COMMANDS.entriesAssign, { actor, id: target.id, memberId: other.id })).toEqual(moved);
    const back = await send(COMMANDS.entriesAssign, { actor, id: target.id, memberId: before! });
    expect(back.assignedMemberId).toBe(before);
    await events.waitFor(
      (e) =>
        e.body.type === 'table.entry.assigned' && e.body.subject === target.id && e.body.data.to === before,
      10_000,
      2,
    );
    expect(ofEntry('table.entry.assigned', target.id).map((e) => e.body.data)).toEqual([
      { entryId: target.id, tableId: target.tableId, from: null, to: before },
      { entryId: target.id, tableId: target.tableId, from: before, to: other.id },
      { entryId: target.id, tableId: target.tableId, from: other.id, to: before },
    ]);

    const neither = await failure(send(COMMANDS.entriesAssign, { actor, id: target.id }));
    expect(fields(neither)).toEqual(['memberId']);
  });

  it('assigns once per idempotency key', async () => {
    const { org, actor } = organization();
    const [m1, m2] = await Promise.all(
      ['i1', 'i2'].map((n) =>
        send(COMMANDS.membersCreate, { organizationId: org, name: n, email: `${n}@x.io` }),
      ),
    );
    const [entry] = await entries(actor, 1);
    const step = { actor, id: entry!.id, memberId: m1!.id, idempotencyKey: `${uuidv7()}:0` };
    expect((await send(COMMANDS.entriesAssign, step)).assignedMemberId).toBe(m1!.id);
    await send(COMMANDS.entriesAssign, { actor, id: entry!.id, memberId: m2!.id });
    expect((await send(COMMANDS.entriesAssign, step)).assignedMemberId).toBe(m2!.id);
  });

  it('updates a lead state: name, milestone, default; creates one with a milestone', async () => {
    const { org } = organization();
    const pool = await send(COMMANDS.poolsCreate, { organizationId: org, name: 'Pool' });
    const first = await send(COMMANDS.leadStatesCreate, {
      organizationId: org,
      tableId: pool.id,
      name: 'New',
      isDefault: true,
    });
    expect(first.milestone).toBeNull();
    const won = await send(COMMANDS.leadStatesCreate, {
      organizationId: org,
      tableId: pool.id,
      name: 'Won',
      milestone: 'converted',
    });
    expect(won).toMatchObject({ name: 'Won', milestone: 'converted', isDefault: false });

    const updated = await send(COMMANDS.leadStatesUpdate, {
      organizationId: org,
      tableId: pool.id,
      id: first.id,
      name: 'Validated',
      milestone: 'validated',
    });
    expect(updated).toEqual({
      id: first.id,
      tableId: pool.id,
      name: 'Validated',
      isDefault: true,
      milestone: 'validated',
    });
    const becameDefault = await send(COMMANDS.leadStatesUpdate, {
      organizationId: org,
      tableId: pool.id,
      id: won.id,
      isDefault: true,
      milestone: null,
    });
    expect(becameDefault).toEqual({
      id: won.id,
      tableId: pool.id,
      name: 'Won',
      isDefault: true,
      milestone: null,
    });
    expect((await send(COMMANDS.poolsGet, { organizationId: org, id: pool.id })).defaultLeadStateId).toBe(
      won.id,
    );
    expect(await send(COMMANDS.leadStatesList, { organizationId: org, tableId: pool.id })).toEqual([
      { ...updated, isDefault: false },
      becameDefault,
    ]);

    const notDefault = await failure(
      send(COMMANDS.leadStatesUpdate, {
        organizationId: org,
        tableId: pool.id,
        id: won.id,
        isDefault: false,
      }),
    );
    expect(fields(notDefault)).toEqual(['isDefault']);
    const badMilestone = await failure(
      send(COMMANDS.leadStatesUpdate, {
        organizationId: org,
        tableId: pool.id,
        id: won.id,
        milestone: 'famous' as 'closed',
      }),
    );
    expect(fields(badMilestone)).toEqual(['milestone']);
    const missing = await failure(
      send(COMMANDS.leadStatesUpdate, { organizationId: org, tableId: pool.id, id: uuidv7(), name: 'X' }),
    );
    expect(missing.code).toBe('NOT_FOUND');
    const otherPool = await send(COMMANDS.poolsCreate, { organizationId: org, name: 'Other' });
    expect(
      (
        await failure(
          send(COMMANDS.leadStatesUpdate, {
            organizationId: org,
            tableId: otherPool.id,
            id: won.id,
            name: 'X',
          }),
        )
      ).code,
    ).toBe('NOT_FOUND');
  });
});
