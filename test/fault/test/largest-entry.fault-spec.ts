import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type NatsConnection } from 'nats';
import {
  jsonByteLength,
  MAX_ENTRY_BYTES,
  MAX_STRING_LENGTH,
  NATS_MAX_PAYLOAD_BYTES,
  TABLE_ENTRY_ADDED,
  WireNames,
} from '@rocketlead/contracts';
import {
  Api,
  createPoolWithWebhook,
  createTestDatabase,
  EventCollector,
  natsServerAvailable,
  PrivateNats,
  startInfrastructure,
  startPlatform,
  uniqueName,
  type Infrastructure,
  type RunningPlatform,
} from '@rocketlead/testing';

/**
 * The largest lead the limits allow: `data` (strings at the string limit, some multi-byte and escaped
 * characters) whose serialized size plus an empty `customFieldData` is exactly MAX_ENTRY_BYTES.
 */
function largestData(extraBytes = 0): Record<string, string> {
  const full = 'x'.repeat(MAX_STRING_LENGTH);
  const data: Record<string, string> = {
    a: '€'.repeat(1000) + full.slice(1000),
    b: '\u0001"\\'.repeat(100) + full.slice(300),
    c: full,
    d: '',
  };
  const room = MAX_ENTRY_BYTES - jsonByteLength({}) - jsonByteLength(data) + extraBytes;
  data.d = 'y'.repeat(room);
  return data;
}

// A private nats-server with the default max_payload (1 MiB): the event of the largest entry must fit in it.
(natsServerAvailable ? describe : describe.skip)('the largest entry the limits allow', () => {
  let infra: Infrastructure;
  let db: { url: string; drop(): Promise<void> };
  let nats: PrivateNats;
  let platform: RunningPlatform;
  let nc: NatsConnection;
  let events: EventCollector;
  let hook: { webhookId: string; webhookToken: string };
  let admin: Api;

  beforeAll(async () => {
    infra = await startInfrastructure();
    db = await createTestDatabase(infra.postgresUrl, uniqueName('fault'));
    nats = await PrivateNats.start();
    const namespace = uniqueName('f');
    platform = await startPlatform({
      databaseUrl: db.url,
      natsUrl: nats.url,
      namespace,
      env: { LOG_LEVEL: 'error' },
    });
    const { token } = await platform.bootstrap('Largest Co');
    admin = new Api(platform.baseUrl, token);
    hook = await createPoolWithWebhook(admin);
    nc = await connect({ servers: nats.url });
    expect(nc.info?.max_payload).toBe(NATS_MAX_PAYLOAD_BYTES);
    events = await EventCollector.start(nc, new WireNames(namespace).stream('LEADS').name);
  }, 120_000);

  afterAll(async () => {
    await events?.stop();
    await nc?.close();
    await platform?.stop();
    await nats?.dispose();
    await PrivateNats.removeAll();
    await db?.drop();
    await infra?.stop();
  }, 60_000);

  const ingest = (body: unknown) =>
    new Api(platform.baseUrl).post(`/public/ingress_webhooks/${hook.webhookId}`, body, {
      'x-rocketlead-ingress-token': hook.webhookToken,
    });

  it('is stored through the ingress webhook and its table.entry.added is published, then later events too', async () => {
    const data = largestData();
    expect(jsonByteLength(data) + jsonByteLength({})).toBe(MAX_ENTRY_BYTES);

    const res = await ingest({ data });
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    const [added] = await events.waitFor(
      (e) => e.body.type === TABLE_ENTRY_ADDED && e.body.subject === id,
      30_000,
    );
    expect((added!.body.data as { data: unknown }).data).toEqual(data);

    // It reads back, alone and in a page, and it did not stall the stream: a normal lead still publishes.
    expect((await admin.get(`/connect/table_entries/${id}`)).body.data).toEqual(data);
    const page = await admin.get<{ items: { id: string }[] }>('/connect/table_entries?limit=100');
    expect(page.body.items.map((item) => item.id)).toContain(id);
    const next = await ingest({ data: { email: 'next@example.com' } });
    expect(next.status).toBe(201);
    await events.waitFor((e) => e.body.type === TABLE_ENTRY_ADDED && e.body.subject === next.body.id, 30_000);
  });

  it('one byte more is refused with a 413 naming the limit, and nothing is stored', async () => {
    const res = await ingest({ data: largestData(1) });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ field: 'data', limit: MAX_ENTRY_BYTES, bytes: MAX_ENTRY_BYTES + 1 });
    // Only the two leads of the test before are stored.
    const page = await admin.get<{ items: unknown[] }>('/connect/table_entries?limit=100');
    expect(page.body.items).toHaveLength(2);
  });
});
