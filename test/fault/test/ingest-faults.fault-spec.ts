import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { connect, type NatsConnection } from 'nats';
import { WireNames } from '@rocketlead/contracts';
import {
  Api,
  createPoolWithWebhook,
  createTestDatabase,
  EventCollector,
  eventually,
  natsServerAvailable,
  PrivateNats,
  startInfrastructure,
  startPlatform,
  startService,
  stopService,
  uniqueName,
  withContext,
  type Infrastructure,
  type RunningPlatform,
} from '@rocketlead/testing';
import { Poster, query } from './support';

const CONCURRENCY = 16;

interface Scenario {
  infra: Infrastructure;
  db: { url: string; drop(): Promise<void> };
  nats: PrivateNats;
  names: WireNames;
  platform: RunningPlatform;
  webhookUrl: string;
  webhookToken: string;
}

async function setUp(): Promise<Scenario> {
  const infra = await startInfrastructure();
  const db = await createTestDatabase(infra.postgresUrl, uniqueName('fault'));
  const nats = await PrivateNats.start();
  const namespace = uniqueName('f');
  const platform = await startPlatform({
    databaseUrl: db.url,
    natsUrl: nats.url,
    namespace,
    // Short RPC timeout: requests caught by a crash fail fast instead of holding the client for 10 s.
    env: { RPC_TIMEOUT_MS: '2000', LOG_LEVEL: 'error' },
  });
  const { token } = await platform.bootstrap('Fault Co');
  const { webhookId, webhookToken } = await createPoolWithWebhook(new Api(platform.baseUrl, token));
  return {
    infra,
    db,
    nats,
    names: new WireNames(namespace),
    platform,
    webhookUrl: `${platform.baseUrl}/public/ingress_webhooks/${webhookId}`,
    webhookToken,
  };
}

/** Every 201 has exactly one stored entry and exactly one table.entry.added; every stored entry has its event. */
async function assertExactlyOnce(s: Scenario, created: string[]): Promise<void> {
  expect(new Set(created).size).toBe(created.length);
  const stored = await query<{ id: string }>(
    s.db.url,
    'SELECT id FROM leads.entries WHERE id = ANY($1::uuid[])',
    [created],
  );
  expect(stored).toHaveLength(created.length);

  const all = await query<{ n: number }>(s.db.url, 'SELECT count(*)::int AS n FROM leads.entries');
  await eventually(
    async () =>
      (
        await query<{ n: number }>(
          s.db.url,
          'SELECT count(*)::int AS n FROM leads.outbox WHERE published_at IS NULL',
        )
      )[0]!.n === 0,
    { timeoutMs: 30_000, message: 'outbox drained' },
  );
  const nc: NatsConnection = await connect({ servers: s.nats.url });
  const collector = await EventCollector.start(nc, s.names.stream('LEADS').name);
  try {
    const added = await collector.waitFor((e) => e.body.type === 'table.entry.added', 30_000, all[0]!.n);
    const perEntry = new Map<string, number>();
    for (const event of added) {
      const id = (event.body.data as { id: string }).id;
      perEntry.set(id, (perEntry.get(id) ?? 0) + 1);
    }
    for (const id of created)
      withContext(`table.entry.added for ${id}`, () => expect(perEntry.get(id)).toBe(1));
    // No event without a committed entry, and no entry without its event.
    expect(perEntry.size).toBe(all[0]!.n);
    expect([...perEntry.values()].every((n) => n === 1)).toBe(true);
  } finally {
    await collector.stop();
    await nc.close();
  }
}

(natsServerAvailable ? describe : describe.skip)('ingest under faults', () => {
  let s: Scenario | undefined;

  // Also after a failed setUp, whose scenario never reached afterEach.
  afterAll(() => PrivateNats.removeAll());

  beforeEach(async () => {
    s = await setUp();
  }, 120_000);

  afterEach(async () => {
    if (!s) return;
    await s.platform.stop();
    await s.nats.dispose();
    await s.db.drop();
    await s.infra.stop();
    s = undefined;
  });

  it('SIGKILL of leads while posting: every 201 has exactly one entry and one table.entry.added', async () => {
    const sc = s!;
    const poster = new Poster(sc.webhookUrl, sc.webhookToken, CONCURRENCY);
    try {
      await eventually(() => poster.created.length >= 150, {
        timeoutMs: 60_000,
        message: '150 leads before the crash',
      });
      await stopService(sc.platform.leads, 'SIGKILL');
      await eventually(() => poster.failures.size > 0, {
        timeoutMs: 30_000,
        message: 'requests failing while leads is down',
      });
      sc.platform.leads = await startService(sc.platform.options, 'leads');
      const afterRestart = poster.created.length;
      await eventually(() => poster.created.length >= afterRestart + 150, {
        timeoutMs: 60_000,
        message: '150 leads after restart',
      });
    } finally {
      await poster.stop();
    }
    expect([...poster.failures.keys()].every((k) => k === '503' || k === 'TimeoutError')).toBe(true);
    await assertExactlyOnce(sc, poster.created);
  });

  it('NATS stopped while posting: the outbox keeps what it holds and publishes it after NATS returns', async () => {
    const sc = s!;
    const poster = new Poster(sc.webhookUrl, sc.webhookToken, CONCURRENCY);
    let heldDuringOutage = 0;
    try {
      await eventually(() => poster.created.length >= 300, {
        timeoutMs: 60_000,
        message: '300 leads before the outage',
      });
      // Whether a commit races the outage (and waits in the outbox) is timing; up to 3 outages until one does.
      for (let outage = 1; outage <= 3 && heldDuringOutage === 0; outage += 1) {
        if (outage > 1) {
          const before = poster.created.length;
          await eventually(() => poster.created.length >= before + 100, {
            timeoutMs: 60_000,
            message: '100 leads before the next outage',
          });
        }
        const failuresBefore = [...poster.failures.values()].reduce((sum, n) => sum + n, 0);
        await sc.nats.down();
        await eventually(
          () => [...poster.failures.values()].reduce((sum, n) => sum + n, 0) > failuresBefore,
          {
            timeoutMs: 30_000,
            message: 'requests failing while NATS is down',
          },
        );
        heldDuringOutage = (
          await query<{ n: number }>(
            sc.db.url,
            'SELECT count(*)::int AS n FROM leads.outbox WHERE published_at IS NULL',
          )
        )[0]!.n;
        await sc.nats.up();
      }
      const afterRestart = poster.created.length;
      await eventually(() => poster.created.length >= afterRestart + 150, {
        timeoutMs: 60_000,
        message: '150 leads after NATS returned',
      });
    } finally {
      await poster.stop();
    }
    // Entries committed as NATS went away could not be published then; they waited in the outbox.
    expect(heldDuringOutage).toBeGreaterThan(0);
    await assertExactlyOnce(sc, poster.created);
  });
});
