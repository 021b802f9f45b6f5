import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Subscription } from 'nats';
import { DataSource } from 'typeorm';
import {
  ACTIVITY_STREAMS,
  ACTIVITY_TYPES_MAX,
  APPOINTMENT_BOOKED,
  COMMANDS,
  CONSUMERS,
  DELIVERY_SUCCEEDED,
  SMS_REPLIED,
  DomainError,
  TABLE_ENTRY_LEAD_STATE_CHANGED,
  createEvent,
  uuidv7,
  type ActivityItem,
  type Actor,
  type AutomationAction,
  type Booking,
  type CloudEvent,
  type CommandName,
  type DeliveryOutcomeData,
  type EntriesUpdateRequest,
  type LeadPool,
  type RpcReply,
  type TableEntry,
} from '@rocketlead/contracts';
import { commandSender, eventually, failure, type CommandSender } from '@rocketlead/testing';
import { AutomationIndexService } from '../src/engine/automation-index';
import {
  entryAdded,
  insertAutomation,
  publishEvent,
  startAutomation,
  type AutomationUnderTest,
} from './support';

// The lead activity timeline of the automation service, in process on real Postgres and NATS: the event
// projection (events published on the streams as the owning services' relays do) and the query merging it
// with runs, steps and tasks. leads is stood in for by a responder that scopes every look-up by organization.
describe('lead activity timeline (real Postgres and NATS)', () => {
  let auto: AutomationUnderTest;
  let send: CommandSender;
  let db: DataSource;
  const subscriptions: Subscription[] = [];
  const entries = new Map<string, TableEntry>();

  const orgA = uuidv7();
  const orgB = uuidv7();
  const tokenId = uuidv7();
  const actorOf = (organizationId: string, channel: Actor['channel'] = 'connect_api'): Actor => ({
    organizationId,
    channel,
    apiTokenId: channel === 'connect_api' ? tokenId : null,
    memberId: null,
    correlationId: uuidv7(),
    traceparent: null,
  });

  function addEntry(organizationId: string): TableEntry {
    const now = new Date().toISOString();
    const entry: TableEntry = {
      id: uuidv7(),
      tableId: uuidv7(),
      organizationId,
      data: { name: 'Ada' },
      customFieldData: {},
      leadStateId: uuidv7(),
      assignedMemberId: null,
      duplicateOfId: null,
      tags: [],
      createdAt: now,
      updatedAt: now,
    };
    entries.set(entry.id, entry);
    return entry;
  }

  /** Answers a leads command as leads does: another organization's entry is not found. */
  function respond(command: CommandName, answer: (request: Record<string, unknown>) => unknown): void {
    subscriptions.push(
      auto.nc.subscribe(auto.names.command(command), {
        callback: (_, msg) => {
          let reply: RpcReply<unknown>;
          try {
            reply = { ok: true, result: answer(msg.json<Record<string, unknown>>()) };
          } catch (error) {
            reply = { ok: false, error: (error as DomainError).toBody() };
          }
          msg.respond(JSON.stringify(reply));
        },
      }),
    );
  }

  const entryOf = (organizationId: unknown, id: unknown): TableEntry => {
    const entry = entries.get(id as string);
    if (!entry || entry.organizationId !== organizationId)
      throw new DomainError('NOT_FOUND', 'Table entry not found');
    return entry;
  };

  /** An active automation on table.entry.added, as the API writes it (row, version, NOTIFY). */
  const addAutomation = async (organizationId: string, actions: Omit<AutomationAction, 'id'>[]) =>
    (
      await insertAutomation(db, {
        organizationId,
        name: 'Follow up',
        trigger: { event: 'table.entry.added' },
        actions,
      })
    ).id;

  const timeline = (
    organizationId: string,
    entryId: string,
    query: { types?: string[]; limit?: number } = {},
  ) =>
    send(COMMANDS.activityList, { organizationId, entryId, limit: query.limit ?? 100, types: query.types });

  /** Every page of the timeline, `limit` items at a time. */
  async function allPages(organizationId: string, entryId: string, limit: number): Promise<ActivityItem[]> {
    const items: ActivityItem[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page += 1) {
      const result = await send(COMMANDS.activityList, { organizationId, entryId, limit, cursor });
      expect(result.items.length).toBeLessThanOrEqual(limit);
      items.push(...result.items);
      if (!result.nextCursor) return items;
      cursor = result.nextCursor;
    }
    throw new Error('the timeline did not end');
  }

  /** The projection's consumers have taken and acknowledged everything published so far. */
  const projected = async (): Promise<void> => {
    const jsm = await auto.nc.jetstreamManager();
    await eventually(
      async () => {
        for (const stream of ACTIVITY_STREAMS) {
          const info = await jsm.consumers.info(
            auto.names.stream(stream).name,
            auto.names.consumer(CONSUMERS.automationActivity(stream)),
          );
          if (info.num_pending > 0 || info.num_ack_pending > 0) return false;
        }
        return true;
      },
      { timeoutMs: 20_000, message: 'activity consumers settled' },
    );
  };

  const storedCopies = async (eventId: string): Promise<number> =>
    (
      (await db.query('SELECT count(*)::int AS n FROM automation.activity_events WHERE id = $1', [
        eventId,
      ])) as { n: number }[]
    )[0]!.n;

  /** Event ids the projection's consumers dead-lettered. */
  const deadLettered = async (): Promise<string[]> => {
    const jsm = await auto.nc.jetstreamManager();
    const stream = auto.names.stream('DEAD_LETTER').name;
    const ids: string[] = [];
    for (const stream_ of ACTIVITY_STREAMS) {
      const subject = auto.names.deadLetterSubject(CONSUMERS.automationActivity(stream_));
      const info = await jsm.streams.info(stream, { subjects_filter: subject });
      if (!info.state.subjects?.[subject]) continue;
      const last = await jsm.streams.getMessage(stream, { last_by_subj: subject });
      ids.push(last.json<{ id: string }>().id);
    }
    return ids;
  };

  const stateChanged = (entry: TableEntry, actor: Actor, time?: Date): CloudEvent =>
    createEvent({
      type: TABLE_ENTRY_LEAD_STATE_CHANGED,
      source: '/leads',
      subject: entry.id,
      data: { entryId: entry.id, tableId: entry.tableId, from: entry.leadStateId, to: uuidv7() },
      actor,
      time,
    });

  const webhookDelivered = (
    entry: TableEntry,
    entryId: string | null,
    time?: Date,
  ): CloudEvent<DeliveryOutcomeData> =>
    createEvent({
      type: DELIVERY_SUCCEEDED,
      source: '/delivery',
      subject: uuidv7(),
      data: {
        deliveryId: uuidv7(),
        kind: 'webhook',
        status: 'succeeded',
        attempts: 1,
        entryId,
        endpointId: uuidv7(),
        runId: null,
        automationId: null,
        stepIndex: null,
        error: null,
      },
      actor: actorOf(entry.organizationId, 'system'),
      time,
    });

  const booked = (entry: TableEntry, time: Date): CloudEvent<Booking> => {
    const start = new Date(Date.now() + 86_400_000);
    const now = new Date().toISOString();
    return createEvent({
      type: APPOINTMENT_BOOKED,
      source: '/calendar',
      subject: uuidv7(),
      data: {
        id: uuidv7(),
        calendarId: uuidv7(),
        organizationId: entry.organizationId,
        tableEntryId: entry.id,
        title: 'Intro call',
        attendees: [],
        startDateTime: start.toISOString(),
        endDateTime: new Date(start.getTime() + 1_800_000).toISOString(),
        status: 'booked',
        createdAt: now,
        updatedAt: now,
      },
      actor: actorOf(entry.organizationId),
      time,
    });
  };

  beforeAll(async () => {
    auto = await startAutomation('activity');
    send = commandSender(auto.nc, auto.names);
    db = auto.app.get(DataSource);
    respond(COMMANDS.entriesGet, (r) => entryOf(r.organizationId, r.id));
    // The trigger name of a run is its lead's pool.
    respond(COMMANDS.poolsGet, (r): LeadPool => {
      const entry = [...entries.values()].find(
        (e) => e.tableId === r.id && e.organizationId === r.organizationId,
      );
      if (!entry) throw new DomainError('NOT_FOUND', 'Lead pool not found');
      const createdAt = entry.createdAt;
      return {
        id: entry.tableId,
        organizationId: entry.organizationId,
        name: 'Inbound',
        defaultLeadStateId: null,
        tableSchema: {},
        dedupe: null,
        birthdayField: null,
        createdAt,
      };
    });
    respond(COMMANDS.entriesUpdate, (r) => {
      const request = r as unknown as EntriesUpdateRequest;
      const entry = entryOf(request.actor.organizationId, request.id);
      return { ...entry, data: { ...entry.data, ...(request.data ?? {}) } };
    });
  }, 120_000);

  afterAll(async () => {
    for (const sub of subscriptions) sub.unsubscribe();
    await auto?.stop();
  }, 120_000);

  it('stores each event about a lead once, also when it is delivered again; events about no lead are not kept', async () => {
    const entry = addEntry(orgA);
    const added = entryAdded(entry, actorOf(orgA));
    const delivered = webhookDelivered(entry, entry.id, new Date(Date.parse(added.time) + 1));
    const aboutNoLead = webhookDelivered(entry, null);
    for (const event of [added, delivered, aboutNoLead]) await publishEvent(auto.nc, auto.names, event);
    // The same events again under other message ids: the stream keeps both, the consumers get both.
    await publishEvent(auto.nc, auto.names, added, uuidv7());
    await publishEvent(auto.nc, auto.names, delivered, uuidv7());
    await projected();

    expect(await storedCopies(added.id)).toBe(1);
    expect(await storedCopies(delivered.id)).toBe(1);
    expect(await storedCopies(aboutNoLead.id)).toBe(0);
    // A redelivery is no failure: nothing was dead-lettered.
    expect(await deadLettered()).toEqual([]);
    const { items } = await timeline(orgA, entry.id);
    expect(items).toEqual([
      {
        id: delivered.id,
        at: delivered.time,
        kind: 'delivery',
        type: 'delivery.succeeded',
        summary: 'Webhook delivered',
        channel: 'system',
        apiTokenId: null,
        memberId: null,
        data: delivered.data,
      },
      {
        id: added.id,
        at: added.time,
        kind: 'event',
        type: 'table.entry.added',
        summary: 'Lead added via Connect API',
        channel: 'connect_api',
        apiTokenId: tokenId,
        memberId: null,
        data: added.data,
      },
    ]);
  });

  describe('a lead with events, a run, its steps and its task', () => {
    let entry: TableEntry;
    let automationId: string;
    let added: CloudEvent;
    let full: ActivityItem[];

    beforeAll(async () => {
      automationId = await addAutomation(orgA, [
        { type: 'update_fields', params: { data: { greeting: 'Hi {{ entry.data.name }}' } } },
        { type: 'create_task', params: { title: 'Call {{ entry.data.name }}' } },
      ]);
      // The engine's index picks the automation up from the NOTIFY.
      await eventually(
        async () =>
          (await auto.app.get(AutomationIndexService).index(orgA))
            .get('table.entry.added')
            ?.some((a) => a.id === automationId),
        { message: 'the automation in the engine index' },
      );
      entry = addEntry(orgA);
      added = entryAdded(entry, actorOf(orgA));
      await publishEvent(auto.nc, auto.names, added);
      // The run waits on its task once both steps have run.
      await eventually(
        async () => {
          const { items } = await timeline(orgA, entry.id);
          return items.some((i) => i.kind === 'task') ? items : undefined;
        },
        { timeoutMs: 20_000, message: 'the run reached its task' },
      );
      // Times one millisecond apart, so that their order is not left to their random ids.
      const now = Date.now();
      await publishEvent(auto.nc, auto.names, booked(entry, new Date(now)));
      await publishEvent(
        auto.nc,
        auto.names,
        stateChanged(entry, actorOf(orgA, 'console'), new Date(now + 1)),
      );
      await projected();
      // A dry run is an evaluation, not history.
      await send(COMMANDS.automationsDryRun, { actor: actorOf(orgA), id: automationId, entryId: entry.id });
      full = (await timeline(orgA, entry.id)).items;
      const dryRuns = (await db.query(
        'SELECT count(*)::int AS n FROM automation.runs WHERE entry_id = $1 AND dry_run',
        [entry.id],
      )) as { n: number }[];
      expect(dryRuns[0]!.n).toBe(1);
    }, 60_000);

    it('merges them newest first, runs, steps and tasks carrying the triggering actor', () => {
      expect(full.map((i) => [i.kind, i.type])).toEqual([
        ['event', 'table.entry.leadState.changed'],
        ['event', 'calendar.appointment.booked'],
        ['task', 'automation.task.open'],
        ['step', 'create_task'],
        ['step', 'update_fields'],
        ['run', 'automation.run.waiting'],
        ['event', 'table.entry.added'],
      ]);
      const times = full.map((i) => i.at);
      expect([...times].sort().reverse()).toEqual(times);

      const [state, booking, task, createTask, updateFields, run, first] = full as [
        ActivityItem,
        ActivityItem,
        ActivityItem,
        ActivityItem,
        ActivityItem,
        ActivityItem,
        ActivityItem,
      ];
      expect(first).toMatchObject({ id: added.id, channel: 'connect_api', apiTokenId: tokenId });
      expect(state).toMatchObject({ summary: 'Lead state changed', channel: 'console', apiTokenId: null });
      expect(booking).toMatchObject({ summary: 'Appointment booked', data: { title: 'Intro call' } });
      expect(state.automationId).toBeUndefined();
      const byRun = {
        automationId,
        runId: run.id,
        channel: 'connect_api',
        apiTokenId: tokenId,
        memberId: null,
      };
      expect(run).toMatchObject({
        ...byRun,
        summary: 'Automation "Follow up" waiting',
        data: {
          status: 'waiting',
          automationName: 'Follow up',
          eventId: added.id,
          eventType: 'table.entry.added',
        },
      });
      expect(updateFields).toMatchObject({
        ...byRun,
        id: `${run.id}:0`,
        summary: 'Step 1, Update fields: completed',
        data: { index: 0, status: 'completed' },
      });
      expect(createTask).toMatchObject({
        ...byRun,
        id: `${run.id}:1`,
        data: { index: 1, status: 'waiting' },
      });
      expect(task).toMatchObject({
        ...byRun,
        summary: 'Task "Call Ada" created',
        data: { title: 'Call Ada', status: 'open', stepIndex: 1, completedAt: null },
      });
    });

    it('pages through every item exactly once, in the same order, whatever the page size', async () => {
      for (const limit of [1, 2, 3]) expect(await allPages(orgA, entry.id, limit)).toEqual(full);
      const first = await timeline(orgA, entry.id, { limit: 7 });
      expect(first.nextCursor).toBeNull();
    });

    it('filters by exact types and by `.*` prefixes', async () => {
      const types = async (filter: string[]) =>
        (await timeline(orgA, entry.id, { types: filter })).items.map((i) => i.type);
      expect(await types(['table.entry.*'])).toEqual(['table.entry.leadState.changed', 'table.entry.added']);
      expect(await types(['calendar.appointment.*', 'update_fields'])).toEqual([
        'calendar.appointment.booked',
        'update_fields',
      ]);
      expect(await types(['automation.*'])).toEqual(['automation.task.open', 'automation.run.waiting']);
      expect(await types(['table.entry.added', 'create_task'])).toEqual(['create_task', 'table.entry.added']);
      expect(await types(['table.*', '*'])).toHaveLength(full.length);
      expect(await types(['table.entry'])).toEqual([]);

      // Paging keeps the filter.
      const page = await send(COMMANDS.activityList, {
        organizationId: orgA,
        entryId: entry.id,
        limit: 1,
        types: ['table.entry.*'],
      });
      const next = await send(COMMANDS.activityList, {
        organizationId: orgA,
        entryId: entry.id,
        limit: 1,
        types: ['table.entry.*'],
        cursor: page.nextCursor!,
      });
      expect([...page.items, ...next.items].map((i) => i.type)).toEqual([
        'table.entry.leadState.changed',
        'table.entry.added',
      ]);
    });

    it('refuses more types than ACTIVITY_TYPES_MAX, a type too long and a cursor it did not make', async () => {
      const fieldsOf = (error: DomainError) =>
        (error.details?.errors as { field: string }[]).map((e) => e.field);
      const tooMany = Array.from({ length: ACTIVITY_TYPES_MAX + 1 }, (_, i) => `type.${i}`);
      const many = await failure(timeline(orgA, entry.id, { types: tooMany }));
      expect(many.code).toBe('VALIDATION_FAILED');
      expect(fieldsOf(many)).toContain('types');
      const long = await failure(timeline(orgA, entry.id, { types: ['x'.repeat(201)] }));
      expect(fieldsOf(long)).toContain('types');
      const cursor = await failure(
        send(COMMANDS.activityList, { organizationId: orgA, entryId: entry.id, limit: 10, cursor: 'nope' }),
      );
      expect(cursor.code).toBe('VALIDATION_FAILED');
      expect(fieldsOf(cursor)).toEqual(['cursor']);
    });

    it("answers NOT_FOUND for another organization's lead and for an unknown one", async () => {
      for (const [organizationId, entryId] of [
        [orgB, entry.id],
        [orgA, uuidv7()],
      ] as const) {
        const error = await failure(timeline(organizationId, entryId));
        expect(error.code).toBe('NOT_FOUND');
        expect(error.message).toBe('Table entry not found');
      }
    });
  });

  it('orders items of the same instant by id, and pages through them without loss or repeat', async () => {
    const entry = addEntry(orgA);
    const time = new Date();
    const events = Array.from({ length: 5 }, () => stateChanged(entry, actorOf(orgA), time));
    for (const event of events) await publishEvent(auto.nc, auto.names, event);
    await projected();
    const ids = events
      .map((e) => e.id)
      .sort()
      .reverse();
    expect((await timeline(orgA, entry.id)).items.map((i) => i.id)).toEqual(ids);
    expect((await allPages(orgA, entry.id, 2)).map((i) => i.id)).toEqual(ids);
  });

  // Last: the event it dead-letters stays pending on DELIVERY until its ack wait, which `projected()` waits out.
  it('dead-letters an event Postgres refuses to store, and stores the events written with it', async () => {
    const entry = addEntry(orgA);
    // jsonb refuses NUL: the one refused row of a batch must not hold back the others.
    const refused = createEvent({
      type: SMS_REPLIED,
      source: '/delivery',
      subject: uuidv7(),
      data: { entryId: entry.id, deliveryId: null, from: '+15550100', body: 'stop\u0000', messageSid: 'SM1' },
      actor: actorOf(orgA, 'system'),
    });
    const fine = Array.from({ length: 20 }, () => webhookDelivered(entry, entry.id));
    await Promise.all([refused, ...fine].map((event) => publishEvent(auto.nc, auto.names, event)));
    // Not `projected()`: nats-server 2.9 keeps a message terminated with a reason pending until its ack wait.
    await eventually(async () => (await deadLettered()).includes(refused.id), {
      timeoutMs: 20_000,
      message: 'the refused event dead-lettered',
    });
    await eventually(async () => (await timeline(orgA, entry.id)).items.length === fine.length, {
      message: 'the other events stored',
    });
    expect(await storedCopies(refused.id)).toBe(0);
    for (const event of fine) expect(await storedCopies(event.id)).toBe(1);
    expect(await deadLettered()).toEqual([refused.id]);
  });
});
