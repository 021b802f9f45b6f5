import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import {
  MAX_CUSTOM_FIELDS_PER_ORGANIZATION,
  MAX_ENTRY_BYTES,
  MAX_KEYS_PER_OBJECT,
  MAX_LEAD_STATES_PER_POOL,
  MAX_REPLY_BYTES,
  MAX_SCHEMA_KEYS,
  PAGE_BYTE_BUDGET,
  TABLE_ENTRY_ADDED,
  uuidv7,
  type Actor,
  type EntriesCreateRequest,
} from '@rocketlead/contracts';
import { failure, type EventCollector } from '@rocketlead/testing';
import { startLeads, type LeadsUnderTest } from './support';
import { EntriesService } from '../src/entries/entries.service';
import { PoolsService } from '../src/pools/pools.service';
import { LeadStatesService } from '../src/lead-states/lead-states.service';
import { CustomFieldsService } from '../src/custom-fields/custom-fields.service';

// The owning service re-checks every limit where the final value is computed: ingress is not the only
// possible sender, and a PATCH or an inferred schema is only known in full here.
describe('leads enforces the limits itself (real Postgres and NATS)', () => {
  let leads: LeadsUnderTest;
  let events: EventCollector;
  let entries: EntriesService;
  let pools: PoolsService;
  let states: LeadStatesService;
  let fields: CustomFieldsService;
  const org = uuidv7();
  const actor: Actor = {
    organizationId: org,
    channel: 'ingress_webhook',
    apiTokenId: null,
    memberId: null,
    correlationId: 'limits',
    traceparent: null,
  };

  async function pool(): Promise<string> {
    const created = await pools.create({ organizationId: org, name: 'Pool' });
    await states.create({ organizationId: org, tableId: created.id, name: 'New', isDefault: true });
    return created.id;
  }

  const create = (
    tableId: string,
    data: Record<string, unknown>,
    extra: Partial<EntriesCreateRequest> = {},
  ) =>
    entries.create({
      actor,
      tableId,
      data: data as EntriesCreateRequest['data'],
      schemaMode: 'infer',
      ...extra,
    });

  const strings = (count: number, length: number): Record<string, string> =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`s${i}`, 'x'.repeat(length)]));

  const count = async (tableId: string): Promise<number> =>
    (await entries.list({ organizationId: org, tableId, limit: 100 })).items.length;

  beforeAll(async () => {
    leads = await startLeads('leadslimits', { commands: false });
    entries = leads.app.get(EntriesService);
    pools = leads.app.get(PoolsService);
    states = leads.app.get(LeadStatesService);
    fields = leads.app.get(CustomFieldsService);
    events = await leads.collect('LEADS');
  }, 120_000);

  afterAll(() => leads?.stop(), 120_000);

  it('refuses content ingress would have refused: size, key count, NUL, __proto__', async () => {
    const tableId = await pool();
    const big = await failure(create(tableId, strings(5, 60_000)));
    expect(big.code).toBe('PAYLOAD_TOO_LARGE');
    expect(big.details).toMatchObject({ field: 'data', limit: MAX_ENTRY_BYTES });

    const many = Object.fromEntries(Array.from({ length: MAX_KEYS_PER_OBJECT + 1 }, (_, i) => [`k${i}`, 1]));
    const keys = await failure(create(tableId, many));
    expect(keys.code).toBe('VALIDATION_FAILED');
    expect(keys.details?.errors).toEqual([
      {
        field: 'data',
        message: `must have at most ${MAX_KEYS_PER_OBJECT} keys (got ${MAX_KEYS_PER_OBJECT + 1})`,
      },
    ]);

    const nul = await failure(create(tableId, { note: 'a\u0000' }));
    expect((nul.details?.errors as { field: string }[]).map((e) => e.field)).toEqual(['data.note']);

    // As it arrives over NATS: JSON.parse makes `__proto__` an own key.
    const proto = await failure(create(tableId, JSON.parse('{"__proto__":"x"}') as Record<string, unknown>));
    expect((proto.details?.errors as { field: string }[]).map((e) => e.field)).toEqual(['data.__proto__']);
    expect(await count(tableId)).toBe(0);
  });

  it('stores keys named like Object.prototype members as ordinary keys', async () => {
    const tableId = await pool();
    const data = { constructor: 'a', toString: 'b', hasOwnProperty: 'c', valueOf: 1, prototype: true };
    const entry = await create(tableId, data);
    expect(entry.data).toEqual(data);
    expect((await entries.get({ organizationId: org, id: entry.id })).data).toEqual(data);
    expect(Object.keys((await pools.get({ organizationId: org, id: tableId })).tableSchema).sort()).toEqual(
      Object.keys(data).sort(),
    );
  });

  it('refuses the request that would grow a schema past its key limit and adds nothing', async () => {
    const tableId = await pool();
    for (let batch = 0; batch < MAX_SCHEMA_KEYS / MAX_KEYS_PER_OBJECT; batch++) {
      const tableSchema = Object.fromEntries(
        Array.from({ length: MAX_KEYS_PER_OBJECT }, (_, i) => [`b${batch}_${i}`, 'number' as const]),
      );
      await pools.update({ organizationId: org, id: tableId, tableSchema });
    }
    const viaPatch = await failure(
      pools.update({ organizationId: org, id: tableId, tableSchema: { x: 'string' } }),
    );
    expect(viaPatch.details?.errors).toEqual([
      {
        field: 'tableSchema',
        message: `The lead pool schema would have ${MAX_SCHEMA_KEYS + 1} keys; the limit is ${MAX_SCHEMA_KEYS}`,
      },
    ]);
    const viaInference = await failure(create(tableId, { b0_0: 1, brandNew: 'x' }));
    expect(viaInference.code).toBe('VALIDATION_FAILED');
    expect((viaInference.details?.errors as { field: string }[])[0]!.field).toBe('data');
    const schema = (await pools.get({ organizationId: org, id: tableId })).tableSchema;
    expect(Object.keys(schema)).toHaveLength(MAX_SCHEMA_KEYS);
    expect(await count(tableId)).toBe(0);
    // Known keys still go in.
    await create(tableId, { b0_0: 1 });
    expect(await count(tableId)).toBe(1);
  });

  it('refuses a PATCH whose merged entry passes the limit; the entry and its state stay as they were', async () => {
    const tableId = await pool();
    const first = await create(tableId, strings(4, 60_000));
    const error = await failure(
      entries.update({ actor, id: first.id, data: { s0: 'y'.repeat(60_000), extra: 'z'.repeat(30_000) } }),
    );
    // `extra` is not in the schema (strict on PATCH), so it is named before the size is computed.
    expect(error.code).toBe('VALIDATION_FAILED');
    await pools.update({ organizationId: org, id: tableId, tableSchema: { extra: 'string' } });
    const tooBig = await failure(
      entries.update({ actor, id: first.id, data: { extra: 'z'.repeat(30_000) } }),
    );
    expect(tooBig.code).toBe('PAYLOAD_TOO_LARGE');
    expect(tooBig.details).toMatchObject({ field: 'data', limit: MAX_ENTRY_BYTES });
    expect(await entries.get({ organizationId: org, id: first.id })).toEqual(first);
  });

  it('stops an entry page at the byte budget and continues it from nextCursor', async () => {
    const tableId = await pool();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create(tableId, strings(3, 60_000))).id);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await entries.list({
        organizationId: org,
        tableId,
        limit: 100,
        ...(cursor ? { cursor } : {}),
      });
      expect(Buffer.byteLength(JSON.stringify(page.items))).toBeLessThanOrEqual(PAGE_BYTE_BUDGET);
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
  });

  it('answers a typed error, not an unsendable reply, for an entry stored before the limits', async () => {
    const tableId = await pool();
    const normal = await create(tableId, { a: 'x' });
    const legacy = uuidv7();
    await leads.app.get(DataSource).query(
      `INSERT INTO leads.entries (id, organization_id, table_id, data, custom_field_data, lead_state_id, created_at, updated_at)
       VALUES ($1, $2, $3, $4::jsonb, '{}'::jsonb, $5, now(), now())`,
      [legacy, org, tableId, JSON.stringify({ a: 'x'.repeat(MAX_REPLY_BYTES) }), normal.leadStateId],
    );
    const get = await failure(entries.get({ organizationId: org, id: legacy }));
    expect(get.code).toBe('REPLY_TOO_LARGE');
    const list = await failure(entries.list({ organizationId: org, tableId, limit: 100 }));
    expect(list.code).toBe('REPLY_TOO_LARGE');
    expect(list.details).toMatchObject({ entryId: legacy });
    // The service keeps serving and publishing.
    const after = await create(tableId, { a: 'y' });
    await events.waitFor((e) => e.body.type === TABLE_ENTRY_ADDED && e.body.subject === after.id, 15_000);
  });

  it('caps lead states per pool and custom fields per organization, so their lists stay one reply', async () => {
    const tableId = await pool();
    for (let i = 1; i < MAX_LEAD_STATES_PER_POOL; i++)
      await states.create({ organizationId: org, tableId, name: `S${i}` });
    const state = await failure(states.create({ organizationId: org, tableId, name: 'one too many' }));
    expect(state.details?.errors).toEqual([
      {
        field: 'name',
        message: `a lead pool has at most ${MAX_LEAD_STATES_PER_POOL} lead states; this one is full`,
      },
    ]);
    expect(await states.list({ organizationId: org, tableId })).toHaveLength(MAX_LEAD_STATES_PER_POOL);

    const other = uuidv7();
    await Promise.all(
      Array.from({ length: MAX_CUSTOM_FIELDS_PER_ORGANIZATION + 5 }, (_, i) =>
        fields.create({ organizationId: other, name: `F${i}`, type: 'string' }).catch((e: unknown) => e),
      ),
    );
    expect(await fields.list({ organizationId: other })).toHaveLength(MAX_CUSTOM_FIELDS_PER_ORGANIZATION);
    const field = await failure(fields.create({ organizationId: other, name: 'late', type: 'string' }));
    expect(field.code).toBe('VALIDATION_FAILED');
  });
});
