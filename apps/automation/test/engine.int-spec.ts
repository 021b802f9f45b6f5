import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import {
  COMMANDS,
  CONSUMERS,
  DELIVERY_REQUESTED,
  DELIVERY_SUCCEEDED,
  DELIVERY_WEBHOOK_FAILED,
  EMAIL_OPENED,
  TABLE_ENTRY_LEAD_STATE_CHANGED,
  TRIGGER_STREAMS,
  createEvent,
  uuidv7,
  type Actor,
  type Automation,
  type AutomationAction,
  type AutomationStatus,
  type AutomationTrigger,
  type LeadPool,
  type LeadState,
  type TableEntry,
} from '@rocketlead/contracts';
import { MetricsRegistry } from '@rocketlead/messaging';
import { eventually, failure, type EventCollector } from '@rocketlead/testing';
import { SETTINGS_CHANNEL } from '../src/database/channels';
import { DryRunner } from '../src/engine';
import { RunFactory } from '../src/engine/run-factory';
import { RunSweeper } from '../src/engine/run-sweeper';
import { buildSnapshot } from '../src/engine/run-context';
import { uuidFromKey } from '../src/actions/delivery-request';
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
  automation_id: string;
  trigger_key: string;
  status: string;
  reason: string | null;
  sandbox: boolean;
  dry_run: boolean;
  trigger_name: string | null;
  entry_id: string | null;
  correlation_id: string;
  depth: number;
  context: Record<string, unknown>;
  error: string | null;
  finished_at: Date | null;
}

interface StepRow {
  index: number;
  action_id: string;
  type: string;
  status: string;
  attempts: number;
  output: Record<string, unknown> | null;
  error: string | null;
  would_do: unknown;
}

const MAX_DEPTH = 3;

