import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import {
  COMMANDS,
  TABLE_ENTRY_ADDED,
  TABLE_ENTRY_LEAD_STATE_CHANGED,
  uuidv7,
  type Actor,
  type LeadPool,
} from '@rocketlead/contracts';
import {
  commandSender,
  eventually,
  failure,
  type CommandSender,
  type EventCollector,
} from '@rocketlead/testing';
import { startLeads, type LeadsUnderTest } from './support';

// contacts.resolve as integrations and calendar call it: match a pool's contact by normalised email, or
// create it through the same path forms use (entry events, schema inference, one at a time per address).
describe('leads contacts.resolve (real Postgres and NATS)', () => {
  let leads: LeadsUnderTest;
  let send: CommandSender;
  let tableEvents: EventCollector;
  let db: DataSource;

  async function organization(): Promise<{ org: string; actor: Actor; pool: LeadPool }> {
    const org = uuidv7();
    const actor: Actor = {
      organizationId: org,
      channel: 'integration',
      apiTokenId: null,
      memberId: null,
      correlationId: 'contacts-resolve-test',
      traceparent: null,
    };
    const pool = await send(COMMANDS.poolsCreate, { organizationId: org, name: 'Customers' });
    await send(COMMANDS.leadStatesCreate, {
      organizationId: org,
      tableId: pool.id,
      name: 'New',
      isDefault: true,
    });
    return { org, actor, pool };
  }

  const resolve = (
    actor: Actor,
    tableId: string,
    email: string,
    extra: { name?: string | null; phone?: string | null } = {},
  ) => send(COMMANDS.contactsResolve, { actor, tableId, email, ...extra });

  /** The event types the outbox holds for an entry, in the order they were written. */
  const outboxTypes = async (entryId: string): Promise<string[]> =>
    (
      (await db.query(`SELECT type FROM leads.outbox WHERE payload ->> 'subject' = $1 ORDER BY id`, [
        entryId,
      ])) as { type: string }[]
    ).map((row) => row.type);

  const entriesOf = async (org: string, tableId: string) =>
    (await send(COMMANDS.entriesList, { organizationId: org, tableId, limit: 100 })).items;

  beforeAll(async () => {
    leads = await startLeads('resolve');
    send = commandSender(leads.nc, leads.names);
    tableEvents = await leads.collect('LEADS');
    db = leads.app.get(DataSource);
  }, 120_000);

  afterAll(async () => {
    await tableEvents?.stop();
    await leads?.stop();
  }, 120_000);

  it("creates a new contact with the given data on the actor's channel, emitting the entry's events", async () => {
    const { org, actor, pool } = await organization();
    const result = await resolve(actor, pool.id, '  Ada@Example.test ', {
      name: 'Ada',
      phone: '+49 30 1234567',
    });
    expect(result).toEqual({ entryId: expect.any(String), created: true });
    const entry = await send(COMMANDS.entriesGet, { organizationId: org, id: result.entryId });
    expect(entry).toMatchObject({
      tableId: pool.id,
      data: { email: 'Ada@Example.test', name: 'Ada', phone: '+49 30 1234567' },
    });
    expect(await outboxTypes(entry.id)).toEqual([TABLE_ENTRY_ADDED, TABLE_ENTRY_LEAD_STATE_CHANGED]);
    const added = await eventually(() =>
      tableEvents.events.find((e) => e.body.type === TABLE_ENTRY_ADDED && e.body.subject === entry.id),
    );
    expect(added.body.channel).toBe('integration');
    // Only the given keys: no name or phone when they are missing, null or blank.
    const bare = await resolve(actor, pool.id, 'lin@example.test', { name: null, phone: '  ' });
    const bareEntry = await send(COMMANDS.entriesGet, { organizationId: org, id: bare.entryId });
    expect(bareEntry.data).toEqual({ email: 'lin@example.test' });
  });

  it('matches the contact whatever the casing and spaces of the address, and changes nothing', async () => {
    const { org, actor, pool } = await organization();
    const first = await resolve(actor, pool.id, 'grace@example.test', { name: 'Grace' });
    for (const email of ['GRACE@example.test', ' Grace@Example.TEST  '])
      expect(await resolve(actor, pool.id, email, { name: 'Someone else', phone: '+1 555 0100' })).toEqual({
        entryId: first.entryId,
        created: false,
      });
    const entry = await send(COMMANDS.entriesGet, { organizationId: org, id: first.entryId });
    expect(entry.data).toEqual({ email: 'grace@example.test', name: 'Grace' });
    expect(await outboxTypes(first.entryId)).toEqual([TABLE_ENTRY_ADDED, TABLE_ENTRY_LEAD_STATE_CHANGED]);
    expect(await entriesOf(org, pool.id)).toHaveLength(1);
  });

  it('finds the contact a form created, by the same lookup', async () => {
    const { org, actor, pool } = await organization();
    const form = await send(COMMANDS.formsCreate, {
      organizationId: org,
      name: 'Newsletter',
      tableId: pool.id,
      fields: [{ key: 'email', label: 'Email', type: 'email', required: true }],
    });
    const submitted = await send(COMMANDS.formsSubmit, {
      formId: form.id,
      values: { email: 'Ida@Example.test' },
      request: { correlationId: 'contacts-resolve-test', traceparent: null },
    });
    expect(await resolve(actor, pool.id, 'ida@example.test')).toEqual({
      entryId: (submitted as { entryId: string }).entryId,
      created: false,
    });
  });

  it('refuses an address that is none with a 400 naming email, and stores nothing', async () => {
    const { org, actor, pool } = await organization();
    for (const email of ['not-an-email', 'two@@example.test', 'no spaces@example.test']) {
      const error = await failure(resolve(actor, pool.id, email));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.details).toEqual({ errors: [{ field: 'email', message: 'must be an email address' }] });
    }
    expect(await entriesOf(org, pool.id)).toEqual([]);
  });

  it("answers 404 for another organization's pool and for an unknown one", async () => {
    const theirs = await organization();
    const { actor } = await organization();
    for (const tableId of [theirs.pool.id, uuidv7()]) {
      const error = await failure(resolve(actor, tableId, 'eve@example.test'));
      expect({ code: error.code, message: error.message }).toEqual({
        code: 'NOT_FOUND',
        message: 'Lead pool not found',
      });
    }
    expect(await entriesOf(theirs.org, theirs.pool.id)).toEqual([]);
  });

  it('ten simultaneous first resolves of one address create one contact, with its events once', async () => {
    const { org, actor, pool } = await organization();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        resolve(actor, pool.id, i % 2 === 0 ? 'eve@example.test' : 'EVE@example.test', { name: `Eve ${i}` }),
      ),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const entryId = results[0]!.entryId;
    expect(results.every((r) => r.entryId === entryId)).toBe(true);
    expect((await entriesOf(org, pool.id)).map((e) => e.id)).toEqual([entryId]);
    expect(await outboxTypes(entryId)).toEqual([TABLE_ENTRY_ADDED, TABLE_ENTRY_LEAD_STATE_CHANGED]);
    // Published: one table.entry.added for the pool, however many asked.
    await eventually(() =>
      tableEvents.events.some(
        (e) => e.body.type === TABLE_ENTRY_LEAD_STATE_CHANGED && e.body.subject === entryId,
      ),
    );
    const added = tableEvents.events.filter(
      (e) => e.body.type === TABLE_ENTRY_ADDED && (e.body.data as { tableId?: string }).tableId === pool.id,
    );
    expect(added.map((e) => e.body.subject)).toEqual([entryId]);
  });
});
