import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import {
  COMMANDS,
  CONSUMERS,
  DELIVERY_REQUESTED,
  TABLE_ENTRY_TAG_APPLIED,
  TRIGGER_STREAMS,
  createEvent,
  uuidv7,
  type Actor,
  type Automation,
  type AutomationAction,
  type AutomationTrigger,
  type LeadPool,
  type TableEntry,
  type Tag,
} from '@rocketlead/contracts';
import { eventually, type EventCollector } from '@rocketlead/testing';
import { DryRunner } from '../src/engine';
import {
  FakeLeads,
  entryAdded,
  insertAutomation,
  publishEvent,
  startAutomation,
  type AutomationUnderTest,
} from './support';

interface RunRow {
  id: string;
  status: string;
  reason: string | null;
  trigger_name: string | null;
  correlation_id: string;
  depth: number;
}

interface StepRow {
  index: number;
  action_id: string;
  type: string;
  status: string;
  output: Record<string, unknown> | null;
  error: string | null;
}

const MAX_DEPTH = 5;

describe('contact actions and tag triggers (real Postgres and NATS, leads answered by a fake on NATS)', () => {
  let auto: AutomationUnderTest;
  let leads: FakeLeads;
  let db: DataSource;
  let runEvents: EventCollector;
  let leadEvents: EventCollector;

  const actorOf = (organizationId: string): Actor => ({
    organizationId,
    channel: 'connect_api',
    apiTokenId: uuidv7(),
    memberId: null,
    correlationId: uuidv7(),
    traceparent: null,
  });

  /** An active automation as the API writes it (row, version and NOTIFY in one transaction); ids a0, a1 … */
  const addAutomation = async (
    organizationId: string,
    name: string,
    trigger: AutomationTrigger,
    actions: Omit<AutomationAction, 'id'>[],
  ): Promise<string> => (await insertAutomation(db, { organizationId, name, trigger, actions })).id;

  const runsOf = async (automationId: string): Promise<RunRow[]> =>
    (await db.query(`SELECT * FROM automation.runs WHERE automation_id = $1 ORDER BY started_at, id`, [
      automationId,
    ])) as RunRow[];

  const stepsOf = async (runId: string): Promise<StepRow[]> =>
    (await db.query(`SELECT * FROM automation.run_steps WHERE run_id = $1 ORDER BY index`, [
      runId,
    ])) as StepRow[];

  const finishedRuns = (automationId: string, count = 1): Promise<RunRow[]> =>
    eventually(
      async () => {
        const runs = await runsOf(automationId);
        return runs.filter((r) => r.status !== 'running').length >= count ? runs : undefined;
      },
      { timeoutMs: 15_000, message: `${count} finished run(s) of ${automationId}` },
    );

  /** Every event published so far has been handled and acknowledged by automation's consumers. */
  const settled = async (): Promise<void> => {
    const jsm = await auto.nc.jetstreamManager();
    await eventually(
      async () => {
        for (const stream of TRIGGER_STREAMS) {
          const info = await jsm.consumers.info(
            auto.names.stream(stream).name,
            auto.names.consumer(CONSUMERS.automationEvents(stream)),
          );
          if (info.num_pending > 0 || info.num_ack_pending > 0) return false;
        }
        return true;
      },
      { timeoutMs: 20_000, message: 'consumers settled' },
    );
  };

  const poolFor = (org: string): LeadPool => leads.addPool(org, 'Inbound', ['New']).pool;

  const tagApplied = (entry: TableEntry, tag: Tag, actor: Actor) =>
    createEvent({
      type: TABLE_ENTRY_TAG_APPLIED,
      source: '/leads',
      subject: entry.id,
      data: { entryId: entry.id, tableId: entry.tableId, tagId: tag.id, tagName: tag.name },
      actor,
    });

  beforeAll(async () => {
    auto = await startAutomation('contacts', { env: { AUTOMATION_MAX_DEPTH: String(MAX_DEPTH) } });
    leads = FakeLeads.start(auto.nc, auto.names);
    db = auto.app.get(DataSource);
    runEvents = await auto.collect('AUTOMATION');
    leadEvents = await auto.collect('LEADS');
  }, 120_000);

  afterAll(async () => {
    leads?.stop();
    await auto?.stop();
  }, 120_000);

  it('executes assign_user first though listed last, so notify_user emails the newly assigned member', async () => {
    const org = uuidv7();
    const pool = poolFor(org);
    const ada = leads.addMember(org, 'Ada');
    const vip = leads.addTag(org, 'VIP');
    const automation = await addAutomation(org, 'Route', { event: 'table.entry.added', triggerId: pool.id }, [
      { type: 'notify_user', params: { subject: 'New lead {{ entry.data.name }}', text: 'Call them' } },
      { type: 'add_tag', params: { tagId: vip.id } },
      { type: 'assign_user', params: { memberId: ada.id } },
    ]);
    const entry = leads.addEntry(pool, { name: 'Lin' });
    await publishEvent(auto.nc, auto.names, entryAdded(entry, actorOf(org)));
    const [run] = await finishedRuns(automation);
    expect(run!.status).toBe('completed');
    const steps = await stepsOf(run!.id);
    // Step indexes follow the executed order; the action ids say which action each step is.
    expect(steps.map((s) => [s.index, s.action_id, s.type, s.status])).toEqual([
      [0, 'a2', 'assign_user', 'completed'],
      [1, 'a0', 'notify_user', 'completed'],
      [2, 'a1', 'add_tag', 'completed'],
    ]);
    expect(steps[0]!.output).toEqual({ entryId: entry.id, memberId: ada.id });
    expect(steps[1]!.output).toEqual({ requested: true, kind: 'email', memberId: ada.id });
    const [request] = await runEvents.waitFor(
      (e) => e.body.type === DELIVERY_REQUESTED && e.body.data.runId === run!.id,
      10_000,
    );
    expect(request!.body.data).toMatchObject({
      kind: 'email',
      stepIndex: 1,
      email: { to: 'ada@example.test', subject: 'New lead Lin', text: 'Call them', html: null },
    });
    const [assign] = leads.changesOf(entry.id, COMMANDS.entriesAssign);
    expect(assign).toMatchObject({ idempotencyKey: `${run!.id}:0`, causationId: run!.id, depth: 1 });
    expect(leads.entries.get(entry.id)).toMatchObject({
      assignedMemberId: ada.id,
      tags: [{ id: vip.id, name: 'VIP' }],
    });
  });

  it('skips notify_user with its reason when the lead has no assignee, and the run goes on', async () => {
    const org = uuidv7();
    const pool = poolFor(org);
    const vip = leads.addTag(org, 'VIP');
    const automation = await addAutomation(org, 'Notify', { event: 'table.entry.added' }, [
      { type: 'notify_user', params: { subject: 's', text: 't' } },
      { type: 'add_tag', params: { tagId: vip.id } },
    ]);
    const entry = leads.addEntry(pool, {});
    await publishEvent(auto.nc, auto.names, entryAdded(entry, actorOf(org)));
    const [run] = await finishedRuns(automation);
    expect(run!.status).toBe('completed');
    expect((await stepsOf(run!.id)).map((s) => [s.type, s.status, s.error])).toEqual([
      ['notify_user', 'skipped', 'the lead has no assigned member'],
      ['add_tag', 'completed', null],
    ]);
    await settled();
    expect(runEvents.ofType(DELIVERY_REQUESTED).filter((e) => e.body.data.runId === run!.id)).toEqual([]);
  });

  it('fails assign_user for good when leads refuses the member, naming the field', async () => {
    const org = uuidv7();
    const pool = poolFor(org);
    const gone = leads.addMember(org, 'Gone', false);
    const automation = await addAutomation(org, 'Assign gone', { event: 'table.entry.added' }, [
      { type: 'assign_user', params: { memberId: gone.id } },
    ]);
    const entry = leads.addEntry(pool, {});
    await publishEvent(auto.nc, auto.names, entryAdded(entry, actorOf(org)));
    const [run] = await finishedRuns(automation);
    expect(run).toMatchObject({ status: 'failed' });
    const [step] = await stepsOf(run!.id);
    expect(step).toMatchObject({
      status: 'failed',
      error: 'Validation failed: memberId must be an active member of this organization',
      output: { error: { code: 'VALIDATION_FAILED', errors: [{ field: 'memberId' }] } },
    });
    expect(leads.changesOf(entry.id, COMMANDS.entriesAssign)).toHaveLength(1);
  });

  it('names tag runs by the tag, and stops a tag cascade (A → B → A …) with loop detection', async () => {
    const org = uuidv7();
    const pool = poolFor(org);
    const a = leads.addTag(org, 'Hot');
    const b = leads.addTag(org, 'Warm');
    // Hot applied → swap to Warm; Warm applied → swap back to Hot: without protection, forever.
    const onA = await addAutomation(org, 'Hot to Warm', { event: TABLE_ENTRY_TAG_APPLIED, triggerId: a.id }, [
      { type: 'remove_tag', params: { tagId: a.id } },
      { type: 'add_tag', params: { tagId: b.id } },
    ]);
    const onB = await addAutomation(org, 'Warm to Hot', { event: TABLE_ENTRY_TAG_APPLIED, triggerId: b.id }, [
      { type: 'remove_tag', params: { tagId: b.id } },
      { type: 'add_tag', params: { tagId: a.id } },
    ]);
    const entry = leads.addEntry(pool, {});
    leads.entries.set(entry.id, { ...entry, tags: [{ id: a.id, name: a.name }] });
    const actor = actorOf(org);
    await publishEvent(auto.nc, auto.names, tagApplied(entry, a, actor));

    const runsA = await finishedRuns(onA, 2);
    await settled();
    expect(runsA.map((r) => [r.status, r.reason, r.depth, r.trigger_name])).toEqual([
      ['completed', null, 0, 'Hot'],
      ['skipped', 'loop detected', 2, 'Hot'],
    ]);
    expect((await runsOf(onB)).map((r) => [r.status, r.depth, r.trigger_name])).toEqual([
      ['completed', 1, 'Warm'],
    ]);
    expect([...runsA, ...(await runsOf(onB))].every((r) => r.correlation_id === actor.correlationId)).toBe(
      true,
    );
    // Each step's change is one level deeper than its run: the depth the next run starts at.
    const applied = (
      await leadEvents.waitFor(
        (e) => e.body.type === TABLE_ENTRY_TAG_APPLIED && e.body.data.entryId === entry.id,
        10_000,
        3,
      )
    ).map((e) => [e.body.data.tagName, e.body.depth]);
    expect(applied).toEqual([
      ['Hot', 0],
      ['Warm', 1],
      ['Hot', 2],
    ]);
    expect(leads.entries.get(entry.id)!.tags).toEqual([{ id: a.id, name: 'Hot' }]);
  });

  it('stops a chain of tag automations deeper than AUTOMATION_MAX_DEPTH with the depth limit', async () => {
    const org = uuidv7();
    const pool = poolFor(org);
    // T0 applied → add T1, T1 → add T2, …: each run one level deeper than the one before.
    const tags = Array.from({ length: MAX_DEPTH + 3 }, (_, i) => leads.addTag(org, `T${i}`));
    const chain: string[] = [];
    for (let i = 0; i < MAX_DEPTH + 2; i += 1)
      chain.push(
        await addAutomation(
          org,
          `T${i} to T${i + 1}`,
          { event: TABLE_ENTRY_TAG_APPLIED, triggerId: tags[i]!.id },
          [{ type: 'add_tag', params: { tagId: tags[i + 1]!.id } }],
        ),
      );
    const entry = leads.addEntry(pool, {});
    await publishEvent(auto.nc, auto.names, tagApplied(entry, tags[0]!, actorOf(org)));
    const deepest = await finishedRuns(chain[MAX_DEPTH + 1]!);
    expect(deepest.map((r) => [r.status, r.reason, r.depth])).toEqual([
      ['skipped', 'cascade depth limit', MAX_DEPTH + 1],
    ]);
    for (let i = 0; i <= MAX_DEPTH; i += 1)
      expect((await runsOf(chain[i]!)).map((r) => [r.status, r.depth])).toEqual([['completed', i]]);
    await settled();
    expect(leads.entries.get(entry.id)!.tags.map((t) => t.name)).toEqual(
      tags.slice(1, MAX_DEPTH + 2).map((t) => t.name),
    );
  });

  it('dry-runs assign_user first too, and describes notify_user as emailing the member it assigns', async () => {
    const org = uuidv7();
    const pool = poolFor(org);
    const ada = leads.addMember(org, 'Ada');
    const actions = [
      { id: 'n', type: 'notify_user', params: { subject: 's', text: 't' } },
      { id: 'a', type: 'assign_user', params: { memberId: ada.id } },
    ];
    const now = new Date().toISOString();
    const automation: Automation = {
      id: uuidv7(),
      organizationId: org,
      name: 'Draft route',
      description: null,
      trigger: { event: 'table.entry.added' },
      actions,
      status: 'draft',
      sandbox: false,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    const entry = leads.addEntry(pool, {});
    const result = await auto.app
      .get(DryRunner)
      .dryRun({ automation, entryId: entry.id, actor: actorOf(org) });
    expect(result.steps).toEqual([
      { type: 'assign_user', status: 'wouldRun', wouldDo: { assign: { from: null, memberId: ada.id } } },
      {
        type: 'notify_user',
        status: 'wouldRun',
        wouldDo: {
          kind: 'email',
          recipient: 'the member assigned by the assign_user step',
          subject: 's',
          text: 't',
        },
      },
    ]);
    expect(leads.changesOf(entry.id, COMMANDS.entriesAssign)).toEqual([]);
    expect(leads.entries.get(entry.id)!.assignedMemberId).toBeNull();
  });

  it('sends a form webhook of a milestone run the milestone code', async () => {
    const org = uuidv7();
    const pool = poolFor(org);
    const automation = await addAutomation(
      org,
      'Qualified hook',
      { event: 'table.entry.milestone.reached' },
      [{ type: 'send_webhook', params: { url: 'http://127.0.0.1:9/hook', format: 'form' } }],
    );
    const entry = leads.addEntry(pool, {});
    await publishEvent(
      auto.nc,
      auto.names,
      createEvent({
        type: 'table.entry.milestone.reached',
        source: '/leads',
        subject: entry.id,
        data: { entryId: entry.id, tableId: pool.id, milestone: 'qualified', leadStateId: entry.leadStateId },
        actor: actorOf(org),
      }),
    );
    const [run] = await finishedRuns(automation);
    expect(run!.status).toBe('completed');
    const [request] = await runEvents.waitFor(
      (e) => e.body.type === DELIVERY_REQUESTED && e.body.data.runId === run!.id,
      10_000,
    );
    expect(request!.body.data).toMatchObject({
      kind: 'webhook',
      webhook: { format: 'form', eventType: 'table.entry.milestone.reached', formCode: 'progqualified' },
    });
  });
});