describe('automation engine (real Postgres and NATS, leads answered by a fake on NATS)', () => {
  let auto: AutomationUnderTest;
  let leads: FakeLeads;
  let db: DataSource;
  let runEvents: EventCollector;
  let leadEvents: EventCollector;
  const tokenId = uuidv7();

  const actorOf = (organizationId: string): Actor => ({
    organizationId,
    channel: 'connect_api',
    apiTokenId: tokenId,
    memberId: null,
    correlationId: uuidv7(),
    traceparent: null,
  });

  const addAutomation = (
    organizationId: string,
    name: string,
    trigger: AutomationTrigger,
    actions: Omit<AutomationAction, 'id'>[],
    options: { status?: AutomationStatus; sandbox?: boolean } = {},
  ): Promise<Automation> => insertAutomation(db, { organizationId, name, trigger, actions, ...options });

  const runsOf = async (automationId: string): Promise<RunRow[]> =>
    (await db.query(`SELECT * FROM automation.runs WHERE automation_id = $1 ORDER BY started_at, id`, [
      automationId,
    ])) as RunRow[];

  const stepsOf = async (runId: string): Promise<StepRow[]> =>
    (await db.query(`SELECT * FROM automation.run_steps WHERE run_id = $1 ORDER BY index`, [
      runId,
    ])) as StepRow[];

  /** The automation's runs once `count` of them have ended (not running). */
  const finishedRuns = (automationId: string, count = 1, timeoutMs = 15_000): Promise<RunRow[]> =>
    eventually(
      async () => {
        const runs = await runsOf(automationId);
        return runs.filter((r) => r.status !== 'running').length >= count ? runs : undefined;
      },
      { timeoutMs, message: `${count} finished run(s) of ${automationId}` },
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

  function poolFor(org: string, schema: LeadPool['tableSchema'] = {}) {
    const { pool, states } = leads.addPool(org, `Pool ${org.slice(-4)}`, ['New', 'Qualified', 'Won'], schema);
    return { pool, states: states as [LeadState, LeadState, LeadState] };
  }

  beforeAll(async () => {
    auto = await startAutomation('engine', { env: { AUTOMATION_MAX_DEPTH: String(MAX_DEPTH) } });
    leads = FakeLeads.start(auto.nc, auto.names);
    db = auto.app.get(DataSource);
    runEvents = await auto.collect('AUTOMATION');
    leadEvents = await auto.collect('LEADS');
  }, 120_000);

  afterAll(async () => {
    leads?.stop();
    await auto?.stop();
  }, 120_000);

  /** Runs this process ended with the status, as /metrics serves the count. */
  const runsEnded = async (status: 'completed' | 'failed'): Promise<number> => {
    const { metrics } = await auto.app.get(MetricsRegistry).collect();
    const sample = metrics.find(
      (m) => m.name === 'rocketlead_automation_runs_ended_total' && m.labels?.status === status,
    );
    return sample?.value ?? NaN;
  };

  it('records one run per matching event and executes its steps in order, also when the event comes twice', async () => {
    const org = uuidv7();
    const { pool, states } = poolFor(org);
    const automation = await addAutomation(
      org,
      'Greet and qualify',
      { event: 'table.entry.added', triggerId: pool.id },
      [
        {
          type: 'update_fields',
          params: { data: { greeting: 'Hi {{ entry.data.firstName }} via {{ event.channel }}' } },
        },
        { type: 'change_lead_state', params: { stateId: states[1].id } },
      ],
    );
    const entry = leads.addEntry(pool, { firstName: 'Ada', source: 'ads' });
    const actor = actorOf(org);
    const event = entryAdded(entry, actor);
    await publishEvent(auto.nc, auto.names, event);
    const [run] = await finishedRuns(automation.id);
    await settled();
    // The same event again, past the stream's duplicate window (another message id): the inbox drops it.
    await publishEvent(auto.nc, auto.names, event, uuidv7());
    await settled();

    const runs = await runsOf(automation.id);
    expect(runs).toHaveLength(1);
    expect(run).toMatchObject({
      trigger_key: event.id,
      status: 'completed',
      sandbox: false,
      trigger_name: pool.name,
      entry_id: entry.id,
      correlation_id: actor.correlationId,
      depth: 0,
    });
    expect(run!.context).toMatchObject({
      eventId: event.id,
      channel: 'connect_api',
      apiTokenId: tokenId,
      memberId: null,
    });
    const steps = await stepsOf(run!.id);
    expect(steps.map((s) => [s.index, s.type, s.status, s.attempts])).toEqual([
      [0, 'update_fields', 'completed', 1],
      [1, 'change_lead_state', 'completed', 1],
    ]);

    const updates = leads.updatesOf(entry.id);
    expect(updates).toHaveLength(2);
    expect(updates[0]).toMatchObject({
      data: { greeting: 'Hi Ada via connect_api' },
      schemaMode: 'infer',
      idempotencyKey: `${run!.id}:0`,
    });
    expect(updates[1]).toMatchObject({
      id: entry.id,
      leadStateId: states[1].id,
      idempotencyKey: `${run!.id}:1`,
      causationId: run!.id,
      depth: 1,
      actor: {
        organizationId: org,
        channel: 'automation',
        apiTokenId: tokenId,
        memberId: null,
        correlationId: actor.correlationId,
      },
    });

    // The state change leads published carries the run as its cause, one level deeper.
    const [changed] = await leadEvents.waitFor(
      (e) => e.body.type === TABLE_ENTRY_LEAD_STATE_CHANGED && e.body.data.entryId === entry.id,
    );
    expect(changed!.body).toMatchObject({ channel: 'automation', causationid: run!.id, depth: 1 });

    const lifecycle = await runEvents.waitFor((e) => e.body.data.runId === run!.id, 10_000, 2);
    expect(lifecycle.map((e) => [e.body.type, e.body.data.status])).toEqual([
      ['automation.run.started', 'running'],
      ['automation.run.completed', 'completed'],
    ]);
    expect(lifecycle[0]!.body).toMatchObject({ causationid: event.id, correlationid: actor.correlationId });
    const inbox = (await db.query('SELECT count(*)::int AS n FROM automation.inbox WHERE event_id = $1', [
      event.id,
    ])) as { n: number }[];
    expect(inbox[0]!.n).toBe(1);
  });

  it("handles a lead's events in order: the runs of its event N finish before those of event N+1 start", async () => {
    const org = uuidv7();
    const { pool, states } = poolFor(org);
    const first = await addAutomation(org, 'slow first', { event: 'table.entry.added' }, [
      { type: 'update_fields', params: { data: { step: 'one' } } },
    ]);
    const second = await addAutomation(org, 'second', { event: TABLE_ENTRY_LEAD_STATE_CHANGED }, [
      { type: 'update_fields', params: { data: { step: 'two' } } },
    ]);
    const entry = leads.addEntry(pool, {});
    const actor = actorOf(org);
    // The first run is slowed down by two transient failures (~1 s of retries).
    leads.failUpdates(2);
    await publishEvent(auto.nc, auto.names, entryAdded(entry, actor));
    await publishEvent(
      auto.nc,
      auto.names,
      createEvent({
        type: TABLE_ENTRY_LEAD_STATE_CHANGED,
        source: '/leads',
        subject: entry.id,
        data: { entryId: entry.id, tableId: pool.id, from: states[0].id, to: states[1].id },
        actor,
      }),
    );
    const [a] = await finishedRuns(first.id);
    const [b] = await finishedRuns(second.id);
    const startedB = (
      (await db.query('SELECT started_at FROM automation.runs WHERE id = $1', [b!.id])) as {
        started_at: Date;
      }[]
    )[0]!.started_at;
    expect(a!.finished_at!.getTime()).toBeLessThanOrEqual(startedB.getTime());
    expect(leads.updatesOf(entry.id).map((u) => u.data)).toEqual([
      { step: 'one' },
      { step: 'one' },
      { step: 'one' },
      { step: 'two' },
    ]);
  });

  it('starts runs only for active automations whose trigger, conditions and match all hold', async () => {
    const org = uuidv7();
    const { pool, states } = poolFor(org);
    const other = poolFor(org).pool;
    const added = 'table.entry.added';
    const control = await addAutomation(org, 'control', { event: added }, []);
    const runs = {
      draft: await addAutomation(org, 'draft', { event: added }, [], { status: 'draft' }),
      paused: await addAutomation(org, 'paused', { event: added }, [], { status: 'paused' }),
      archived: await addAutomation(org, 'archived', { event: added }, [], { status: 'archived' }),
      otherPool: await addAutomation(org, 'other pool', { event: added, triggerId: other.id }, []),
      otherEvent: await addAutomation(org, 'other event', { event: TABLE_ENTRY_LEAD_STATE_CHANGED }, []),
      sourceSeo: await addAutomation(org, 'seo', { event: added, conditions: { source: 'seo' } }, []),
      oneOf: await addAutomation(
        org,
        'one of',
        { event: added, conditions: { source: ['seo', 'ads'], 'event.channel': 'connect_api' } },
        [],
      ),
      ownField: await addAutomation(
        org,
        'own field',
        { event: added, conditions: { leadStateId: states[0].id } },
        [],
      ),
      customField: await addAutomation(
        org,
        'custom field',
        { event: added, conditions: { 'entry.customFieldData.cf1': 7 } },
        [],
      ),
      matchTrue: await addAutomation(
        org,
        'match true',
        {
          event: added,
          match: {
            and: [{ '==': [{ var: 'entry.data.country' }, 'DE'] }, { '<': [{ var: 'event.depth' }, 1] }],
          },
        },
        [],
      ),
      matchFalse: await addAutomation(
        org,
        'match false',
        { event: added, match: { '==': [{ var: 'entry.data.country' }, 'AT'] } },
        [],
      ),
    };
    const entry = leads.addEntry(pool, { source: 'ads', country: 'DE' });
    const event = entryAdded({ ...entry, customFieldData: { cf1: 7 } }, actorOf(org));
    await publishEvent(auto.nc, auto.names, event);
    await finishedRuns(control.id);
    await settled();

    const counts: Record<string, number> = {};
    for (const [key, automation] of Object.entries(runs)) counts[key] = (await runsOf(automation.id)).length;
    expect(counts).toEqual({
      draft: 0,
      paused: 0,
      archived: 0,
      otherPool: 0,
      otherEvent: 0,
      sourceSeo: 0,
      oneOf: 1,
      ownField: 1,
      customField: 1,
      matchTrue: 1,
      matchFalse: 0,
    });
  });

  it("runs on what an email's recipient did (email.opened, a trigger of the DELIVERY stream) for the email's lead", async () => {
    const org = uuidv7();
    const { pool } = poolFor(org);
    const automation = await addAutomation(org, 'on open', { event: EMAIL_OPENED }, [
      { type: 'update_fields', params: { data: { engaged: 'opened {{ event.data.email }}' } } },
    ]);
    const entry = leads.addEntry(pool, {});
    await publishEvent(
      auto.nc,
      auto.names,
      createEvent({
        type: EMAIL_OPENED,
        source: '/delivery',
        subject: entry.id,
        data: { deliveryId: uuidv7(), entryId: entry.id, email: 'ada@example.test', url: null },
        actor: actorOf(org),
      }),
    );
    const [run] = await finishedRuns(automation.id);
    expect(run).toMatchObject({ status: 'completed', entry_id: entry.id, trigger_name: 'Email opened' });
    expect(leads.updatesOf(entry.id).map((u) => u.data)).toEqual([{ engaged: 'opened ada@example.test' }]);
  });

  it('retries a step failing with a transient error and completes it on the third attempt, applied once', async () => {
    const org = uuidv7();
    const { pool, states } = poolFor(org);
    const automation = await addAutomation(org, 'retry', { event: 'table.entry.added' }, [
      { type: 'change_lead_state', params: { stateId: states[2].id } },
    ]);
    const entry = leads.addEntry(pool, {});
    leads.failUpdates(2);
    await publishEvent(auto.nc, auto.names, entryAdded(entry, actorOf(org)));
    const [run] = await finishedRuns(automation.id);
    expect(run!.status).toBe('completed');
    const [step] = await stepsOf(run!.id);
    expect(step).toMatchObject({ status: 'completed', attempts: 3 });
    const updates = leads.updatesOf(entry.id);
    expect(updates.map((u) => u.idempotencyKey)).toEqual([`${run!.id}:0`, `${run!.id}:0`, `${run!.id}:0`]);
    expect(leads.entries.get(entry.id)!.leadStateId).toBe(states[2].id);
  });

  it("stores a template's rendered number or boolean as the type the pool's schema has for the key", async () => {
    const org = uuidv7();
    const { pool } = poolFor(org, { age: 'number', vip: 'boolean', label: 'string' });
    const automation = await addAutomation(org, 'typed', { event: 'table.entry.added' }, [
      {
        type: 'update_fields',
        params: {
          data: {
            age: '{{ entry.data.age | plus: 1 }}',
            vip: '{% if entry.data.age > 40 %}true{% else %}false{% endif %}',
            label: '{{ entry.data.age }}',
            note: '{{ entry.data.age }}',
          },
        },
      },
    ]);
    const entry = leads.addEntry(pool, { age: 41 });
    const completedBefore = await runsEnded('completed');
    await publishEvent(auto.nc, auto.names, entryAdded(entry, actorOf(org)));
    const [run] = await finishedRuns(automation.id);
    expect(run).toMatchObject({ status: 'completed', error: null });
    expect((await runsEnded('completed')) - completedBefore).toBe(1);
    // A string key, and a key the schema does not have yet, keep the text.
    expect(leads.updatesOf(entry.id)[0]!.data).toEqual({ age: 42, vip: true, label: '41', note: '41' });
  });

  it('fails the step and the run on a permanent error (with the typeErrors), and later steps do not run', async () => {
    const org = uuidv7();
    const { pool, states } = poolFor(org, { age: 'number' });
    const automation = await addAutomation(org, 'conflict', { event: 'table.entry.added' }, [
      { type: 'update_fields', params: { data: { age: 'about {{ entry.data.firstName }}' } } },
      { type: 'change_lead_state', params: { stateId: states[1].id } },
    ]);
    const entry = leads.addEntry(pool, { firstName: 'Bo' });
    const failedBefore = await runsEnded('failed');
    await publishEvent(auto.nc, auto.names, entryAdded(entry, actorOf(org)));
    const [run] = await finishedRuns(automation.id);
    // /metrics counts the run once, as failed.
    expect((await runsEnded('failed')) - failedBefore).toBe(1);
    expect(run).toMatchObject({
      status: 'failed',
      error: 'step 0 (update_fields) failed: Validation failed: age: expected number, received string',
    });
    expect(run!.finished_at).not.toBeNull();
    const steps = await stepsOf(run!.id);
    expect(steps.map((s) => [s.type, s.status, s.attempts])).toEqual([
      ['update_fields', 'failed', 1],
      ['change_lead_state', 'skipped', 0],
    ]);
    expect(steps[0]!.error).toBe('Validation failed: age: expected number, received string');
    expect(steps[0]!.output).toEqual({
      error: {
        code: 'VALIDATION_FAILED',
        typeErrors: [{ key: 'age', expected: 'number', received: 'string' }],
      },
    });
    expect(leads.updatesOf(entry.id)).toHaveLength(1);
    const [failed] = await runEvents.waitFor(
      (e) => e.body.type === 'automation.run.failed' && e.body.data.runId === run!.id,
    );
    expect(failed!.body.data).toMatchObject({ status: 'failed', error: run!.error });
  });

  it('stops two flip-flopping automations with loop detected, and deeper cascades with the depth limit', async () => {
    const org = uuidv7();
    const { pool, states } = poolFor(org);
    const [s1, s2] = [states[0].id, states[1].id];
    const changed = TABLE_ENTRY_LEAD_STATE_CHANGED;
    const toS1 = await addAutomation(org, 'back to S1', { event: changed, to: s2 }, [
      { type: 'change_lead_state', params: { stateId: s1 } },
    ]);
    const toS2 = await addAutomation(org, 'on to S2', { event: changed, to: s1 }, [
      { type: 'change_lead_state', params: { stateId: s2 } },
    ]);
    const entry = leads.addEntry(pool, {}, s2);
    const actor = actorOf(org);
    const change = (entryId: string, depth: number) =>
      createEvent({
        type: changed,
        source: '/leads',
        subject: entryId,
        data: { entryId, tableId: pool.id, from: s1, to: s2 },
        actor,
        depth,
      });
    await publishEvent(auto.nc, auto.names, change(entry.id, 0));
    const first = await finishedRuns(toS1.id, 2);
    await settled();
    expect(first.map((r) => [r.status, r.reason, r.depth])).toEqual([
      ['completed', null, 0],
      ['skipped', 'loop detected', 2],
    ]);
    expect((await runsOf(toS2.id)).map((r) => [r.status, r.depth])).toEqual([['completed', 1]]);
    expect(first.every((r) => r.correlation_id === actor.correlationId)).toBe(true);
    expect(first[0]!.trigger_name).toBe(`${pool.name}: New → Qualified`);
    expect(leads.updatesOf(entry.id)).toHaveLength(2);

    // A cascade already deeper than AUTOMATION_MAX_DEPTH starts nothing more.
    const deep = leads.addEntry(pool, {}, s2);
    await publishEvent(auto.nc, auto.names, change(deep.id, MAX_DEPTH + 1));
    const runs = await finishedRuns(toS1.id, 3);
    expect(runs[2]).toMatchObject({ status: 'skipped', reason: 'cascade depth limit', depth: MAX_DEPTH + 1 });
    expect(await stepsOf(runs[2]!.id)).toEqual([]);
    expect(leads.updatesOf(deep.id)).toHaveLength(0);
  });

  it('in sandbox records what each side effect would do and changes nothing; branches still evaluate', async () => {
    const org = uuidv7();
    const { pool, states } = poolFor(org);
    const automation = await addAutomation(
      org,
      'sandboxed',
      { event: 'table.entry.added' },
      [
        { type: 'update_fields', params: { data: { note: 'hi {{ entry.data.firstName }}' } } },
        {
          type: 'branch',
          params: {
            conditions: { source: 'ads' },
            then: [{ id: 'qualify', type: 'change_lead_state', params: { stateId: states[1].id } }],
            else: [{ type: 'send_sms', params: { body: 'not from ads' } }],
          },
        },
        { type: 'send_email', params: { subject: 'Welcome {{ entry.data.firstName }}' } },
      ],
      { sandbox: true },
    );
    const entry = leads.addEntry(pool, { firstName: 'Cy', source: 'ads', email: 'cy@example.com' });
    await publishEvent(auto.nc, auto.names, entryAdded(entry, actorOf(org)));
    const [run] = await finishedRuns(automation.id);
    expect(run).toMatchObject({ status: 'completed', sandbox: true });
    const steps = await stepsOf(run!.id);
    expect(steps.map((s) => [s.index, s.action_id, s.type, s.status, s.would_do])).toEqual([
      [0, 'a0', 'update_fields', 'wouldRun', { data: { note: 'hi Cy' } }],
      [1, 'a1', 'branch', 'completed', null],
      [
        2,
        'qualify',
        'change_lead_state',
        'wouldRun',
        { leadStateId: { from: states[0].id, to: states[1].id } },
      ],
      [
        3,
        'a2',
        'send_email',
        'wouldRun',
        { kind: 'email', email: { to: 'cy@example.com', subject: 'Welcome Cy', text: null, html: null } },
      ],
    ]);
    expect(steps[1]!.output).toEqual({ matched: true, path: 'then' });

    // The organization's sandbox puts every automation in sandbox.
    const org2 = uuidv7();
    await db.query(
      `WITH s AS (INSERT INTO automation.organization_settings (organization_id, sandbox_enabled) VALUES ($1, true))
       SELECT pg_notify($2, $1::text)`,
      [org2, SETTINGS_CHANNEL],
    );
    const p2 = poolFor(org2);
    const live = await addAutomation(org2, 'live', { event: 'table.entry.added' }, [
      { type: 'change_lead_state', params: { stateId: p2.states[1].id } },
    ]);
    const entry2 = leads.addEntry(p2.pool, {});
    await publishEvent(auto.nc, auto.names, entryAdded(entry2, actorOf(org2)));
    const [run2] = await finishedRuns(live.id);
    expect(run2).toMatchObject({ status: 'completed', sandbox: true });
    expect((await stepsOf(run2!.id))[0]).toMatchObject({ status: 'wouldRun' });

    await runEvents.waitFor(
      (e) => e.body.type === 'automation.run.completed' && e.body.data.runId === run2!.id,
    );
    expect(leads.updatesOf(entry.id)).toHaveLength(0);
    expect(leads.updatesOf(entry2.id)).toHaveLength(0);
    expect(runEvents.ofType(DELIVERY_REQUESTED).filter((e) => e.body.data.runId === run!.id)).toHaveLength(0);
  });

  it('hands delivery requests to the AUTOMATION stream once, keyed by run and step, after a branch inserted them', async () => {
    const org = uuidv7();
    const { pool } = poolFor(org);
    const automation = await addAutomation(org, 'deliver', { event: 'table.entry.added' }, [
      {
        type: 'branch',
        params: {
          match: { '==': [{ var: 'event.channel' }, 'connect_api'] },
          then: [
            {
              id: 'hook',
              type: 'send_webhook',
              params: { url: 'http://127.0.0.1:9/hook', body: { who: '{{ entry.data.firstName }}' } },
            },
          ],
        },
      },
      {
        type: 'send_email',
        params: { subject: 'Hello {{ entry.data.firstName }}', text: 'Your id: {{ entry.id }}' },
      },
      { type: 'send_sms', params: { body: 'Hi' } },
    ]);
    const entry = leads.addEntry(pool, { firstName: 'Di', email: 'di@example.com' });
    await publishEvent(auto.nc, auto.names, entryAdded(entry, actorOf(org)));
    const [run] = await finishedRuns(automation.id);
    // No phone and no `to`: the SMS step cannot succeed, and says why.
    expect(run).toMatchObject({
      status: 'failed',
      error: 'step 3 (send_sms) failed: no recipient: params.to is empty and the lead has no data.phone',
    });
    const steps = await stepsOf(run!.id);
    expect(steps.map((s) => [s.type, s.status])).toEqual([
      ['branch', 'completed'],
      ['send_webhook', 'completed'],
      ['send_email', 'completed'],
      ['send_sms', 'failed'],
    ]);
    expect(steps[1]!.output).toEqual({ requested: true, kind: 'webhook' });

    const requests = await runEvents.waitFor(
      (e) => e.body.type === DELIVERY_REQUESTED && e.body.data.runId === run!.id,
      10_000,
      2,
    );
    await settled();
    expect(runEvents.ofType(DELIVERY_REQUESTED).filter((e) => e.body.data.runId === run!.id)).toHaveLength(2);
    const [hook, email] = requests.sort(
      (a, b) => Number(a.body.data.stepIndex) - Number(b.body.data.stepIndex),
    );
    expect(hook!.body).toMatchObject({
      id: uuidFromKey(`delivery:${run!.id}:1`),
      channel: 'automation',
      causationid: run!.id,
      depth: 1,
      data: {
        idempotencyKey: `${run!.id}:1`,
        automationId: automation.id,
        stepIndex: 1,
        entryId: entry.id,
        kind: 'webhook',
        webhook: {
          url: 'http://127.0.0.1:9/hook',
          endpointId: null,
          format: 'standard',
          body: { who: 'Di' },
        },
        email: null,
        sms: null,
      },
    });
    expect(hook!.headers['Nats-Msg-Id']).toBe(hook!.body.id);
    expect(email!.body.data).toMatchObject({
      idempotencyKey: `${run!.id}:2`,
      kind: 'email',
      email: { to: 'di@example.com', subject: 'Hello Di', text: `Your id: ${entry.id}`, html: null },
    });

    // Delivery reports the outcome: the step that asked shows it; another organization's event changes nothing.
    const outcome = (organizationId: string, status: 'succeeded' | 'failed', attempts: number) =>
      createEvent({
        type: status === 'succeeded' ? DELIVERY_SUCCEEDED : DELIVERY_WEBHOOK_FAILED,
        source: '/delivery',
        subject: uuidv7(),
        data: {
          deliveryId: uuidFromKey(`outcome:${organizationId}:${status}`),
          kind: 'webhook',
          status,
          attempts,
          entryId: entry.id,
          endpointId: null,
          runId: run!.id,
          automationId: automation.id,
          stepIndex: 1,
          error: status === 'failed' ? 'HTTP 500' : null,
        },
        actor: actorOf(organizationId),
      });
    await publishEvent(auto.nc, auto.names, outcome(uuidv7(), 'failed', 6));
    await publishEvent(auto.nc, auto.names, outcome(org, 'succeeded', 2));
    const jsm = await auto.nc.jetstreamManager();
    await eventually(async () => {
      const info = await jsm.consumers.info(
        auto.names.stream('DELIVERY').name,
        auto.names.consumer(CONSUMERS.automationDeliveryOutcomes),
      );
      return info.num_pending === 0 && info.num_ack_pending === 0 && info.delivered.stream_seq >= 2;
    });
    expect((await stepsOf(run!.id))[1]!.output).toEqual({
      requested: true,
      kind: 'webhook',
      delivery: {
        id: uuidFromKey(`outcome:${org}:succeeded`),
        status: 'succeeded',
        attempts: 2,
        error: null,
      },
    });
  });

  it('start_workflow runs the other automation for the lead after the current run; stop_workflow cancels the others', async () => {
    const org = uuidv7();
    const { pool, states } = poolFor(org);
    const started = await addAutomation(
      org,
      'started',
      { event: TABLE_ENTRY_LEAD_STATE_CHANGED, to: states[2].id },
      [{ type: 'update_fields', params: { data: { startedBy: '{{ event.type }}' } } }],
    );
    const starter = await addAutomation(org, 'starter', { event: 'table.entry.added', triggerId: pool.id }, [
      { type: 'start_workflow', params: { automationId: started.id } },
    ]);
    const entry = leads.addEntry(pool, {});
    await publishEvent(auto.nc, auto.names, entryAdded(entry, actorOf(org)));
    const [parent] = await finishedRuns(starter.id);
    const [child] = await finishedRuns(started.id);
    expect(parent!.status).toBe('completed');
    const [step] = await stepsOf(parent!.id);
    expect(step!.output).toEqual({ runId: child!.id, status: 'running', reason: null, cancelled: [] });
    expect(child).toMatchObject({
      status: 'completed',
      trigger_key: `${parent!.id}:0`,
      depth: 1,
      entry_id: entry.id,
      trigger_name: 'Started by starter',
      correlation_id: parent!.correlation_id,
    });
    expect(leads.updatesOf(entry.id)).toEqual([
      expect.objectContaining({
        data: { startedBy: 'table.entry.added' },
        idempotencyKey: `${child!.id}:0`,
        causationId: child!.id,
        depth: 2,
      }),
    ]);

    // stop_workflow of the first automation cancels the second's run for the same lead before it executes.
    const other = poolFor(org).pool;
    const stopper = await addAutomation(org, 'stopper', { event: 'table.entry.added', triggerId: other.id }, [
      { type: 'stop_workflow', params: {} },
    ]);
    const victim = await addAutomation(org, 'victim', { event: 'table.entry.added', triggerId: other.id }, [
      { type: 'update_fields', params: { data: { touched: 'yes' } } },
    ]);
    const entry2 = leads.addEntry(other, {});
    await publishEvent(auto.nc, auto.names, entryAdded(entry2, actorOf(org)));
    const [stopRun] = await finishedRuns(stopper.id);
    const [victimRun] = await finishedRuns(victim.id);
    expect(victimRun).toMatchObject({ status: 'cancelled', reason: `stopped by run ${stopRun!.id}` });
    expect((await stepsOf(victimRun!.id)).map((s) => s.status)).toEqual(['skipped']);
    expect((await stepsOf(stopRun!.id))[0]!.output).toEqual({ cancelled: [victimRun!.id] });
    await settled();
    expect(leads.updatesOf(entry2.id)).toHaveLength(0);
  });

  it('dry-runs an automation (a draft too) against a real lead, changes nothing and records it', async () => {
    const org = uuidv7();
    const { pool, states } = poolFor(org);
    const entry = leads.addEntry(pool, { firstName: 'Eve', source: 'ads', phone: '+49301234567' });
    const draft = await addAutomation(
      org,
      'draft',
      { event: 'table.entry.added', triggerId: pool.id, conditions: { source: 'ads' } },
      [
        { type: 'change_lead_state', params: { stateId: states[1].id } },
        {
          type: 'branch',
          params: {
            match: { '==': [{ var: 'entry.data.firstName' }, 'Eve'] },
            then: [{ type: 'send_sms', params: { body: 'Hi {{ entry.data.firstName }}' } }],
          },
        },
      ],
      { status: 'draft' },
    );
    const dry = auto.app.get(DryRunner);
    const actor = actorOf(org);
    const result = await dry.dryRun({ automation: draft, entryId: entry.id, actor });
    expect(result).toEqual({
      matched: true,
      runId: expect.any(String),
      steps: [
        {
          type: 'change_lead_state',
          status: 'wouldRun',
          wouldDo: { leadStateId: { from: states[0].id, to: states[1].id } },
        },
        { type: 'branch', status: 'wouldRun', wouldDo: { matched: true, path: 'then' } },
        {
          type: 'send_sms',
          status: 'wouldRun',
          wouldDo: { kind: 'sms', sms: { to: '+49301234567', body: 'Hi Eve' } },
        },
      ],
    });
    const [recorded] = await runsOf(draft.id);
    expect(recorded).toMatchObject({
      id: result.runId,
      status: 'completed',
      sandbox: true,
      dry_run: true,
      trigger_name: pool.name,
    });
    expect((await stepsOf(result.runId)).map((s) => s.status)).toEqual(['wouldRun', 'wouldRun', 'wouldRun']);

    const notMatched = await dry.dryRun({
      automation: { ...draft, trigger: { ...draft.trigger, conditions: { source: 'seo' } } },
      entryId: entry.id,
      actor,
    });
    expect(notMatched).toEqual({
      matched: false,
      reason: 'conditions not met: source',
      runId: expect.any(String),
      steps: [],
    });
    expect((await runsOf(draft.id)).find((r) => r.id === notMatched.runId)).toMatchObject({
      status: 'skipped',
      reason: 'conditions not met: source',
    });

    const onTransition = await dry.dryRun({
      automation: { ...draft, trigger: { event: TABLE_ENTRY_LEAD_STATE_CHANGED, to: states[2].id } },
      entryId: entry.id,
      event: { type: TABLE_ENTRY_LEAD_STATE_CHANGED, data: { from: states[0].id, to: states[1].id } },
      actor,
    });
    expect(onTransition).toMatchObject({ matched: false, reason: 'trigger.to does not match' });
    expect(
      (
        await dry.dryRun({
          automation: draft,
          entryId: entry.id,
          event: { type: 'calendar.appointment.booked' },
          actor,
        })
      ).reason,
    ).toBe('event type differs');

    const missing = await failure(dry.dryRun({ automation: draft, entryId: uuidv7(), actor }));
    expect(missing).toMatchObject({ code: 'NOT_FOUND', message: 'Table entry not found' });
    expect(leads.updatesOf(entry.id)).toHaveLength(0);
  });

  it('resumes a run whose replica died mid-step once its lease expires, and the step applies once', async () => {
    const org = uuidv7();
    const { pool, states } = poolFor(org);
    // Never triggered by an event here: its run is made by hand, as a dead replica would have left it.
    const automation = await addAutomation(org, 'resumed', { event: 'calendar.appointment.deleted' }, [
      { type: 'change_lead_state', params: { stateId: states[1].id } },
      { type: 'update_fields', params: { data: { resumed: 'yes' } } },
    ]);
    const entry = leads.addEntry(pool, {});
    const trigger = entryAdded(entry, actorOf(org));
    const created = await db.transaction((manager) =>
      auto.app.get(RunFactory).create(manager, {
        automation,
        triggerKey: trigger.id,
        snapshot: buildSnapshot(trigger, entry, null),
        entryId: entry.id,
        depth: 0,
        sandbox: false,
        triggerName: null,
        causationId: trigger.id,
      }),
    );
    const runId = created.runId;
    // The dead replica had begun step 0 and reached leads (the change is applied under the step's key).
    await db.query(
      `UPDATE automation.run_steps SET status = 'running', attempts = 1, started_at = now() WHERE run_id = $1 AND index = 0`,
      [runId],
    );
    await auto.nc.request(
      auto.names.command(COMMANDS.entriesUpdate),
      JSON.stringify({
        actor: actorOf(org),
        id: entry.id,
        leadStateId: states[1].id,
        idempotencyKey: `${runId}:0`,
      }),
    );
    await db.query(`UPDATE automation.runs SET lease_until = now() + interval '30 seconds' WHERE id = $1`, [
      runId,
    ]);
    const sweeper = auto.app.get(RunSweeper);
    expect(await sweeper.sweep()).toBe(0); // still held
    expect((await runsOf(automation.id))[0]!.status).toBe('running');

    await db.query(`UPDATE automation.runs SET lease_until = now() - interval '1 second' WHERE id = $1`, [
      runId,
    ]);
    await sweeper.sweep();
    const [run] = await finishedRuns(automation.id);
    expect(run!.status).toBe('completed');
    const steps = await stepsOf(runId);
    expect(steps.map((s) => [s.status, s.attempts])).toEqual([
      ['completed', 2],
      ['completed', 1],
    ]);
    const updates = leads.updatesOf(entry.id);
    expect(updates.map((u) => u.idempotencyKey)).toEqual([`${runId}:0`, `${runId}:0`, `${runId}:1`]);
    // Applied once: leads published one state change for the lead.
    await settled();
    expect(
      leadEvents.ofType(TABLE_ENTRY_LEAD_STATE_CHANGED).filter((e) => e.body.data.entryId === entry.id),
    ).toHaveLength(1);
  });

  it('with two replicas, a burst of events gets exactly one run per event and one change per lead', async () => {
    await auto.boot();
    const org = uuidv7();
    const { pool, states } = poolFor(org);
    const automation = await addAutomation(org, 'burst', { event: 'table.entry.added' }, [
      { type: 'change_lead_state', params: { stateId: states[1].id } },
    ]);
    const entries: TableEntry[] = Array.from({ length: 40 }, (_, i) => leads.addEntry(pool, { n: i }));
    await Promise.all(
      entries.map((entry) => publishEvent(auto.nc, auto.names, entryAdded(entry, actorOf(org)))),
    );
    const runs = await finishedRuns(automation.id, entries.length, 30_000);
    await settled();
    expect(runs).toHaveLength(entries.length);
    expect(runs.every((r) => r.status === 'completed')).toBe(true);
    expect(new Set(runs.map((r) => r.entry_id)).size).toBe(entries.length);
    for (const entry of entries) {
      const updates = leads.updatesOf(entry.id);
      expect(updates).toHaveLength(1);
      expect(leads.entries.get(entry.id)!.leadStateId).toBe(states[1].id);
    }
  });
});
