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

interface Scenario {
  infra: Infrastructure;
  db: { url: string; drop(): Promise<void> };
  nats: PrivateNats;
  names: WireNames;
  platform: RunningPlatform;
  webhookUrl: string;
  webhookToken: string;
  automationId: string;
}

async function setUp(): Promise<Scenario> {
  const infra = await startInfrastructure();
  const db = await createTestDatabase(infra.postgresUrl, uniqueName('afault'));
  const nats = await PrivateNats.start();
  const namespace = uniqueName('af');
  const platform = await startPlatform({
    databaseUrl: db.url,
    natsUrl: nats.url,
    namespace,
    env: { RPC_TIMEOUT_MS: '2000', LOG_LEVEL: 'warn' },
  });
  const { token } = await platform.bootstrap('Fault Co');
  const admin = new Api(platform.baseUrl, token);
  const { poolId, webhookId, webhookToken } = await createPoolWithWebhook(admin);
  const won = await admin.post<{ id: string }>(`/connect/lead_pools/${poolId}/lead_states`, { name: 'Won' });
  const automation = await admin.post<{ id: string }>('/api/v1/automations', {
    name: 'Welcome',
    status: 'active',
    trigger: { event: 'table.entry.added', triggerId: poolId },
    actions: [
      { type: 'update_fields', params: { data: { welcomed: 'yes {{ entry.data.n }}' } } },
      { type: 'change_lead_state', params: { stateId: won.body.id } },
      { type: 'send_email', params: { subject: 'Welcome', text: 'Hello {{ entry.data.email }}' } },
    ],
  });
  if (automation.status !== 201) throw new Error(`automation: ${JSON.stringify(automation.body)}`);
  return {
    infra,
    db,
    nats,
    names: new WireNames(namespace),
    platform,
    webhookUrl: `${platform.baseUrl}/public/ingress_webhooks/${webhookId}`,
    webhookToken,
    automationId: automation.body.id,
  };
}

async function collectAll(
  s: Scenario,
  stream: 'LEADS' | 'AUTOMATION',
  predicate: (type: string) => boolean,
  count: number,
) {
  const nc: NatsConnection = await connect({ servers: s.nats.url });
  const collector = await EventCollector.start(nc, s.names.stream(stream).name);
  try {
    return await collector.waitFor((e) => predicate(e.body.type), 60_000, count);
  } finally {
    await collector.stop();
    await nc.close();
  }
}

/** What a stalled scenario looked like: runs by status, failed steps and the services' last lines. */
async function diagnose(s: Scenario, leads: number): Promise<string> {
  // Each read reports its own failure: the diagnosis must never hide the error it explains.
  const unreadable = (error: unknown): string => `unreadable: ${String(error)}`;
  const byStatus = await query<{ status: string; n: number }>(
    s.db.url,
    `SELECT status, count(*)::int AS n, min(started_at) AS "firstStarted", max(lease_until) AS "lastLease",
            now() AS now
       FROM automation.runs GROUP BY status`,
  ).catch(unreadable);
  const steps = await query<{ status: string; type: string; attempts: number; error: unknown }>(
    s.db.url,
    `SELECT s.status, s.type, s.attempts, s.error FROM automation.run_steps s
      WHERE s.status <> 'completed' ORDER BY s.run_id, s.index LIMIT 10`,
  ).catch(unreadable);
  const tail = (service: { name: string; output: string[] }) =>
    `--- ${service.name} (last 40 lines)\n${service.output.slice(-40).join('\n')}`;
  return [
    `leads: ${leads}; runs by status: ${JSON.stringify(byStatus)}`,
    `steps not completed: ${JSON.stringify(steps)}`,
    tail(s.platform.automation),
    tail(s.platform.leads),
  ].join('\n');
}

(natsServerAvailable ? describe : describe.skip)('automation under faults', () => {
  let s: Scenario | undefined;

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

  it('SIGKILL of automation during a burst: exactly one run per event, every step applied once', async () => {
    const sc = s!;
    const runCount = async () =>
      (await query<{ n: number }>(sc.db.url, 'SELECT count(*)::int AS n FROM automation.runs'))[0]!.n;
    const poster = new Poster(sc.webhookUrl, sc.webhookToken, 8);
    try {
      await eventually(async () => (await runCount()) >= 40, {
        timeoutMs: 60_000,
        message: '40 runs before the crash',
      });
      await stopService(sc.platform.automation, 'SIGKILL');
      const created = poster.created.length;
      await eventually(() => poster.created.length >= created + 40, {
        timeoutMs: 60_000,
        message: 'leads accepted while automation is down',
      });
      sc.platform.automation = await startService(sc.platform.options, 'automation');
    } finally {
      await poster.stop();
    }
    expect(poster.created.length).toBeGreaterThan(80);
    // Every stored lead (a 201 or not) is an event the automation must run for exactly once.
    const created = (await query<{ id: string }>(sc.db.url, 'SELECT id FROM leads.entries')).map((r) => r.id);
    expect(created).toEqual(expect.arrayContaining(poster.created));

    // Every lead gets its run, and every run finishes.
    const runs = await eventually(
      async () => {
        const rows = await query<{ id: string; entry_id: string; status: string }>(
          sc.db.url,
          'SELECT id, entry_id, status FROM automation.runs WHERE automation_id = $1',
          [sc.automationId],
        );
        return rows.length >= created.length && rows.every((r) => r.status === 'completed')
          ? rows
          : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500, message: 'a completed run for every lead' },
    ).catch(async (error: unknown) => {
      throw new Error(`${(error as Error).message}\n${await diagnose(sc, created.length)}`);
    });
    const perEntry = new Map<string, number>();
    for (const run of runs) perEntry.set(run.entry_id, (perEntry.get(run.entry_id) ?? 0) + 1);
    for (const id of created) withContext(`runs of ${id}`, () => expect(perEntry.get(id)).toBe(1));
    expect(runs).toHaveLength(created.length);

    // Each run changed its lead's state once and asked for one email.
    const runIds = new Set(runs.map((r) => r.id));
    const changes = await collectAll(
      sc,
      'LEADS',
      (type) => type === 'table.entry.leadState.changed',
      created.length * 2,
    );
    const causedBy = new Map<string, number>();
    for (const e of changes)
      if (e.body.causationid && runIds.has(e.body.causationid as string))
        causedBy.set(e.body.causationid as string, (causedBy.get(e.body.causationid as string) ?? 0) + 1);
    for (const id of runIds)
      withContext(`state changes of run ${id}`, () => expect(causedBy.get(id)).toBe(1));

    const requests = await collectAll(
      sc,
      'AUTOMATION',
      (type) => type === 'automation.delivery.requested',
      runs.length,
    );
    const perRun = new Map<string, number>();
    for (const e of requests) {
      const runId = (e.body.data as { runId: string }).runId;
      perRun.set(runId, (perRun.get(runId) ?? 0) + 1);
    }
    for (const id of runIds)
      withContext(`delivery requests of run ${id}`, () => expect(perRun.get(id)).toBe(1));
    // Each lead's data was updated by its run.
    const updated = await query<{ n: number }>(
      sc.db.url,
      `SELECT count(*)::int AS n FROM leads.entries WHERE id = ANY($1::uuid[]) AND data ? 'welcomed'`,
      [created],
    );
    expect(updated[0]!.n).toBe(created.length);
  }, 300_000);
});
