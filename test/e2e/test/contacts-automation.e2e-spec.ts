import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { eventually, withContext } from '@rocketlead/testing';
import { Api, E2E, type PoolSetup, created } from './support/platform';

// Automations with contacts against the running platform: assignment (round robin, before the other
// actions), notifying members by email, tag triggers and their cascades, milestone codes of form webhooks.

interface Member {
  id: string;
  email: string;
}
interface Entry {
  id: string;
  assignedMemberId: string | null;
  tags: { id: string; name: string }[];
}
interface RunSummary {
  id: string;
  status: string;
  reason: string | null;
  triggerName: string | null;
  context: { entryId: string | null; depth: number; correlationId: string };
}
interface Run extends RunSummary {
  steps: {
    index: number;
    actionId: string;
    type: string;
    status: string;
    output: unknown;
    error: string | null;
  }[];
}
interface DeliveryView {
  kind: string;
  status: string;
  destination: string;
  runId: string | null;
}

/** A form webhook receiver on 127.0.0.1 (allowed for this platform by DELIVERY_ALLOWED_CIDRS). */
async function receiver(): Promise<{ server: Server; url: string; bodies: string[] }> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

describe('automations with members and tags (all services as processes, a local SMTP server)', () => {
  let e2e: E2E;
  let admin: Api;
  let smtp: SMTPServer;
  let hooks: Awaited<ReturnType<typeof receiver>>;
  const mails: { to: string[]; raw: string }[] = [];
  let seq = 0;

  const member = (name: string): Promise<Member> =>
    created(
      admin.post<Member>('/connect/members', { name, email: `${name.toLowerCase()}.${++seq}@example.com` }),
      'member',
    );
  const tag = (name: string): Promise<{ id: string; name: string }> =>
    created(admin.post<{ id: string; name: string }>('/connect/tags', { name }), 'tag');
  const automation = async (body: Record<string, unknown>): Promise<string> =>
    (
      await created(
        admin.post<{ id: string }>('/api/v1/automations', { status: 'active', ...body }),
        'automation',
      )
    ).id;
  const lead = async (pool: PoolSetup, data: Record<string, unknown> = {}): Promise<string> =>
    (
      await created(
        admin.post<{ id: string }>('/connect/table_entries', { tableId: pool.poolId, data }),
        'lead',
      )
    ).id;
  const entry = async (id: string): Promise<Entry> => {
    const res = await admin.get<Entry>(`/connect/table_entries/${id}`);
    expect(res.status).toBe(200);
    return res.body;
  };
  const runs = async (automationId: string): Promise<RunSummary[]> => {
    const res = await admin.get<{ items: RunSummary[] }>(
      `/api/v1/automations/${automationId}/runs?limit=100`,
    );
    expect(res.status).toBe(200);
    return res.body.items;
  };
  const run = async (automationId: string, runId: string): Promise<Run> => {
    const res = await admin.get<Run>(`/api/v1/automations/${automationId}/runs/${runId}`);
    expect(res.status).toBe(200);
    return res.body;
  };
  const finishedRuns = (automationId: string, count = 1): Promise<RunSummary[]> =>
    eventually(
      async () => {
        const items = (await runs(automationId)).filter((r) => r.status !== 'running');
        return items.length >= count ? items : undefined;
      },
      { timeoutMs: 60_000, message: `${count} finished run(s) of ${automationId}` },
    );

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        let raw = '';
        stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
        stream.on('end', () => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    hooks = await receiver();
    e2e = await E2E.start({ SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}` });
    ({ admin } = await e2e.organization('Contacts automation'));
  }, 180_000);

  afterAll(async () => {
    await e2e?.stop();
    hooks?.server.closeAllConnections();
    await new Promise<void>((resolve) => (hooks ? hooks.server.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  }, 120_000);

  it('round robin over 3 members across 30 concurrent runs assigns 10 leads to each', async () => {
    const pool = await e2e.pool(admin, { n: 'number' });
    const members = [await member('Ann'), await member('Ben'), await member('Cy')];
    const group = await created(
      admin.post<{ id: string }>('/connect/member_groups', {
        name: 'Sales',
        memberIds: members.map((m) => m.id),
      }),
      'group',
    );
    const id = await automation({
      name: 'Share inbound leads',
      trigger: { event: 'table.entry.added', triggerId: pool.poolId },
      actions: [{ type: 'assign_user', params: { groupId: group.id, strategy: 'round_robin' } }],
    });
    const leads = await Promise.all(Array.from({ length: 30 }, (_, n) => lead(pool, { n })));
    const done = await finishedRuns(id, 30);
    expect(done.map((r) => r.status)).toEqual(Array(30).fill('completed'));
    const assigned = await Promise.all(leads.map(async (leadId) => (await entry(leadId)).assignedMemberId));
    const counts = new Map<string | null, number>();
    for (const memberId of assigned) counts.set(memberId, (counts.get(memberId) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(members.map((m) => [m.id, 10])));
  });

  it('executes assign_user first though listed last: the notify_user listed before it emails the new assignee', async () => {
    const pool = await e2e.pool(admin, { name: 'string' });
    const ada = await member('Ada');
    const id = await automation({
      name: 'Route and tell',
      trigger: { event: 'table.entry.added', triggerId: pool.poolId },
      actions: [
        {
          type: 'notify_user',
          params: { subject: 'New lead: {{ entry.data.name }}', text: 'Please call today.' },
        },
        { type: 'assign_user', params: { memberId: ada.id } },
      ],
    });
    const leadId = await lead(pool, { name: 'Lin' });
    const [done] = await finishedRuns(id);
    const detail = await run(id, done!.id);
    withContext(JSON.stringify(detail.steps), () => {
      expect(detail.status).toBe('completed');
      expect(detail.steps.map((s) => [s.index, s.type, s.status])).toEqual([
        [0, 'assign_user', 'completed'],
        [1, 'notify_user', 'completed'],
      ]);
    });
    expect((await entry(leadId)).assignedMemberId).toBe(ada.id);
    const assignedEvent = await e2e.events.waitFor(
      (e) => e.body.type === 'table.entry.assigned' && e.body.subject === leadId,
    );
    expect(assignedEvent[0]!.body).toMatchObject({
      channel: 'automation',
      causationid: done!.id,
      depth: 1,
      data: { entryId: leadId, from: null, to: ada.id },
    });
    const mail = await eventually(() => mails.find((m) => m.to.includes(ada.email)), {
      timeoutMs: 30_000,
      message: `an email to ${ada.email}`,
    });
    expect(mail.raw).toContain('New lead: Lin');
    const deliveries = await admin.get<{ items: DeliveryView[] }>(
      `/connect/table_entries/${leadId}/deliveries`,
    );
    expect(deliveries.body.items).toEqual([
      expect.objectContaining({ kind: 'email', destination: ada.email, runId: done!.id }),
    ]);
  });

  it('skips notify_user with its reason when the lead has no assignee; the run completes', async () => {
    const pool = await e2e.pool(admin);
    const id = await automation({
      name: 'Tell the owner',
      trigger: { event: 'table.entry.added', triggerId: pool.poolId },
      actions: [{ type: 'notify_user', params: { subject: 'Yours', text: 'A lead is yours' } }],
    });
    await lead(pool);
    const [done] = await finishedRuns(id);
    const detail = await run(id, done!.id);
    expect(detail.status).toBe('completed');
    expect(detail.steps).toEqual([
      expect.objectContaining({
        type: 'notify_user',
        status: 'skipped',
        error: 'the lead has no assigned member',
      }),
    ]);
  });

  it('stops a tag cascade (Hot → Warm → Hot …) with loop detection; tag runs are named by the tag', async () => {
    const pool = await e2e.pool(admin);
    const hot = await tag('Hot');
    const warm = await tag('Warm');
    const onHot = await automation({
      name: 'Hot to Warm',
      trigger: { event: 'table.entry.tag.applied', triggerId: hot.id },
      actions: [
        { type: 'remove_tag', params: { tagId: hot.id } },
        { type: 'add_tag', params: { tagId: warm.id } },
      ],
    });
    const onWarm = await automation({
      name: 'Warm to Hot',
      trigger: { event: 'table.entry.tag.applied', triggerId: warm.id },
      actions: [
        { type: 'remove_tag', params: { tagId: warm.id } },
        { type: 'add_tag', params: { tagId: hot.id } },
      ],
    });
    const leadId = await lead(pool);
    const applied = await admin.post<Entry>(`/connect/table_entries/${leadId}/tags`, { tagId: hot.id });
    expect(applied.status).toBe(200);

    const hotRuns = (await finishedRuns(onHot, 2)).reverse();
    expect(hotRuns.map((r) => [r.status, r.reason, r.context.depth, r.triggerName])).toEqual([
      ['completed', null, 0, 'Hot'],
      ['skipped', 'loop detected', 2, 'Hot'],
    ]);
    const warmRuns = await finishedRuns(onWarm);
    expect(warmRuns.map((r) => [r.status, r.context.depth, r.triggerName])).toEqual([
      ['completed', 1, 'Warm'],
    ]);
    expect(new Set([...hotRuns, ...warmRuns].map((r) => r.context.correlationId)).size).toBe(1);
    expect((await entry(leadId)).tags).toEqual([{ id: hot.id, name: 'Hot' }]);
    // The third Hot (depth 2) started only the skipped run: the cascade ends there.
    const tagEvents = await e2e.events.waitFor(
      (e) => e.body.type === 'table.entry.tag.applied' && e.body.subject === leadId,
      20_000,
      3,
    );
    expect(tagEvents.map((e) => [(e.body.data as { tagName: string }).tagName, e.body.depth])).toEqual([
      ['Hot', 0],
      ['Warm', 1],
      ['Hot', 2],
    ]);
    expect(await runs(onHot)).toHaveLength(2);
    expect(await runs(onWarm)).toHaveLength(1);
  });

  it("refuses a tag trigger or action naming another organization's tag, member or group (400 naming the field)", async () => {
    const other = await e2e.organization('Other');
    const foreign = await created(
      other.admin.post<{ id: string }>('/connect/tags', { name: 'Theirs' }),
      'tag',
    );
    const trigger = await admin.post('/api/v1/automations', {
      name: 'Foreign tag',
      trigger: { event: 'table.entry.tag.applied', triggerId: foreign.id },
      actions: [],
    });
    expect(trigger.status).toBe(400);
    expect(trigger.body).toMatchObject({
      errors: [{ field: 'trigger.triggerId', message: 'must be a tag of this organization' }],
    });
    const missing = '00000000-0000-4000-8000-000000000000';
    const actions = await admin.post('/api/v1/automations', {
      name: 'Foreign objects',
      trigger: { event: 'table.entry.added' },
      actions: [
        { type: 'add_tag', params: { tagId: foreign.id } },
        { type: 'assign_user', params: { groupId: missing } },
        { type: 'notify_user', params: { memberId: missing, subject: 's', text: 't' } },
      ],
    });
    expect(actions.status).toBe(400);
    expect((actions.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual([
      'actions[0].params.tagId',
      'actions[1].params.groupId',
      'actions[2].params.memberId',
    ]);
  });

  it('sends a form webhook of a milestone run its progress code', async () => {
    const pool = await e2e.pool(admin);
    const qualified = await created(
      admin.post<{ id: string }>(`/connect/lead_pools/${pool.poolId}/lead_states`, {
        name: 'Qualified',
        milestone: 'qualified',
      }),
      'state',
    );
    await automation({
      name: 'Tell the CRM',
      trigger: { event: 'table.entry.milestone.reached', triggerId: pool.poolId },
      actions: [{ type: 'send_webhook', params: { url: `${hooks.url}/crm`, format: 'form' } }],
    });
    const leadId = await lead(pool);
    expect(
      (await admin.patch(`/connect/table_entries/${leadId}`, { leadStateId: qualified.id })).status,
    ).toBe(200);
    const body = await eventually(() => hooks.bodies.find((b) => b.includes(leadId)), {
      timeoutMs: 30_000,
      message: 'the form webhook of the milestone',
    });
    expect(new URLSearchParams(body).get('eventtype')).toBe('progqualified');
  });

  it('tells "Received & Duplicate" from "Received & Not Duplicate": deliverydupe and deliveryndupe to a CRM', async () => {
    const pool = await e2e.pool(admin, { email: 'string' });
    expect(
      (await admin.patch(`/connect/lead_pools/${pool.poolId}`, { dedupe: { keys: ['email'] } })).status,
    ).toBe(200);
    const duplicateRuns = await automation({
      name: 'Received & Duplicate',
      trigger: { event: 'table.entry.duplicate.detected', triggerId: pool.poolId },
      actions: [{ type: 'send_webhook', params: { url: `${hooks.url}/dupe`, format: 'form' } }],
    });
    const originalRuns = await automation({
      name: 'Received & Not Duplicate',
      trigger: {
        event: 'table.entry.added',
        triggerId: pool.poolId,
        conditions: { 'event.data.duplicateOfId': null },
      },
      actions: [
        {
          type: 'send_webhook',
          params: { url: `${hooks.url}/ndupe`, format: 'form', eventtype: 'deliveryndupe' },
        },
      ],
    });
    const original = await lead(pool, { email: 'Kim@Example.com' });
    await finishedRuns(originalRuns);
    const duplicate = await lead(pool, { email: ' kim@example.com ' });
    expect((await entry(duplicate)) as Entry & { duplicateOfId: string | null }).toMatchObject({
      duplicateOfId: original,
    });
    await finishedRuns(duplicateRuns);
    const sent = await eventually(
      () => {
        const forms = hooks.bodies
          .map((b) => new URLSearchParams(b))
          .filter((f) => f.get('id') === original || f.get('id') === duplicate);
        return forms.length >= 2 ? forms : undefined;
      },
      { timeoutMs: 30_000, message: 'the two form webhooks' },
    );
    expect(sent.map((f) => [f.get('id'), f.get('eventtype')]).sort()).toEqual(
      [
        [original, 'deliveryndupe'],
        [duplicate, 'deliverydupe'],
      ].sort(),
    );
    // The duplicate's table.entry.added did not pass the condition: one run only, for the original.
    const runsOfOriginals = await runs(originalRuns);
    expect(runsOfOriginals.filter((r) => r.status === 'completed').map((r) => r.context.entryId)).toEqual([
      original,
    ]);
  });
});
