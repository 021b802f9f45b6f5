import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ACTIVITY_TYPES_MAX, type ActivityItem } from '@rocketlead/contracts';
import { eventually } from '@rocketlead/testing';
import { Api, E2E, type PoolSetup } from './support/platform';

interface Page {
  items: ActivityItem[];
  nextCursor: string | null;
}

// A lead's activity timeline over HTTP, every service a process: who created the lead (token, channel) and
// which automation reacted, its run and steps carrying that token.
describe('lead activity timeline (all services as processes)', () => {
  let e2e: E2E;
  let admin: Api;
  let writer: Api;
  let writerId: string;
  let reader: Api;
  let stranger: Api;
  let pool: PoolSetup;
  let automationId: string;
  let entryId: string;
  let full: ActivityItem[];

  const activity = (as: Api, query = '', id = entryId) =>
    as.get<Page & { message?: string; errors?: { field: string }[] }>(
      `/connect/table_entries/${id}/activity${query}`,
    );
  const fields = (body: { errors?: { field: string }[] }): string[] =>
    (body.errors ?? []).map((e) => e.field);

  beforeAll(async () => {
    e2e = await E2E.start();
    ({ admin } = await e2e.organization('Activity'));
    ({ api: writer, tokenId: writerId } = await e2e.token(admin, ['write']));
    ({ api: reader } = await e2e.token(admin, ['read']));
    ({ admin: stranger } = await e2e.organization('Other'));
    pool = await e2e.pool(admin, { email: 'string' });
    const stateRes = await admin.post<{ id: string }>(`/connect/lead_pools/${pool.poolId}/lead_states`, {
      name: 'Contacted',
    });
    expect(stateRes.status).toBe(201);
    const created = await admin.post<{ id: string }>('/api/v1/automations', {
      name: 'Greet and contact',
      status: 'active',
      trigger: { event: 'table.entry.added', triggerId: pool.poolId },
      actions: [
        { type: 'update_fields', params: { data: { greeting: 'Hello {{ entry.data.email }}' } } },
        { type: 'change_lead_state', params: { stateId: stateRes.body.id } },
      ],
    });
    expect(created.status).toBe(201);
    automationId = created.body.id;

    const lead = await writer.post<{ id: string }>('/connect/table_entries', {
      tableId: pool.poolId,
      data: { email: 'ann@example.com' },
    });
    expect(lead.status).toBe(201);
    entryId = lead.body.id;
    // Complete once the run has finished and both changes it made (the state, the fields) have been projected:
    // the lead's own first state change, made with it, does not count.
    full = await eventually(
      async () => {
        const res = await activity(reader);
        const items = res.body.items ?? [];
        const done = items.some((i) => i.kind === 'run' && i.type === 'automation.run.completed');
        const byRun = (type: string) => items.some((i) => i.type === type && i.channel === 'automation');
        return done && byRun('table.entry.leadState.changed') && byRun('table.entry.updated')
          ? items
          : undefined;
      },
      { timeoutMs: 30_000, message: 'the run and the state change it caused in the timeline' },
    );
  }, 180_000);

  afterAll(async () => {
    await e2e?.stop();
  }, 120_000);

  it('shows the Connect-created lead with its token, and the run and steps of the automation, newest first', () => {
    const times = full.map((i) => i.at);
    expect([...times].sort().reverse()).toEqual(times);
    expect(full.map((i) => [i.kind, i.type])).toEqual(
      expect.arrayContaining([
        ['event', 'table.entry.added'],
        ['run', 'automation.run.completed'],
        ['step', 'update_fields'],
        ['step', 'change_lead_state'],
        ['event', 'table.entry.leadState.changed'],
      ]),
    );
    // The lead as it arrived, at the oldest moment of the timeline (its first lead state, written with it,
    // may share that moment, in either order).
    const added = full.find((i) => i.type === 'table.entry.added')!;
    expect(added.at).toBe(full[full.length - 1]!.at);
    expect(added).toMatchObject({
      kind: 'event',
      type: 'table.entry.added',
      summary: 'Lead added via Connect API',
      channel: 'connect_api',
      apiTokenId: writerId,
      data: { id: entryId, data: { email: 'ann@example.com' } },
    });
    const run = full.find((i) => i.kind === 'run')!;
    expect(run).toMatchObject({
      automationId,
      runId: run.id,
      channel: 'connect_api',
      apiTokenId: writerId,
      summary: 'Automation "Greet and contact" completed',
    });
    const steps = full.filter((i) => i.kind === 'step');
    expect(steps.map((s) => s.type)).toEqual(['change_lead_state', 'update_fields']);
    for (const step of steps)
      expect(step).toMatchObject({
        automationId,
        runId: run.id,
        channel: 'connect_api',
        apiTokenId: writerId,
        data: { status: 'completed' },
      });
    // The lead's first state came with it; the second state change and the field update were made by the run.
    expect(full.filter((i) => i.type === 'table.entry.leadState.changed').map((i) => i.channel)).toEqual([
      'automation',
      'connect_api',
    ]);
    expect(full.find((i) => i.type === 'table.entry.updated')).toMatchObject({
      kind: 'event',
      channel: 'automation',
    });
  });

  it('pages with a cursor and filters by types, comma-separated or repeated', async () => {
    const seen: ActivityItem[] = [];
    let query = '?limit=2';
    for (;;) {
      const res = await activity(reader, query);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items);
      if (!res.body.nextCursor) break;
      query = `?limit=2&cursor=${encodeURIComponent(res.body.nextCursor)}`;
    }
    expect(seen.map((i) => i.id)).toEqual(full.map((i) => i.id));

    const types = async (q: string) => (await activity(reader, q)).body.items.map((i) => i.type);
    const expected = (keep: (type: string) => boolean) => full.map((i) => i.type).filter(keep);
    expect(await types('?types=table.entry.*')).toEqual(expected((t) => t.startsWith('table.entry.')));
    expect(await types('?types=update_fields,automation.run.*&types=table.entry.added')).toEqual([
      'update_fields',
      'automation.run.completed',
      'table.entry.added',
    ]);
    expect(await types('?types=calendar.appointment.*')).toEqual([]);
  });

  it('refuses too many types, a long type, a bad cursor and a limit over the maximum, naming the field', async () => {
    const many = Array.from({ length: ACTIVITY_TYPES_MAX + 1 }, (_, i) => `t.${i}`).join(',');
    for (const [query, field] of [
      [`?types=${many}`, 'types'],
      [`?types=${'x'.repeat(201)}`, 'types'],
      ['?cursor=not-a-cursor', 'cursor'],
      ['?limit=101', 'limit'],
      ['?limit=0', 'limit'],
    ] as const) {
      const res = await activity(reader, query);
      expect(res.status).toBe(400);
      expect(fields(res.body)).toContain(field);
    }
  });

  it("answers 404 for another organization's lead and an unknown one, 401 without a token", async () => {
    const other = await activity(stranger);
    expect(other.status).toBe(404);
    expect(other.body.message).toBe('Table entry not found');
    expect((await activity(reader, '', '0190f1e2-0000-7000-8000-000000000000')).status).toBe(404);
    expect((await activity(e2e.anonymous())).status).toBe(401);
  });
});
