import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@rocketlead/testing';
import { Api, E2E, type PoolSetup } from './support/platform';

interface Automation {
  id: string;
  status: string;
  version: number;
  actions: { id: string; type: string; params: Record<string, unknown> }[];
}
interface RunSummary {
  id: string;
  status: string;
  reason: string | null;
  sandbox: boolean;
  triggerName: string | null;
  context: { eventId: string; entryId: string | null; channel: string; depth: number; correlationId: string };
}
interface Run extends RunSummary {
  automationVersion: number;
  steps: {
    index: number;
    type: string;
    status: string;
    wouldDo: unknown;
    output: unknown;
    error: string | null;
  }[];
}

describe('automations (all services as processes)', () => {
  let e2e: E2E;
  let admin: Api;
  let reader: Api;
  let organizationId: string;

  const create = async (body: Record<string, unknown>): Promise<Automation> => {
    const res = await admin.post<Automation>('/api/v1/automations', body);
    if (res.status !== 201) throw new Error(`automation: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const runs = async (automationId: string, query = ''): Promise<RunSummary[]> => {
    const res = await admin.get<{ items: RunSummary[] }>(`/api/v1/automations/${automationId}/runs${query}`);
    expect(res.status).toBe(200);
    return res.body.items;
  };
  const run = async (automationId: string, runId: string): Promise<Run> => {
    const res = await admin.get<Run>(`/api/v1/automations/${automationId}/runs/${runId}`);
    expect(res.status).toBe(200);
    return res.body;
  };
  const finishedRuns = (automationId: string, count = 1, query = '') =>
    eventually(
      async () => {
        const items = (await runs(automationId, query)).filter((r) => r.status !== 'running');
        return items.length >= count ? items : undefined;
      },
      { timeoutMs: 20_000, message: `${count} finished run(s) of ${automationId}` },
    );
  const state = async (pool: PoolSetup, name: string): Promise<string> => {
    const res = await admin.post<{ id: string }>(`/connect/lead_pools/${pool.poolId}/lead_states`, { name });
    expect(res.status).toBe(201);
    return res.body.id;
  };
  const entry = async (id: string) =>
    (await admin.get<{ leadStateId: string; data: Record<string, unknown> }>(`/connect/table_entries/${id}`))
      .body;

  beforeAll(async () => {
    e2e = await E2E.start();
    ({ admin, organizationId } = await e2e.organization('Automations'));
    ({ api: reader } = await e2e.token(admin, ['read']));
  }, 120_000);

  afterAll(async () => {
    await e2e?.stop();
  }, 120_000);

  it('runs a matching automation on a Connect POST: fields updated and state changed, caused by the run', async () => {
    const pool = await e2e.pool(admin, { email: 'string', source: 'string' });
    const qualified = await state(pool, 'Qualified');
    const automation = await create({
      name: 'Qualify ads leads',
      trigger: { event: 'table.entry.added', triggerId: pool.poolId, conditions: { source: ['ads', 'fb'] } },
      actions: [
        { type: 'update_fields', params: { data: { greeting: 'Hello {{ entry.data.email }}' } } },
        { type: 'change_lead_state', params: { stateId: qualified } },
      ],
      status: 'active',
    });
    expect(automation).toMatchObject({ organizationId, status: 'active', version: 1, sandbox: false });
    expect(automation.actions.every((a) => typeof a.id === 'string' && a.id.length > 0)).toBe(true);

    const created = await admin.post<{ id: string }>('/connect/table_entries', {
      tableId: pool.poolId,
      data: { email: 'ann@example.com', source: 'ads' },
    });
    expect(created.status).toBe(201);
    const entryId = created.body.id;
    const [done] = await finishedRuns(automation.id);
    expect(done).toMatchObject({ status: 'completed', sandbox: false, triggerName: 'Pool' });
    expect(done!.context).toMatchObject({ entryId, channel: 'connect_api', depth: 0 });

    const changed = await e2e.events.waitFor(
      (e) =>
        e.body.type === 'table.entry.leadState.changed' &&
        (e.body.data as { entryId: string; to: string }).entryId === entryId &&
        (e.body.data as { to: string }).to === qualified,
    );
    expect(changed[0]!.body).toMatchObject({ channel: 'automation', causationid: done!.id, depth: 1 });
    expect(await entry(entryId)).toMatchObject({
      leadStateId: qualified,
      data: { email: 'ann@example.com', source: 'ads', greeting: 'Hello ann@example.com' },
    });

    const detail = await run(automation.id, done!.id);
    expect(detail.automationVersion).toBe(1);
    expect(detail.steps.map((s) => [s.type, s.status])).toEqual([
      ['update_fields', 'completed'],
      ['change_lead_state', 'completed'],
    ]);
    const started = await e2e.automationEvents.waitFor(
      (e) =>
        e.body.type === 'automation.run.started' && (e.body.data as { runId: string }).runId === done!.id,
    );
    expect(started).toHaveLength(1);
    await e2e.automationEvents.waitFor(
      (e) =>
        e.body.type === 'automation.run.completed' && (e.body.data as { runId: string }).runId === done!.id,
    );
    // Readers see runs, and cannot create automations.
    expect((await reader.get(`/api/v1/automations/${automation.id}/runs/${done!.id}`)).status).toBe(200);
    expect((await reader.post('/api/v1/automations', { name: 'x', trigger: {}, actions: [] })).status).toBe(
      403,
    );
  });

  it('starts nothing for non-matching conditions, drafts, paused or archived automations', async () => {
    const pool = await e2e.pool(admin, { source: 'string' });
    const base = { trigger: { event: 'table.entry.added', triggerId: pool.poolId }, actions: [] };
    const other = await create({
      ...base,
      name: 'other source',
      status: 'active',
      trigger: { ...base.trigger, conditions: { source: 'seo' } },
    });
    const draft = await create({ ...base, name: 'draft' });
    const paused = await create({ ...base, name: 'paused', status: 'paused' });
    const archived = await create({ ...base, name: 'archived', status: 'active' });
    expect((await admin.delete(`/api/v1/automations/${archived.id}`)).status).toBe(204);
    // A marker that does run, so the test knows the event went through the engine.
    const marker = await create({ ...base, name: 'marker', status: 'active' });
    const lead = await e2e.ingest(pool, { data: { source: 'ads' } });
    expect(lead.status).toBe(201);
    await finishedRuns(marker.id);
    for (const automation of [other, draft, paused, archived]) expect(await runs(automation.id)).toEqual([]);
    expect((await admin.get<Automation>(`/api/v1/automations/${archived.id}`)).body.status).toBe('archived');
  });

  it('stops two automations that flip a lead between two states, and shows why', async () => {
    const pool = await e2e.pool(admin);
    const hot = await state(pool, 'Hot');
    const cold = await state(pool, 'Cold');
    const toHot = await create({
      name: 'to hot',
      status: 'active',
      trigger: { event: 'table.entry.leadState.changed', triggerId: pool.poolId, to: cold },
      actions: [{ type: 'change_lead_state', params: { stateId: hot } }],
    });
    const toCold = await create({
      name: 'to cold',
      status: 'active',
      trigger: { event: 'table.entry.leadState.changed', triggerId: pool.poolId, to: hot },
      actions: [{ type: 'change_lead_state', params: { stateId: cold } }],
    });
    const lead = await e2e.ingest(pool, { data: { n: 1 } });
    const entryId = (lead.body as { id: string }).id;
    expect((await admin.patch(`/connect/table_entries/${entryId}`, { leadStateId: cold })).status).toBe(200);
    const stopped = await eventually(
      async () => {
        const all = [...(await runs(toHot.id)), ...(await runs(toCold.id))];
        return all.some((r) => r.status === 'skipped') ? all : undefined;
      },
      { timeoutMs: 20_000, message: 'a skipped run' },
    );
    const reasons = stopped.filter((r) => r.status === 'skipped').map((r) => r.reason);
    expect(reasons.every((r) => r === 'loop detected' || r === 'cascade depth limit')).toBe(true);
    expect(stopped.filter((r) => r.status === 'completed').length).toBeLessThanOrEqual(8);
  });

  it('sandbox records what would happen and changes nothing; dry-run too, for drafts', async () => {
    const pool = await e2e.pool(admin);
    const won = await state(pool, 'Won');
    const sandboxed = await create({
      name: 'sandboxed',
      status: 'active',
      sandbox: true,
      trigger: { event: 'table.entry.added', triggerId: pool.poolId },
      actions: [
        { type: 'change_lead_state', params: { stateId: won } },
        {
          type: 'send_webhook',
          params: { url: 'https://hooks.example.test/in', body: { id: '{{ entry.id }}' } },
        },
      ],
    });
    const lead = await e2e.ingest(pool, { data: { email: 'sam@example.com' } });
    const entryId = (lead.body as { id: string }).id;
    const [done] = await finishedRuns(sandboxed.id);
    expect(done!.sandbox).toBe(true);
    const detail = await run(sandboxed.id, done!.id);
    expect(detail.steps.map((s) => s.status)).toEqual(['wouldRun', 'wouldRun']);
    expect(detail.steps[0]!.wouldDo).toEqual({ leadStateId: { from: pool.stateId, to: won } });
    expect((await entry(entryId)).leadStateId).toBe(pool.stateId);
    expect(
      e2e.automationEvents.events.filter(
        (e) =>
          e.body.type === 'automation.delivery.requested' &&
          (e.body.data as { runId: string }).runId === done!.id,
      ),
    ).toEqual([]);

    const draft = await create({
      name: 'draft',
      trigger: {
        event: 'table.entry.added',
        triggerId: pool.poolId,
        conditions: { email: 'sam@example.com' },
      },
      actions: [{ type: 'change_lead_state', params: { stateId: won } }],
    });
    const dry = await admin.post<{
      matched: boolean;
      steps: { type: string; status: string; wouldDo: unknown }[];
    }>(`/api/v1/automations/${draft.id}/dry-run`, { entryId });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({
      matched: true,
      steps: [
        {
          type: 'change_lead_state',
          status: 'wouldRun',
          wouldDo: { leadStateId: { from: pool.stateId, to: won } },
        },
      ],
    });
    const unmatched = await admin.post<{ matched: boolean; reason: string }>(
      `/api/v1/automations/${draft.id}/dry-run`,
      {
        entryId,
        event: { type: 'table.entry.leadState.changed' },
      },
    );
    expect(unmatched.body.matched).toBe(false);
    expect(typeof unmatched.body.reason).toBe('string');
    expect((await entry(entryId)).leadStateId).toBe(pool.stateId);
    expect((await runs(draft.id)).every((r) => r.sandbox)).toBe(true);

    // The organization's sandbox makes every automation describe instead of act, until it is off again.
    const live = await create({
      name: 'live',
      status: 'active',
      trigger: { event: 'table.entry.added', triggerId: pool.poolId },
      actions: [{ type: 'change_lead_state', params: { stateId: won } }],
    });
    expect((await admin.put('/api/v1/sandbox', { enabled: true })).body).toEqual({ enabled: true });
    expect((await reader.get('/api/v1/sandbox')).body).toEqual({ enabled: true });
    try {
      const second = await e2e.ingest(pool, { data: { email: 'kim@example.com' } });
      const [sandboxRun] = await finishedRuns(live.id, 1, `?entryId=${(second.body as { id: string }).id}`);
      expect(sandboxRun!.sandbox).toBe(true);
      expect((await entry((second.body as { id: string }).id)).leadStateId).toBe(pool.stateId);
    } finally {
      await admin.put('/api/v1/sandbox', { enabled: false });
    }
  });

  it('validates automations, naming the field', async () => {
    const pool = await e2e.pool(admin);
    const invalid = async (body: Record<string, unknown>, field: string) => {
      const res = await admin.post<{ message: string; errors: { field: string }[] }>('/api/v1/automations', {
        name: 'bad',
        ...body,
      });
      expect(res.status).toBe(400);
      expect(res.body.message).toBe('Validation failed');
      expect(res.body.errors.map((e) => e.field)).toContain(field);
    };
    const trigger = { event: 'table.entry.added', triggerId: pool.poolId };
    await invalid({ trigger: { event: 'lead.teleported' }, actions: [] }, 'trigger.event');
    const { admin: stranger } = await e2e.organization('Stranger');
    const strangerPool = await e2e.pool(stranger);
    await invalid(
      { trigger: { ...trigger, triggerId: strangerPool.poolId }, actions: [] },
      'trigger.triggerId',
    );
    await invalid(
      {
        trigger,
        actions: [
          { type: 'update_fields', params: { data: { a: 1 } } },
          { type: 'update_fields', params: { data: { a: 1 } } },
          { type: 'teleport', params: {} },
        ],
      },
      'actions[2].type',
    );
    await invalid(
      { trigger, actions: [{ type: 'change_lead_state', params: {} }] },
      'actions[0].params.stateId',
    );
    await invalid({ trigger: { ...trigger, match: { frobnicate: [1, 2] } }, actions: [] }, 'trigger.match');
    const mine = await create({ name: 'mine', trigger, actions: [] });
    expect((await stranger.get(`/api/v1/automations/${mine.id}`)).status).toBe(404);
    const patched = await admin.patch<Automation>(`/api/v1/automations/${mine.id}`, { name: 'renamed' });
    expect(patched.body.version).toBe(2);
  });
});
