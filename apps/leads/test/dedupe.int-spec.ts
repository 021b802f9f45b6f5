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

const DETECTED = 'table.entry.duplicate.detected';
const ADDED = 'table.entry.added';
const STATE_CHANGED = 'table.entry.leadState.changed';

describe('duplicate detection (real Postgres and NATS)', () => {
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
  const ingest: Actor = { ...actor, channel: 'ingress_webhook', apiTokenId: null };

  /** A pool with a default state and, unless `keys` is null, duplicate detection on those keys. */
  async function pool(
    keys: string[] | null = ['email', 'phone'],
    phoneRegion: string | null = 'DE',
  ): Promise<string> {
    const created = await send(COMMANDS.poolsCreate, { organizationId: org, name: 'Pool' });
    await send(COMMANDS.leadStatesCreate, {
      organizationId: org,
      tableId: created.id,
      name: 'New',
      isDefault: true,
    });
    if (keys) {
      const updated = await send(COMMANDS.poolsUpdate, {
        organizationId: org,
        id: created.id,
        dedupe: { keys, phoneRegion },
      });
      expect(updated.dedupe).toEqual({ keys, phoneRegion });
    }
    return created.id;
  }

  const create = (tableId: string, data: Record<string, string>, by: Actor = actor) =>
    send(COMMANDS.entriesCreate, { actor: by, tableId, data, schemaMode: 'infer' });

  /** The events of an entry in stream order, once `count` of them are there. */
  const eventsOf = (entryId: string, count: number): Promise<CollectedEvent[]> =>
    events.waitFor((e) => e.body.subject === entryId, 10_000, count);

  beforeAll(async () => {
    leads = await startLeads('leads-dedupe');
    send = commandSender(leads.nc, leads.names);
    events = await leads.collect('LEADS');
  }, 120_000);

  afterAll(() => leads?.stop(), 120_000);

  it('is off by default: identical leads are all originals and no duplicate event is emitted', async () => {
    const tableId = await pool(null);
    expect((await send(COMMANDS.poolsGet, { organizationId: org, id: tableId })).dedupe).toBeNull();
    const a = await create(tableId, { email: 'same@x.de' });
    const b = await create(tableId, { email: 'same@x.de' });
    expect([a.duplicateOfId, b.duplicateOfId]).toEqual([null, null]);
    await eventsOf(b.id, 2);
    expect(events.events.filter((e) => e.body.type === DETECTED && e.body.subject === b.id)).toEqual([]);
  });

  it('validates the settings, naming the field, and turns detection off with null', async () => {
    const tableId = await pool(null);
    const twice = await failure(
      send(COMMANDS.poolsUpdate, { organizationId: org, id: tableId, dedupe: { keys: ['email', 'email'] } }),
    );
    expect(twice.details).toEqual({
      errors: [{ field: 'dedupe.keys', message: 'must not name a key twice' }],
    });
    const region = await failure(
      send(COMMANDS.poolsUpdate, {
        organizationId: org,
        id: tableId,
        dedupe: { keys: ['phone'], phoneRegion: 'XX' },
      }),
    );
    expect(region.code).toBe('VALIDATION_FAILED');
    expect((region.details?.errors as { field: string }[]).map((e) => e.field)).toEqual([
      'dedupe.phoneRegion',
    ]);
    const on = await send(COMMANDS.poolsUpdate, {
      organizationId: org,
      id: tableId,
      dedupe: { keys: ['email'] },
    });
    expect(on.dedupe).toEqual({ keys: ['email'], phoneRegion: null });
    // The cached pool sees the change at once: the next identical lead is a duplicate.
    const first = await create(tableId, { email: 'on@x.de' });
    expect((await create(tableId, { email: 'on@x.de' })).duplicateOfId).toBe(first.id);
    const off = await send(COMMANDS.poolsUpdate, { organizationId: org, id: tableId, dedupe: null });
    expect(off.dedupe).toBeNull();
    expect((await create(tableId, { email: 'on@x.de' })).duplicateOfId).toBeNull();
  });

  it('of 20 identical leads posted concurrently, exactly one is the original and 19 point to it', async () => {
    const tableId = await pool();
    // The keys are known, so these take the grouped path; the next test takes the schema-locking one.
    await create(tableId, { email: 'seed@x.de', phone: '+49 40 1234567' });
    const lead = { email: 'crowd@example.com', phone: '+49 30 1234567' };
    const entries = await Promise.all(Array.from({ length: 20 }, () => create(tableId, lead)));
    const originals = entries.filter((e) => e.duplicateOfId === null);
    expect(originals).toHaveLength(1);
    const original = originals[0]!;
    expect(entries.filter((e) => e.duplicateOfId === original.id)).toHaveLength(19);
    // What was answered is what is stored.
    const stored = await send(COMMANDS.entriesList, { organizationId: org, tableId, limit: 100 });
    expect(
      stored.items.filter((e) => e.data.email === lead.email && e.duplicateOfId === original.id),
    ).toHaveLength(19);
    const detected = await events.waitFor(
      (e) => e.body.type === DETECTED && e.body.data.duplicateOfId === original.id,
      10_000,
      19,
    );
    expect(detected).toHaveLength(19);
    expect(new Set(detected.map((e) => e.body.subject))).toEqual(
      new Set(entries.filter((e) => e !== original).map((e) => e.id)),
    );
    for (const e of detected) expect(e.body.data.matchedOn).toEqual(['email', 'phone']);
    // Each duplicate's events: detected, then added (with duplicateOfId), then the first state change.
    for (const duplicate of entries.filter((e) => e !== original)) {
      const own = await eventsOf(duplicate.id, 3);
      expect(own.map((e) => e.body.type)).toEqual([DETECTED, ADDED, STATE_CHANGED]);
      expect(own[1]!.body.data).toEqual(duplicate);
    }
    const originalEvents = await eventsOf(original.id, 2);
    expect(originalEvents.map((e) => e.body.type)).toEqual([ADDED, STATE_CHANGED]);
  });

  it('detects duplicates on the ingest path that infers new keys, the three events consecutive in the stream', async () => {
    const tableId = await pool();
    const original = await create(tableId, { email: 'ingest@x.de' }, ingest);
    expect(original.duplicateOfId).toBeNull();
    // A key the schema does not have yet: the entry is stored under the pool lock (the schema-locking path).
    const duplicate = await create(tableId, { email: ' INGEST@x.de', phone: '030 1234567' }, ingest);
    expect(duplicate.duplicateOfId).toBe(original.id);
    const own = await eventsOf(duplicate.id, 3);
    expect(own.map((e) => e.body.type)).toEqual([DETECTED, ADDED, STATE_CHANGED]);
    expect(own.map((e) => e.seq - own[0]!.seq)).toEqual([0, 1, 2]);
    expect(own[0]!.body.data).toEqual({
      entryId: duplicate.id,
      tableId,
      duplicateOfId: original.id,
      matchedOn: ['email'],
    });
    expect(own[0]!.body).toMatchObject({ channel: 'ingress_webhook' });
    expect((own[1]!.body.data as unknown as TableEntry).duplicateOfId).toBe(original.id);
  });

  it('compares emails case- and blank-insensitively and phone numbers as E.164 in the region', async () => {
    const tableId = await pool();
    const byEmail = await create(tableId, { email: 'John.Doe@Example.com' });
    expect((await create(tableId, { email: '  john.doe@example.COM ' })).duplicateOfId).toBe(byEmail.id);
    const byPhone = await create(tableId, { email: 'p1@x.de', phone: '+49 30 7654321' });
    const national = await create(tableId, { email: 'p2@x.de', phone: '030 7654321' });
    expect(national.duplicateOfId).toBe(byPhone.id);
    const [detected] = await events.waitFor(
      (e) => e.body.type === DETECTED && e.body.subject === national.id,
    );
    expect(detected!.body.data.matchedOn).toEqual(['phone']);
    // Different people stay apart; a value that is no phone number is not compared as one.
    expect((await create(tableId, { email: 'other@x.de', phone: '030 1111111' })).duplicateOfId).toBeNull();
    expect((await create(tableId, { email: 'x1@x.de', phone: 'n/a' })).duplicateOfId).toBeNull();
    expect((await create(tableId, { email: 'x2@x.de', phone: 'n/a' })).duplicateOfId).toBeNull();
  });

  it('identifies a contact by an email changed with PATCH, unless an earlier entry already has it', async () => {
    const tableId = await pool();
    const moved = await create(tableId, { email: 'old@x.de' });
    const taken = await create(tableId, { email: 'taken@x.de' });
    const update = (id: string, email: string) =>
      send(COMMANDS.entriesUpdate, { actor, id, data: { email } });
    await update(moved.id, 'New@X.de');
    expect((await create(tableId, { email: 'new@x.de' })).duplicateOfId).toBe(moved.id);
    // The old value keeps naming the entry that had it first.
    expect((await create(tableId, { email: 'old@x.de' })).duplicateOfId).toBe(moved.id);
    // A value an earlier entry holds stays with it.
    await update(moved.id, 'taken@x.de');
    expect((await create(tableId, { email: 'TAKEN@x.de' })).duplicateOfId).toBe(taken.id);
  });

  it('points a lead matching two earlier entries (email and phone) at the earliest, matched on both', async () => {
    const tableId = await pool();
    const first = await create(tableId, { email: 'first@x.de', phone: '+49 30 2222222' });
    const second = await create(tableId, { email: 'second@x.de', phone: '+49 30 3333333' });
    const both = await create(tableId, { email: 'SECOND@x.de', phone: '030 2222222' });
    expect(both.duplicateOfId).toBe(first.id);
    const [detected] = await events.waitFor((e) => e.body.type === DETECTED && e.body.subject === both.id);
    expect(detected!.body.data).toEqual({
      entryId: both.id,
      tableId,
      duplicateOfId: first.id,
      matchedOn: ['email', 'phone'],
    });
    expect(second.duplicateOfId).toBeNull();
  });

  it('pages the entries linked to one, newest first, with the original of a duplicate on its last page', async () => {
    const tableId = await pool(['email']);
    const original = await create(tableId, { email: 'linked@x.de' });
    const duplicates: TableEntry[] = [];
    for (let i = 0; i < 5; i++) duplicates.push(await create(tableId, { email: 'linked@x.de' }));
    expect(duplicates.every((d) => d.duplicateOfId === original.id)).toBe(true);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await send(COMMANDS.entriesDuplicates, {
        organizationId: org,
        id: original.id,
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor);
    expect(seen).toEqual(duplicates.map((d) => d.id).reverse());
    expect(pages).toBe(3);
    // A duplicate is linked to its original.
    const ofDuplicate = await send(COMMANDS.entriesDuplicates, {
      organizationId: org,
      id: duplicates[0]!.id,
      limit: 10,
    });
    expect(ofDuplicate).toEqual({ items: [original], nextCursor: null });
    const lone = await create(tableId, { email: 'lone@x.de' });
    expect(await send(COMMANDS.entriesDuplicates, { organizationId: org, id: lone.id, limit: 10 })).toEqual({
      items: [],
      nextCursor: null,
    });
    for (const query of [
      { organizationId: uuidv7(), id: original.id },
      { organizationId: org, id: uuidv7() },
    ]) {
      const missing = await failure(send(COMMANDS.entriesDuplicates, { ...query, limit: 10 }));
      expect(missing.code).toBe('NOT_FOUND');
    }
  });

  it('emits the milestone of the initial state after its state change, duplicates included', async () => {
    const tableId = await pool(['email']);
    const contacted = await send(COMMANDS.leadStatesCreate, {
      organizationId: org,
      tableId,
      name: 'Contacted',
      isDefault: true,
      milestone: 'contacted',
    });
    const original = await create(tableId, { email: 'm@x.de' });
    const duplicate = await create(tableId, { email: 'm@x.de' });
    expect(duplicate.duplicateOfId).toBe(original.id);
    const own = await eventsOf(duplicate.id, 4);
    expect(own.map((e) => e.body.type)).toEqual([
      DETECTED,
      ADDED,
      STATE_CHANGED,
      'table.entry.milestone.reached',
    ]);
    expect(own[3]!.body.data).toEqual({
      entryId: duplicate.id,
      tableId,
      milestone: 'contacted',
      leadStateId: contacted.id,
    });
  });
});
