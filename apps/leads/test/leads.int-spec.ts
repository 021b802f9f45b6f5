import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { COMMANDS, DomainError, uuidv7, type Actor } from '@rocketlead/contracts';
import { commandSender, failure, type CommandSender, type EventCollector } from '@rocketlead/testing';
import { DataSource } from 'typeorm';
import { startLeads, type LeadsUnderTest } from './support';

describe('leads service (real Postgres and NATS)', () => {
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

  async function poolWithDefault(): Promise<{ poolId: string; stateId: string }> {
    const pool = await send(COMMANDS.poolsCreate, { organizationId: org, name: 'Pool' });
    const state = await send(COMMANDS.leadStatesCreate, {
      organizationId: org,
      tableId: pool.id,
      name: 'New',
      isDefault: true,
    });
    return { poolId: pool.id, stateId: state.id };
  }

  beforeAll(async () => {
    leads = await startLeads('leads');
    send = commandSender(leads.nc, leads.names);
    events = await leads.collect('LEADS');
  }, 120_000);

  afterAll(() => leads?.stop(), 120_000);

  it('rejects a request that does not match the command contract, naming the fields', async () => {
    const error = await failure(send(COMMANDS.poolsCreate, { organizationId: 'nope', name: '' }));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect((error.details?.errors as { field: string }[]).map((e) => e.field)).toEqual([
      'organizationId',
      'name',
    ]);
  });

  it('creates a pool with its settings in one go, or not at all when one of them is refused', async () => {
    const settingsOrg = uuidv7();
    const pool = await send(COMMANDS.poolsCreate, {
      organizationId: settingsOrg,
      name: 'Contacts',
      tableSchema: { email: 'string', born: 'string' },
      dedupe: { keys: ['email'] },
      birthdayField: 'born',
    });
    expect(pool).toMatchObject({
      name: 'Contacts',
      tableSchema: { email: 'string', born: 'string' },
      dedupe: { keys: ['email'], phoneRegion: null },
      birthdayField: 'born',
    });
    expect(await send(COMMANDS.poolsGet, { organizationId: settingsOrg, id: pool.id })).toEqual(pool);
    const refused = await failure(
      send(COMMANDS.poolsCreate, {
        organizationId: settingsOrg,
        name: 'Refused',
        dedupe: { keys: ['phone'], phoneRegion: 'XX' },
      }),
    );
    expect((refused.details?.errors as { field: string }[]).map((e) => e.field)).toEqual([
      'dedupe.phoneRegion',
    ]);
    const pools = (await leads.app
      .get(DataSource)
      .query('SELECT name FROM leads.pools WHERE organization_id = $1', [settingsOrg])) as { name: string }[];
    expect(pools.map((row) => row.name)).toEqual(['Contacts']);
  });

  it('creates an entry, locks inferred types, and emits added then leadState.changed from null', async () => {
    const { poolId, stateId } = await poolWithDefault();
    const entry = await send(COMMANDS.entriesCreate, {
      actor,
      tableId: poolId,
      data: { email: 'x@x', age: 25, optedIn: true, tags: ['a'], note: null },
      schemaMode: 'infer',
    });
    expect(entry.leadStateId).toBe(stateId);
    const pool = await send(COMMANDS.poolsGet, { organizationId: org, id: poolId });
    expect(pool.tableSchema).toEqual({
      email: 'string',
      age: 'number',
      optedIn: 'boolean',
      tags: 'string[]',
    });

    const [added] = await events.waitFor(
      (e) => e.body.type === 'table.entry.added' && e.body.subject === entry.id,
    );
    const [changed] = await events.waitFor(
      (e) => e.body.type === 'table.entry.leadState.changed' && e.body.subject === entry.id,
    );
    expect(added!.body.data).toEqual(entry);
    expect(changed!.body.data).toEqual({ entryId: entry.id, tableId: poolId, from: null, to: stateId });
    expect(added!.seq).toBeLessThan(changed!.seq);
    expect(added!.body.apitokenid).toBe(actor.apiTokenId);

    const mismatch = await failure(
      send(COMMANDS.entriesCreate, { actor, tableId: poolId, data: { email: 123 }, schemaMode: 'infer' }),
    );
    expect(mismatch.details).toEqual({
      typeErrors: [{ key: 'email', expected: 'string', received: 'number' }],
    });
  });

  it('lets only one of two concurrent first writers lock a key type', async () => {
    const { poolId } = await poolWithDefault();
    const results = await Promise.allSettled([
      send(COMMANDS.entriesCreate, { actor, tableId: poolId, data: { score: 'high' }, schemaMode: 'infer' }),
      send(COMMANDS.entriesCreate, { actor, tableId: poolId, data: { score: 10 }, schemaMode: 'infer' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect((rejected!.reason as DomainError).code).toBe('VALIDATION_FAILED');
    const page = await send(COMMANDS.entriesList, { organizationId: org, tableId: poolId, limit: 10 });
    expect(page.items).toHaveLength(1);
  });

  it('refuses unknown keys in strict mode and requires a default lead state', async () => {
    const pool = await send(COMMANDS.poolsCreate, { organizationId: org, name: 'No default' });
    const noDefault = await failure(
      send(COMMANDS.entriesCreate, { actor, tableId: pool.id, data: {}, schemaMode: 'infer' }),
    );
    expect(noDefault.code).toBe('NO_DEFAULT_LEAD_STATE');
    expect(noDefault.message).toBe('No default lead state');
    const strict = await failure(
      send(COMMANDS.entriesCreate, { actor, tableId: pool.id, data: { x: 'y' }, schemaMode: 'strict' }),
    );
    expect(strict.details).toEqual({
      errors: [{ field: 'data.x', message: 'is not in the lead pool schema' }],
    });
  });

  it('returns the first entry for a repeated idempotency key and emits its events once', async () => {
    const { poolId } = await poolWithDefault();
    const key = uuidv7();
    const [a, b] = await Promise.all([
      send(COMMANDS.entriesCreate, {
        actor,
        tableId: poolId,
        data: { n: 1 },
        schemaMode: 'infer',
        idempotencyKey: key,
      }),
      send(COMMANDS.entriesCreate, {
        actor,
        tableId: poolId,
        data: { n: 1 },
        schemaMode: 'infer',
        idempotencyKey: key,
      }),
    ]);
    expect(a.id).toBe(b.id);
    const marker = await send(COMMANDS.entriesCreate, {
      actor,
      tableId: poolId,
      data: { n: 2 },
      schemaMode: 'infer',
    });
    await events.waitFor((e) => e.body.subject === marker.id && e.body.type === 'table.entry.added');
    expect(
      events.events.filter((e) => e.body.type === 'table.entry.added' && e.body.subject === a.id),
    ).toHaveLength(1);
  });

  it('emits a state event only when a PATCH changes the state', async () => {
    const { poolId, stateId } = await poolWithDefault();
    const other = await send(COMMANDS.leadStatesCreate, {
      organizationId: org,
      tableId: poolId,
      name: 'Won',
    });
    const entry = await send(COMMANDS.entriesCreate, {
      actor,
      tableId: poolId,
      data: { n: 1 },
      schemaMode: 'infer',
    });
    await send(COMMANDS.entriesUpdate, { actor, id: entry.id, leadStateId: stateId, data: { n: 2 } });
    const updated = await send(COMMANDS.entriesUpdate, { actor, id: entry.id, leadStateId: other.id });
    expect(updated.leadStateId).toBe(other.id);
    expect(updated.data).toEqual({ n: 2 });
    // The answer is the entry as stored, its updatedAt the update's own.
    expect(await send(COMMANDS.entriesGet, { organizationId: org, id: entry.id })).toEqual(updated);
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(entry.updatedAt));
    await events.waitFor(
      (e) => e.body.subject === entry.id && (e.body.data as { to?: string }).to === other.id,
    );
    const changes = events.events.filter(
      (e) => e.body.subject === entry.id && e.body.type === 'table.entry.leadState.changed',
    );
    expect(changes.map((e) => e.body.data)).toEqual([
      { entryId: entry.id, tableId: poolId, from: null, to: stateId },
      { entryId: entry.id, tableId: poolId, from: stateId, to: other.id },
    ]);
  });

  it('applies an automation update once per idempotency key, infers new keys, and carries causation and depth', async () => {
    const { poolId, stateId } = await poolWithDefault();
    const won = await send(COMMANDS.leadStatesCreate, { organizationId: org, tableId: poolId, name: 'Won' });
    const entry = await send(COMMANDS.entriesCreate, {
      actor,
      tableId: poolId,
      data: { n: 1 },
      schemaMode: 'infer',
    });
    const runId = uuidv7();
    const step = {
      actor: { ...actor, channel: 'automation' as const },
      id: entry.id,
      leadStateId: won.id,
      data: { score: 10 },
      schemaMode: 'infer' as const,
      idempotencyKey: `${runId}:0`,
      causationId: runId,
      depth: 2,
    };
    const first = await send(COMMANDS.entriesUpdate, step);
    expect(first).toMatchObject({ leadStateId: won.id, data: { n: 1, score: 10 } });
    // Someone moves the lead back; the step is retried with the same key and must not apply again.
    await send(COMMANDS.entriesUpdate, { actor, id: entry.id, leadStateId: stateId });
    const repeat = await send(COMMANDS.entriesUpdate, { ...step, data: { score: 99 } });
    expect(repeat).toMatchObject({ leadStateId: stateId, data: { n: 1, score: 10 } });
    expect((await send(COMMANDS.poolsGet, { organizationId: org, id: poolId })).tableSchema).toMatchObject({
      score: 'number',
    });
    const [caused] = await events.waitFor(
      (e) => e.body.subject === entry.id && (e.body.data as { to?: string }).to === won.id,
    );
    expect(caused!.body).toMatchObject({ channel: 'automation', causationid: runId, depth: 2 });
    const toWon = events.events.filter(
      (e) => e.body.subject === entry.id && (e.body.data as { to?: string }).to === won.id,
    );
    expect(toWon).toHaveLength(1);
    // Strict mode (the Connect API) still refuses keys the schema does not have; a type conflict names them.
    const strict = await failure(send(COMMANDS.entriesUpdate, { actor, id: entry.id, data: { fresh: 1 } }));
    expect(strict.code).toBe('VALIDATION_FAILED');
    const conflict = await failure(
      send(COMMANDS.entriesUpdate, { ...step, idempotencyKey: `${runId}:1`, data: { score: 'high' } }),
    );
    expect(conflict.details?.typeErrors).toBeDefined();
    // A step for a lead that does not exist (or is another organization's) is not found, key or not.
    const missing = await failure(
      send(COMMANDS.entriesUpdate, { ...step, id: uuidv7(), idempotencyKey: `${runId}:2` }),
    );
    expect(missing.code).toBe('NOT_FOUND');
    const foreign = await failure(
      send(COMMANDS.entriesUpdate, {
        ...step,
        actor: { ...step.actor, organizationId: uuidv7() },
        idempotencyKey: `${runId}:3`,
      }),
    );
    expect(foreign.code).toBe('NOT_FOUND');
    // A key grown by one update is accepted by a strict one right after (the pool as stored decides, not a
    // copy read before it grew).
    await send(COMMANDS.entriesUpdate, { ...step, idempotencyKey: `${runId}:4`, data: { grown: 'yes' } });
    const afterGrowth = await send(COMMANDS.entriesUpdate, { actor, id: entry.id, data: { grown: 'still' } });
    expect(afterGrowth.data).toMatchObject({ grown: 'still' });
    // Concurrent repeats of one key: one applies, every caller gets the entry as that one left it.
    const racing = await Promise.all(
      [20, 21, 22, 23].map((score) =>
        send(COMMANDS.entriesUpdate, { ...step, idempotencyKey: `${runId}:5`, data: { score } }),
      ),
    );
    const applied = racing[0]!.data.score;
    expect([20, 21, 22, 23]).toContain(applied);
    for (const reply of racing) expect(reply.data.score).toBe(applied);
    const marker = await send(COMMANDS.entriesCreate, {
      actor,
      tableId: entry.tableId,
      data: {},
      schemaMode: 'infer',
    });
    await events.waitFor((e) => e.body.subject === marker.id);
    const raced = events.events.filter(
      (e) =>
        e.body.subject === entry.id &&
        e.body.type === 'table.entry.updated' &&
        [20, 21, 22, 23].includes(
          (e.body.data as { changes: { score?: { to: unknown } } }).changes.score?.to as number,
        ),
    );
    expect(raced).toHaveLength(1);
  });

  it('loses no concurrent data update of one lead, and applies each idempotency key once', async () => {
    const { poolId } = await poolWithDefault();
    const keys = Array.from({ length: 12 }, (_, i) => `k${i}`);
    const entry = await send(COMMANDS.entriesCreate, {
      actor,
      tableId: poolId,
      data: Object.fromEntries(keys.map((k) => [k, 'a'])),
      schemaMode: 'infer',
    });
    const runId = uuidv7();
    const step = (i: number, value: string) => ({
      actor: { ...actor, channel: 'automation' as const },
      id: entry.id,
      data: { [keys[i]!]: value },
      schemaMode: 'infer' as const,
      idempotencyKey: `${runId}:${i}`,
      causationId: runId,
      depth: 1,
    });
    // Every update reads the entry and writes it back whole: each must see the others' writes.
    await Promise.all(keys.map((_, i) => send(COMMANDS.entriesUpdate, step(i, 'b'))));
    const stored = await send(COMMANDS.entriesGet, { organizationId: org, id: entry.id });
    expect(stored.data).toEqual(Object.fromEntries(keys.map((k) => [k, 'b'])));
    // Repeats, alone and racing each other, apply nothing.
    const repeats = await Promise.all([0, 0, 1, 1].map((i) => send(COMMANDS.entriesUpdate, step(i, 'c'))));
    for (const reply of repeats) expect(reply.data).toMatchObject({ k0: 'b', k1: 'b' });
    const marker = await send(COMMANDS.entriesCreate, {
      actor,
      tableId: poolId,
      data: {},
      schemaMode: 'infer',
    });
    await events.waitFor((e) => e.body.subject === marker.id);
    const updates = events.events.filter(
      (e) => e.body.subject === entry.id && e.body.type === 'table.entry.updated',
    );
    // One event per key, each with the value it replaced.
    expect(updates).toHaveLength(keys.length);
    expect(
      updates
        .map((e) => (e.body.data as { changes: Record<string, unknown> }).changes)
        .sort((a, b) => Object.keys(a)[0]!.localeCompare(Object.keys(b)[0]!, 'en', { numeric: true })),
    ).toEqual(keys.map((k) => ({ [k]: { from: 'a', to: 'b' } })));
  });

  it("lists the organization's pools newest first, a page at a time, and no other organization's", async () => {
    const listOrg = uuidv7();
    const created = [];
    for (const name of ['One', 'Two', 'Three'])
      created.push(await send(COMMANDS.poolsCreate, { organizationId: listOrg, name }));
    await send(COMMANDS.poolsCreate, { organizationId: uuidv7(), name: 'Foreign' });
    const first = await send(COMMANDS.poolsList, { organizationId: listOrg, limit: 2 });
    expect(first.items).toEqual([created[2], created[1]]);
    expect(first.nextCursor).not.toBeNull();
    const second = await send(COMMANDS.poolsList, {
      organizationId: listOrg,
      limit: 2,
      cursor: first.nextCursor!,
    });
    expect(second).toEqual({ items: [created[0]], nextCursor: null });
    const badCursor = await failure(
      send(COMMANDS.poolsList, { organizationId: listOrg, limit: 2, cursor: 'not-ours' }),
    );
    expect(badCursor.details).toMatchObject({ errors: [{ field: 'cursor' }] });
  });

  it('scopes every read by organization', async () => {
    const { poolId } = await poolWithDefault();
    const entry = await send(COMMANDS.entriesCreate, {
      actor,
      tableId: poolId,
      data: {},
      schemaMode: 'infer',
    });
    const stranger = uuidv7();
    expect((await failure(send(COMMANDS.poolsGet, { organizationId: stranger, id: poolId }))).code).toBe(
      'NOT_FOUND',
    );
    expect((await failure(send(COMMANDS.entriesGet, { organizationId: stranger, id: entry.id }))).code).toBe(
      'NOT_FOUND',
    );
    const page = await send(COMMANDS.entriesList, { organizationId: stranger, limit: 10 });
    expect(page.items).toEqual([]);
  });

  it('lists the entries of one lead state or of one assignee (or the unassigned), a page at a time', async () => {
    const listOrg = uuidv7();
    const listActor = { ...actor, organizationId: listOrg };
    const pool = await send(COMMANDS.poolsCreate, { organizationId: listOrg, name: 'Filtered' });
    const [fresh, won] = [
      await send(COMMANDS.leadStatesCreate, {
        organizationId: listOrg,
        tableId: pool.id,
        name: 'New',
        isDefault: true,
      }),
      await send(COMMANDS.leadStatesCreate, { organizationId: listOrg, tableId: pool.id, name: 'Won' }),
    ];
    const ada = await send(COMMANDS.membersCreate, {
      organizationId: listOrg,
      name: 'Ada',
      email: 'ada@example.com',
    });
    const create = (leadStateId: string, assignedMemberId?: string) =>
      send(COMMANDS.entriesCreate, {
        actor: listActor,
        tableId: pool.id,
        data: {},
        leadStateId,
        schemaMode: 'infer',
      }).then((entry) =>
        assignedMemberId
          ? send(COMMANDS.entriesUpdate, { actor: listActor, id: entry.id, assignedMemberId })
          : entry,
      );
    const a = await create(fresh.id);
    const b = await create(won.id, ada.id);
    const c = await create(won.id);
    const d = await create(fresh.id, ada.id);
    const ids = async (filter: Record<string, string>, limit = 10): Promise<string[]> => {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await send(COMMANDS.entriesList, {
          organizationId: listOrg,
          limit,
          ...filter,
          ...(cursor ? { cursor } : {}),
        });
        seen.push(...page.items.map((e) => e.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return seen;
    };
    expect(await ids({ leadStateId: won.id }, 1)).toEqual([c.id, b.id]);
    expect(await ids({ leadStateId: fresh.id, tableId: pool.id })).toEqual([d.id, a.id]);
    expect(await ids({ assignedMemberId: ada.id }, 1)).toEqual([d.id, b.id]);
    expect(await ids({ assignedMemberId: 'none' })).toEqual([c.id, a.id]);
    expect(await ids({ assignedMemberId: ada.id, leadStateId: won.id })).toEqual([b.id]);
    // Another organization's state or member is unknown here.
    const foreignState = await failure(
      send(COMMANDS.entriesList, { organizationId: org, limit: 5, leadStateId: won.id }),
    );
    expect(foreignState).toMatchObject({ code: 'NOT_FOUND', message: 'Lead state not found' });
    const foreignMember = await failure(
      send(COMMANDS.entriesList, { organizationId: org, limit: 5, assignedMemberId: ada.id }),
    );
    expect(foreignMember).toMatchObject({ code: 'NOT_FOUND', message: 'Member not found' });
    const bad = await failure(
      send(COMMANDS.entriesList, { organizationId: org, limit: 5, assignedMemberId: 'nobody' }),
    );
    expect((bad.details?.errors as { field: string }[]).map((e) => e.field)).toEqual(['assignedMemberId']);
  });

  it('deletes a lead with its tags, milestones, deals and dedupe claims, emitting table.entry.deleted once', async () => {
    const delOrg = uuidv7();
    const delActor = { ...actor, organizationId: delOrg };
    const pool = await send(COMMANDS.poolsCreate, {
      organizationId: delOrg,
      name: 'Deletable',
      tableSchema: { email: 'string' },
      dedupe: { keys: ['email'] },
    });
    await send(COMMANDS.leadStatesCreate, {
      organizationId: delOrg,
      tableId: pool.id,
      name: 'New',
      isDefault: true,
      milestone: 'validated',
    });
    const lead = (email: string) =>
      send(COMMANDS.entriesCreate, {
        actor: delActor,
        tableId: pool.id,
        data: { email },
        schemaMode: 'strict',
      });
    const original = await lead('gone@example.com');
    const twin = await lead('GONE@example.com');
    const triplet = await lead(' gone@example.com');
    expect([twin.duplicateOfId, triplet.duplicateOfId]).toEqual([original.id, original.id]);
    const tag = await send(COMMANDS.tagsCreate, { organizationId: delOrg, name: 'Doomed' });
    await send(COMMANDS.entriesTagApply, { actor: delActor, id: original.id, tagId: tag.id });
    const sales = await send(COMMANDS.pipelinesCreate, {
      organizationId: delOrg,
      name: 'Sales',
      stages: [{ name: 'Open' }],
    });
    const deal = await send(COMMANDS.dealsCreate, {
      actor: delActor,
      entryId: original.id,
      pipelineId: sales.id,
      title: 'Deal',
    });

    // Another organization cannot delete it.
    const stranger = await failure(
      send(COMMANDS.entriesDelete, { actor: { ...actor, organizationId: org }, id: original.id }),
    );
    expect(stranger).toMatchObject({ code: 'NOT_FOUND', message: 'Table entry not found' });

    expect(await send(COMMANDS.entriesDelete, { actor: delActor, id: original.id })).toMatchObject({
      id: original.id,
      tags: [{ id: tag.id, name: 'Doomed' }],
    });
    expect((await failure(send(COMMANDS.entriesGet, { organizationId: delOrg, id: original.id }))).code).toBe(
      'NOT_FOUND',
    );
    expect((await failure(send(COMMANDS.dealsGet, { organizationId: delOrg, id: deal.id }))).code).toBe(
      'NOT_FOUND',
    );
    expect((await failure(send(COMMANDS.entriesDelete, { actor: delActor, id: original.id }))).code).toBe(
      'NOT_FOUND',
    );
    // Its oldest duplicate is the original now, and the contact's email identifies it: the others point at it.
    const duplicateOf = async (id: string) =>
      (await send(COMMANDS.entriesGet, { organizationId: delOrg, id })).duplicateOfId;
    expect(await duplicateOf(twin.id)).toBeNull();
    expect(await duplicateOf(triplet.id)).toBe(twin.id);
    expect((await lead('gone@example.com')).duplicateOfId).toBe(twin.id);
    const pg = leads.app.get(DataSource);
    const left = (await pg.query(
      `SELECT (SELECT count(*) FROM leads.entry_tags WHERE entry_id = $1)::int AS tags,
              (SELECT count(*) FROM leads.entry_milestones WHERE entry_id = $1)::int AS milestones`,
      [original.id],
    )) as { tags: number; milestones: number }[];
    expect(left[0]).toEqual({ tags: 0, milestones: 0 });

    const [deleted] = await events.waitFor(
      (e) => e.body.type === 'table.entry.deleted' && e.body.subject === original.id,
    );
    expect(deleted!.body.data).toEqual({ entryId: original.id, tableId: pool.id });
    expect(deleted!.body.apitokenid).toBe(actor.apiTokenId);
    expect(events.ofType('table.entry.deleted').filter((e) => e.body.subject === original.id)).toHaveLength(
      1,
    );
  });

  it('pages newest first with a stable cursor', async () => {
    const { poolId } = await poolWithDefault();
    const created = [];
    for (let i = 0; i < 5; i++)
      created.push(
        await send(COMMANDS.entriesCreate, { actor, tableId: poolId, data: { i }, schemaMode: 'infer' }),
      );
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await send(COMMANDS.entriesList, {
        organizationId: org,
        tableId: poolId,
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(created.map((e) => e.id).reverse());
  });
});
