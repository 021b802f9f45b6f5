import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { COMMANDS, uuidv7, type Actor, type RpcReply, type TableEntry } from '@rocketlead/contracts';
import { Api, E2E, type PoolSetup } from './support/platform';

// leads writes concurrent creates as one group (one statement, one commit). These tests send bursts so that
// groups really form, and check that every guarantee still holds per request.
describe('group commit of ingested leads (all services as processes)', () => {
  let e2e: E2E;
  let admin: Api;
  let organizationId: string;

  beforeAll(async () => {
    e2e = await E2E.start();
    ({ admin, organizationId } = await e2e.organization('Groups'));
  }, 120_000);

  afterAll(async () => {
    await e2e?.stop();
  }, 120_000);

  const entriesOf = async (poolId: string): Promise<TableEntry[]> =>
    (await admin.get<{ items: TableEntry[] }>(`/connect/table_entries?tableId=${poolId}&limit=100`)).body
      .items;

  /** Waits for both events of every entry, then checks there is exactly one of each and none for others. */
  async function expectOneEventPairEach(ids: string[]): Promise<void> {
    await e2e.events.waitFor((e) => ids.includes(e.body.subject as string), 20_000, ids.length * 2);
    for (const id of ids) {
      const types = e2e.eventsFor(id).map((e) => e.body.type);
      expect(types.sort()).toEqual(['table.entry.added', 'table.entry.leadState.changed']);
    }
  }

  /** A create sent straight to leads over NATS, as ingress sends it (with its downstream idempotency key). */
  async function createOnLeads(
    setup: PoolSetup,
    data: Record<string, unknown>,
    idempotencyKey?: string,
  ): Promise<RpcReply<TableEntry>> {
    const actor: Actor = {
      organizationId,
      channel: 'ingress_webhook',
      apiTokenId: null,
      memberId: null,
      correlationId: 'group-commit',
      traceparent: null,
    };
    const msg = await e2e.nc.request(
      e2e.names.command(COMMANDS.entriesCreate),
      JSON.stringify({
        actor,
        tableId: setup.poolId,
        data,
        schemaMode: 'infer',
        ...(idempotencyKey ? { idempotencyKey } : {}),
      }),
      { timeout: 20_000 },
    );
    return msg.json<RpcReply<TableEntry>>();
  }

  it('answers a single request at idle', async () => {
    const setup = await e2e.pool(admin, { email: 'string' });
    const res = await e2e.ingest(setup, { data: { email: 'alone@example.com' } });
    expect(res.status).toBe(201);
    await expectOneEventPairEach([res.body.id as string]);
  });

  it('a burst with one invalid lead in the middle: every other lead 201 with one entry and one event pair', async () => {
    const setup = await e2e.pool(admin, { email: 'string' });
    const bodies = Array.from({ length: 41 }, (_, i) =>
      i === 20 ? { data: { email: 123 } } : { data: { email: `lead${i}@example.com` } },
    );
    const responses = await Promise.all(bodies.map((body) => e2e.ingest(setup, body)));

    expect(responses[20]!.status).toBe(400);
    expect(responses[20]!.body.typeErrors).toEqual([
      { key: 'email', expected: 'string', received: 'number' },
    ]);
    const created = responses.filter((_, i) => i !== 20);
    expect(created.map((r) => r.status)).toEqual(created.map(() => 201));

    const ids = created.map((r) => r.body.id as string);
    expect(new Set(ids).size).toBe(40);
    const stored = await entriesOf(setup.poolId);
    expect(stored.map((e) => e.id).sort()).toEqual([...ids].sort());
    for (const res of created) {
      expect(stored.find((e) => e.id === res.body.id)!.data).toEqual(res.body.data);
    }
    await expectOneEventPairEach(ids);
  });

  // Requests with the same key pass the lookup together and meet in one group, whose statement then fails
  // on the unique key: the group falls back to one statement per entry, and only the repeats lose the race.
  it('the same idempotency key sent concurrently to leads: one entry answered to every repeat, the rest of the group stored', async () => {
    const setup = await e2e.pool(admin, { email: 'string' });
    const key = `key-${uuidv7()}`;
    const replies = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        i % 2 === 0
          ? createOnLeads(setup, { email: 'same@example.com' }, key)
          : createOnLeads(setup, { email: `else${i}@example.com` }),
      ),
    );
    const results = replies.map((reply) => {
      if (!reply.ok) throw new Error(JSON.stringify(reply.error));
      return reply.result;
    });
    const keyed = new Set(results.filter((_, i) => i % 2 === 0).map((entry) => entry.id));
    expect(keyed.size).toBe(1);
    const ids = [...keyed, ...results.filter((_, i) => i % 2 === 1).map((entry) => entry.id)];
    const stored = await entriesOf(setup.poolId);
    expect(stored.map((e) => e.id).sort()).toEqual([...ids].sort());
    await expectOneEventPairEach(ids);
  });

  it('the same Idempotency-Key over HTTP concurrently creates one entry', async () => {
    const setup = await e2e.pool(admin, { email: 'string' });
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        e2e.ingest(setup, { data: { email: 'once@example.com' } }, { 'idempotency-key': 'order-1' }),
      ),
    );
    // One request creates it; the others replay it or are told it is still in flight (409).
    const created = responses.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    expect(responses.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    const stored = await entriesOf(setup.poolId);
    expect(stored.map((e) => e.id)).toEqual([created[0]!.body.id]);
    await expectOneEventPairEach([created[0]!.body.id as string]);
  });

  it('concurrent first writers of a new key that disagree on its type: one stored, one 400 with typeErrors', async () => {
    const setup = await e2e.pool(admin);
    for (let round = 0; round < 5; round += 1) {
      const key = `field${round}`;
      const [text, number] = await Promise.all([
        e2e.ingest(setup, { data: { [key]: 'text' } }),
        e2e.ingest(setup, { data: { [key]: 42 } }),
      ]);
      const statuses = [text.status, number.status].sort();
      expect(statuses).toEqual([201, 400]);
      const loser = text.status === 400 ? text : number;
      const winnerType = text.status === 201 ? 'string' : 'number';
      expect(loser.body.typeErrors).toEqual([
        { key, expected: winnerType, received: winnerType === 'string' ? 'number' : 'string' },
      ]);
      const pool = await admin.get<{ tableSchema: Record<string, string> }>(
        `/connect/lead_pools/${setup.poolId}`,
      );
      expect(pool.body.tableSchema[key]).toBe(winnerType);
    }
    const stored = await entriesOf(setup.poolId);
    expect(stored).toHaveLength(5);
    await expectOneEventPairEach(stored.map((e) => e.id));
  });
});
