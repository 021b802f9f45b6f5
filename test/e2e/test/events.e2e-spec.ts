import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api, E2E, TRACEPARENT, UUID_V7, type PoolSetup } from './support/platform';

describe('events on NATS (both services as processes)', () => {
  let e2e: E2E;
  let admin: Api;
  let organizationId: string;
  let setup: PoolSetup;

  beforeAll(async () => {
    e2e = await E2E.start();
    ({ admin, organizationId } = await e2e.organization('Events'));
    setup = await e2e.pool(admin, { email: 'string' });
  }, 120_000);

  afterAll(async () => {
    await e2e?.stop();
  }, 120_000);

  it('an ingress webhook entry emits table.entry.added then leadState.changed from null', async () => {
    const entry = (await e2e.ingest(setup, { data: { email: 'a@b' } })).body;
    const [added] = await e2e.events.waitFor(
      (e) => e.body.type === 'table.entry.added' && e.body.subject === entry.id,
    );
    const [changed] = await e2e.events.waitFor(
      (e) => e.body.type === 'table.entry.leadState.changed' && e.body.subject === entry.id,
    );
    expect(added!.seq).toBeLessThan(changed!.seq);
    expect(added!.subject).toBe(e2e.names.eventSubject('table.entry.added'));
    expect(added!.body.data).toEqual(entry);
    expect(changed!.body.data).toEqual({
      entryId: entry.id,
      tableId: setup.poolId,
      from: null,
      to: setup.stateId,
    });
    for (const event of [added!, changed!]) {
      expect(event.body).toMatchObject({
        specversion: '1.0',
        datacontenttype: 'application/json',
        organizationid: organizationId,
        channel: 'ingress_webhook',
        apitokenid: null,
        memberid: null,
        depth: 0,
      });
      expect(event.body.id).toMatch(UUID_V7);
      expect(event.body.traceparent).toMatch(TRACEPARENT);
      expect(typeof event.body.source).toBe('string');
      expect(Number.isNaN(Date.parse(event.body.time as string))).toBe(false);
      expect(event.headers['Nats-Msg-Id']).toBe(event.body.id);
    }
  });

  it('a Connect API entry carries channel connect_api and the token id, and continues the caller trace', async () => {
    const { api, tokenId } = await e2e.token(admin, ['write']);
    const traceId = 'a'.repeat(32);
    const res = await api.request(
      'POST',
      '/connect/table_entries/',
      { tableId: setup.poolId, data: { email: 'c@d' } },
      {
        traceparent: `00-${traceId}-${'b'.repeat(16)}-01`,
      },
    );
    expect(res.status).toBe(201);
    const found = await e2e.events.waitFor((e) => e.body.subject === res.body.id, 10_000, 2);
    expect(found.map((e) => e.body.type)).toEqual(['table.entry.added', 'table.entry.leadState.changed']);
    for (const event of found) {
      expect(event.body).toMatchObject({ channel: 'connect_api', apitokenid: tokenId, memberid: null });
      expect((event.body.traceparent as string).split('-')[1]).toBe(traceId);
    }
  });

  it('a Connect API entry with a leadStateId: full envelope, added before changed to that state', async () => {
    const { api, tokenId } = await e2e.token(admin, ['write']);
    const qualified = await admin.post<{ id: string }>(`/connect/lead_pools/${setup.poolId}/lead_states`, {
      name: 'Qualified',
    });
    const res = await api.post('/connect/table_entries', {
      tableId: setup.poolId,
      data: { email: 'q@x' },
      leadStateId: qualified.body.id,
    });
    expect(res.status).toBe(201);
    const [added, changed] = await e2e.events.waitFor((e) => e.body.subject === res.body.id, 10_000, 2);
    expect(added!.body.type).toBe('table.entry.added');
    expect(changed!.body.type).toBe('table.entry.leadState.changed');
    expect(added!.seq).toBeLessThan(changed!.seq);
    expect(added!.subject).toBe(e2e.names.eventSubject('table.entry.added'));
    expect(changed!.subject).toBe(e2e.names.eventSubject('table.entry.leadState.changed'));
    expect(added!.body.data).toEqual(res.body);
    expect(changed!.body.data).toEqual({
      entryId: res.body.id,
      tableId: setup.poolId,
      from: null,
      to: qualified.body.id,
    });
    for (const event of [added!, changed!]) {
      expect(event.body).toMatchObject({
        specversion: '1.0',
        subject: res.body.id,
        datacontenttype: 'application/json',
        organizationid: organizationId,
        channel: 'connect_api',
        apitokenid: tokenId,
        memberid: null,
      });
      expect(event.body.id).toMatch(UUID_V7);
      expect(event.body.traceparent).toMatch(TRACEPARENT);
      expect(typeof event.body.source).toBe('string');
      expect((event.body.source as string).length).toBeGreaterThan(0);
      expect(Number.isNaN(Date.parse(event.body.time as string))).toBe(false);
      expect(event.headers['Nats-Msg-Id']).toBe(event.body.id);
    }
    expect(added!.body.id).not.toBe(changed!.body.id);
  });

  it('a webhook request with a traceparent continues that trace in its events', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const res = await e2e.ingest(
      setup,
      { data: { email: 'trace@x' } },
      { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
    );
    expect(res.status).toBe(201);
    const found = await e2e.events.waitFor((e) => e.body.subject === res.body.id, 10_000, 2);
    for (const event of found) {
      expect(event.body.traceparent).toMatch(TRACEPARENT);
      expect((event.body.traceparent as string).split('-')[1]).toBe(traceId);
      expect(event.body).toMatchObject({ channel: 'ingress_webhook', apitokenid: null });
    }
  });

  it('a state-changing Connect PATCH carries the patching token, channel and trace', async () => {
    const { api, tokenId } = await e2e.token(admin, ['write']);
    const won = await admin.post<{ id: string }>(`/connect/lead_pools/${setup.poolId}/lead_states`, {
      name: 'Closed',
    });
    const entry = (await e2e.ingest(setup, { data: { email: 'p@x' } })).body;
    const traceId = 'c'.repeat(32);
    const patched = await api.request(
      'PATCH',
      `/connect/table_entries/${entry.id as string}`,
      { leadStateId: won.body.id },
      { traceparent: `00-${traceId}-${'d'.repeat(16)}-01` },
    );
    expect(patched).toMatchObject({ status: 200, body: { id: entry.id, leadStateId: won.body.id } });
    const [event] = await e2e.events.waitFor(
      (e) => e.body.subject === entry.id && (e.body.data as { to?: string }).to === won.body.id,
    );
    expect(event!.subject).toBe(e2e.names.eventSubject('table.entry.leadState.changed'));
    expect(event!.body).toMatchObject({
      type: 'table.entry.leadState.changed',
      specversion: '1.0',
      datacontenttype: 'application/json',
      organizationid: organizationId,
      channel: 'connect_api',
      apitokenid: tokenId,
      memberid: null,
      data: { entryId: entry.id, tableId: setup.poolId, from: setup.stateId, to: won.body.id },
    });
    expect(event!.body.id).toMatch(UUID_V7);
    expect((event!.body.traceparent as string).split('-')[1]).toBe(traceId);
    expect(event!.headers['Nats-Msg-Id']).toBe(event!.body.id);
  });

  it('a PATCH emits leadState.changed with from/to when the state changes and table.entry.updated when data changes; one that changes neither, nothing', async () => {
    const won = await admin.post(`/connect/lead_pools/${setup.poolId}/lead_states`, { name: 'Won' });
    const lost = await admin.post(`/connect/lead_pools/${setup.poolId}/lead_states`, { name: 'Lost' });
    const entry = (await e2e.ingest(setup, { data: { email: 'e@f' } })).body;
    const id = entry.id as string;
    expect(
      (
        await admin.patch(`/connect/table_entries/${id}`, {
          leadStateId: setup.stateId,
          data: { email: 'g@h' },
        })
      ).status,
    ).toBe(200);
    expect((await admin.patch(`/connect/table_entries/${id}`, { leadStateId: won.body.id })).status).toBe(
      200,
    );
    // Changes nothing: emits nothing (it would come before the next PATCH's event).
    expect(
      (
        await admin.patch(`/connect/table_entries/${id}`, {
          leadStateId: won.body.id,
          data: { email: 'g@h' },
        })
      ).status,
    ).toBe(200);
    expect((await admin.patch(`/connect/table_entries/${id}`, { leadStateId: lost.body.id })).status).toBe(
      200,
    );
    await e2e.events.waitFor(
      (e) => e.body.subject === id && (e.body.data as { to?: string }).to === lost.body.id,
    );
    const mine = e2e.eventsFor(id);
    expect(mine.map((e) => e.body.type)).toEqual([
      'table.entry.added',
      'table.entry.leadState.changed',
      'table.entry.updated',
      'table.entry.leadState.changed',
      'table.entry.leadState.changed',
    ]);
    // The first PATCH kept the state and changed the email.
    expect(mine[2]!.body.data).toEqual({
      entryId: id,
      tableId: setup.poolId,
      changes: { email: { from: 'e@f', to: 'g@h' } },
    });
    expect([mine[1]!, ...mine.slice(3)].map((e) => e.body.data)).toEqual([
      { entryId: id, tableId: setup.poolId, from: null, to: setup.stateId },
      { entryId: id, tableId: setup.poolId, from: setup.stateId, to: won.body.id },
      { entryId: id, tableId: setup.poolId, from: won.body.id, to: lost.body.id },
    ]);
  });

  it('publishes nothing for a request that stored nothing', async () => {
    const before = e2e.events.events.length;
    const rejected = await e2e.ingest(setup, { data: { email: 42 } });
    expect(rejected.status).toBe(400);
    const marker = (await e2e.ingest(setup, { data: { email: 'marker@x' } })).body;
    await e2e.events.waitFor((e) => e.body.subject === marker.id, 10_000, 2);
    const newEvents = e2e.events.events.slice(before);
    expect(newEvents.every((e) => e.body.subject === marker.id)).toBe(true);
  });

  it('an idempotent replay publishes no second table.entry.added', async () => {
    const first = (await e2e.ingest(setup, { data: { email: 'i@j' } }, { 'idempotency-key': 'ev-1' })).body;
    await e2e.ingest(setup, { data: { email: 'i@j' } }, { 'idempotency-key': 'ev-1' });
    const marker = (await e2e.ingest(setup, { data: { email: 'after@x' } })).body;
    await e2e.events.waitFor((e) => e.body.subject === marker.id, 10_000, 2);
    expect(e2e.eventsFor(first.id as string).filter((e) => e.body.type === 'table.entry.added')).toHaveLength(
      1,
    );
  });

  it('an idempotent Connect API replay publishes no second table.entry.added', async () => {
    const body = { tableId: setup.poolId, data: { email: 'k@l' } };
    const first = await admin.post('/connect/table_entries/', body, { 'idempotency-key': 'ev-connect-1' });
    const again = await admin.post('/connect/table_entries/', body, { 'idempotency-key': 'ev-connect-1' });
    expect(first.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    const marker = (
      await admin.post('/connect/table_entries/', { tableId: setup.poolId, data: { email: 'm@n' } })
    ).body;
    await e2e.events.waitFor((e) => e.body.subject === marker.id, 10_000, 2);
    expect(e2e.eventsFor(first.body.id as string).map((e) => e.body.type)).toEqual([
      'table.entry.added',
      'table.entry.leadState.changed',
    ]);
  });
});
