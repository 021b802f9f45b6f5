import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Subscription } from 'nats';
import { Client, type Notification } from 'pg';
import {
  AUTOMATION_LIMITS,
  COMMANDS,
  DomainError,
  uuidv7,
  type Actor,
  type Automation,
  type AutomationRunListItem,
  type AutomationsCreateCommand,
  type Calendar,
  type CommandName,
  type LeadPool,
  type LeadState,
  type RpcReply,
  type TableEntry,
} from '@rocketlead/contracts';
import { commandSender, eventually, failure, withContext, type CommandSender } from '@rocketlead/testing';
import { AUTOMATIONS_CHANNEL, SETTINGS_CHANNEL } from '../src/database/channels';
import { AutomationIndexService } from '../src/engine/automation-index';
import { entryAdded, publishEvent, startAutomation, type AutomationUnderTest } from './support';

// The automations API of the automation service (request/reply on NATS), in process on real Postgres and
// NATS. leads and calendar are stood in for by a responder on NATS that scopes every look-up by organization.
describe('automation API (real Postgres and NATS)', () => {
  let auto: AutomationUnderTest;
  let send: CommandSender;
  let pg: Client;
  const subscriptions: Subscription[] = [];
  const notifications: Notification[] = [];

  // What the stand-ins for leads and calendar know.
  const pools = new Map<string, LeadPool>();
  const states = new Map<string, LeadState[]>();
  const calendars = new Map<string, Calendar>();
  const entries = new Map<string, TableEntry>();

  const orgA = uuidv7();
  const orgB = uuidv7();
  const actorOf = (organizationId: string): Actor => ({
    organizationId,
    channel: 'connect_api',
    apiTokenId: uuidv7(),
    memberId: null,
    correlationId: uuidv7(),
    traceparent: null,
  });

  function addPool(organizationId: string, name: string): { pool: LeadPool; states: LeadState[] } {
    const id = uuidv7();
    const list = ['New', 'Qualified', 'Won'].map((n, i) => ({
      id: uuidv7(),
      tableId: id,
      name: n,
      isDefault: i === 0,
      milestone: null,
    }));
    const pool: LeadPool = {
      id,
      organizationId,
      name,
      defaultLeadStateId: list[0]!.id,
      tableSchema: {},
      dedupe: null,
      birthdayField: null,
      createdAt: new Date().toISOString(),
    };
    pools.set(id, pool);
    states.set(id, list);
    return { pool, states: list };
  }

  function addCalendar(organizationId: string): Calendar {
    const calendar: Calendar = {
      id: uuidv7(),
      organizationId,
      name: 'Studio',
      timezone: 'UTC',
      exclusive: false,
      createdAt: new Date().toISOString(),
    };
    calendars.set(calendar.id, calendar);
    return calendar;
  }

  function addEntry(pool: LeadPool, data: TableEntry['data']): TableEntry {
    const now = new Date().toISOString();
    const entry: TableEntry = {
      id: uuidv7(),
      tableId: pool.id,
      organizationId: pool.organizationId,
      data,
      customFieldData: {},
      leadStateId: pool.defaultLeadStateId!,
      assignedMemberId: null,
      duplicateOfId: null,
      tags: [],
      createdAt: now,
      updatedAt: now,
    };
    entries.set(entry.id, entry);
    return entry;
  }

  /** Answers `command` from `lookup`, as the owning service does: another organization's object is not found. */
  function respond<T extends { organizationId: string }>(
    command: CommandName,
    what: string,
    lookup: (request: { organizationId: string; id?: string; tableId?: string }) => T | undefined,
    result: (found: T) => unknown = (found) => found,
  ): void {
    subscriptions.push(
      auto.nc.subscribe(auto.names.command(command), {
        callback: (_, msg) => {
          const request = msg.json<{ organizationId: string; id?: string; tableId?: string }>();
          const found = lookup(request);
          const reply: RpcReply<unknown> =
            found && found.organizationId === request.organizationId
              ? { ok: true, result: result(found) }
              : { ok: false, error: { code: 'NOT_FOUND', message: `${what} not found` } };
          msg.respond(JSON.stringify(reply));
        },
      }),
    );
  }

  const fields = (error: DomainError): string[] =>
    (error.details?.errors as { field: string }[]).map((e) => e.field);

  const create = (organizationId: string, body: Record<string, unknown>): Promise<Automation> =>
    send(COMMANDS.automationsCreate, {
      actor: actorOf(organizationId),
      name: 'Automation',
      trigger: { event: 'table.entry.added' },
      actions: [],
      ...body,
    } as AutomationsCreateCommand);

  const versions = async (automationId: string) =>
    (
      await pg.query<{ version: number; name: string; trigger: unknown; actions: unknown }>(
        'SELECT version, name, trigger, actions FROM automation.automation_versions WHERE automation_id = $1 ORDER BY version',
        [automationId],
      )
    ).rows;

  /** Waits until the engine's in-memory index holds the automation at this version (the NOTIFY came back). */
  const indexed = (automation: Automation) =>
    eventually(
      async () => {
        const list = (await auto.app.get(AutomationIndexService).index(automation.organizationId)).get(
          automation.trigger.event,
        );
        return list?.some((a) => a.id === automation.id && a.version === automation.version);
      },
      { message: `automation ${automation.id} v${automation.version} in the engine's index` },
    );

  const finishedRuns = (automationId: string, organizationId: string, count: number) =>
    eventually(
      async () => {
        const page = await send(COMMANDS.runsList, { organizationId, automationId, limit: 100 });
        return page.items.filter((r) => r.status !== 'running').length >= count ? page.items : undefined;
      },
      { timeoutMs: 15_000, message: `${count} finished runs of ${automationId}` },
    );

  beforeAll(async () => {
    auto = await startAutomation('autoapi');
    send = commandSender(auto.nc, auto.names);
    respond(COMMANDS.poolsGet, 'Lead pool', (r) => pools.get(r.id!));
    respond(
      COMMANDS.leadStatesList,
      'Lead pool',
      (r) => pools.get(r.tableId!),
      (pool) => states.get(pool.id),
    );
    respond(COMMANDS.calendarsGet, 'Calendar', (r) => calendars.get(r.id!));
    respond(COMMANDS.entriesGet, 'Table entry', (r) => entries.get(r.id!));
    pg = new Client({ connectionString: auto.db.url });
    await pg.connect();
    pg.on('notification', (n) => notifications.push(n));
    await pg.query(`LISTEN ${AUTOMATIONS_CHANNEL}`);
    await pg.query(`LISTEN ${SETTINGS_CHANNEL}`);
  }, 120_000);

  afterAll(async () => {
    for (const sub of subscriptions) sub.unsubscribe();
    await pg?.end();
    await auto?.stop();
  }, 120_000);

  it('creates an automation with its defaults, an id for every action and version 1', async () => {
    const { pool, states: poolStates } = addPool(orgA, 'Inbound');
    const before = notifications.length;
    const created = await create(orgA, {
      name: 'Qualify',
      trigger: { event: 'table.entry.added', triggerId: pool.id, conditions: { source: ['ads', 'seo'] } },
      actions: [
        { type: 'update_fields', params: { data: { greeting: 'Hi {{ entry.data.name }}' } } },
        { id: 'keep-me', type: 'change_lead_state', params: { stateId: poolStates[1]!.id } },
        {
          type: 'branch',
          params: {
            match: { '==': [{ var: 'entry.data.source' }, 'ads'] },
            then: [{ type: 'change_lead_state', params: { stateId: poolStates[2]!.id } }],
            else: [{ type: 'stop_workflow' }],
          },
        },
      ],
    });
    expect(Object.keys(created).sort()).toEqual(
      [
        'actions',
        'createdAt',
        'description',
        'id',
        'name',
        'organizationId',
        'sandbox',
        'status',
        'trigger',
        'updatedAt',
        'version',
      ].sort(),
    );
    expect(created).toMatchObject({
      organizationId: orgA,
      name: 'Qualify',
      description: null,
      status: 'draft',
      sandbox: false,
      version: 1,
      trigger: { event: 'table.entry.added', triggerId: pool.id, conditions: { source: ['ads', 'seo'] } },
    });
    const [first, kept, branch] = created.actions;
    expect(first!.id).toMatch(/^a_[0-9a-z]{10}$/);
    expect(kept!.id).toBe('keep-me');
    const nested = branch!.params as { then: { id: string }[]; else: { id: string; params: unknown }[] };
    expect(nested.then[0]!.id).toMatch(/^a_[0-9a-z]{10}$/);
    // A list without params is stored with empty params, and gets its id too.
    expect(nested.else[0]).toMatchObject({ type: 'stop_workflow', params: {} });
    const ids = [first!.id, kept!.id, branch!.id, nested.then[0]!.id, nested.else[0]!.id];
    expect(new Set(ids).size).toBe(5);

    expect(await send(COMMANDS.automationsGet, { organizationId: orgA, id: created.id })).toEqual(created);
    expect(await versions(created.id)).toEqual([
      { version: 1, name: 'Qualify', trigger: created.trigger, actions: created.actions },
    ]);
    // The engine is told in the change's transaction, with the organization as payload.
    await eventually(() =>
      notifications.slice(before).some((n) => n.channel === AUTOMATIONS_CHANNEL && n.payload === orgA),
    );

    const described = await create(orgA, { description: 'why', status: 'active', sandbox: true });
    expect(described).toMatchObject({ description: 'why', status: 'active', sandbox: true, version: 1 });
  });

  it("creates once per idempotency key: a repeat answers the automation it made, never another organization's", async () => {
    const idempotencyKey = uuidv7();
    const first = await create(orgA, { name: 'Keyed', idempotencyKey });
    expect(first.id).toBe(idempotencyKey);
    expect(await create(orgA, { name: 'Keyed', idempotencyKey })).toEqual(first);
    const rows = (await pg.query('SELECT count(*)::int AS n FROM automation.automations WHERE id = $1', [
      idempotencyKey,
    ])) as { rows: { n: number }[] };
    expect(rows.rows[0]!.n).toBe(1);
    expect((await failure(create(orgB, { name: 'Keyed', idempotencyKey }))).code).toBe('CONFLICT');
  });

  it('names every invalid field, all in one answer', async () => {
    const { pool, states: poolStates } = addPool(orgA, 'Checked');
    const theirs = addPool(orgB, 'Theirs');
    const trigger = { event: 'table.entry.added', triggerId: pool.id };
    const cases: [string, Record<string, unknown>, string[]][] = [
      ['unknown event type', { trigger: { event: 'lead.teleported' } }, ['trigger.event']],
      [
        "another organization's pool",
        { trigger: { ...trigger, triggerId: theirs.pool.id } },
        ['trigger.triggerId'],
      ],
      ['a pool that does not exist', { trigger: { ...trigger, triggerId: uuidv7() } }, ['trigger.triggerId']],
      [
        'a calendar event scoped by a pool id',
        { trigger: { event: 'calendar.appointment.booked', triggerId: pool.id } },
        ['trigger.triggerId'],
      ],
      [
        'unknown action type',
        {
          trigger,
          actions: [
            { type: 'update_fields', params: { data: { a: 1 } } },
            { type: 'update_fields', params: { data: { b: 1 } } },
            { type: 'teleport', params: {} },
          ],
        },
        ['actions[2].type'],
      ],
      [
        'missing params',
        { trigger, actions: [{ type: 'change_lead_state', params: {} }] },
        ['actions[0].params.stateId'],
      ],
      [
        'a state of another pool',
        { trigger, actions: [{ type: 'change_lead_state', params: { stateId: theirs.states[1]!.id } }] },
        ['actions[0].params.stateId'],
      ],
      [
        'a nested state of another pool, and from/to of another pool',
        {
          trigger: {
            event: 'table.entry.leadState.changed',
            triggerId: pool.id,
            from: theirs.states[0]!.id,
            to: poolStates[1]!.id,
          },
          actions: [
            {
              type: 'branch',
              params: { then: [{ type: 'change_lead_state', params: { stateId: theirs.states[2]!.id } }] },
            },
          ],
        },
        ['trigger.from', 'actions[0].params.then[0].params.stateId'],
      ],
      ['invalid JSON Logic', { trigger: { ...trigger, match: { frobnicate: [1, 2] } } }, ['trigger.match']],
      [
        'invalid JSON Logic in a branch',
        { trigger, actions: [{ type: 'branch', params: { match: { '==': 1, '!=': 2 }, then: [] } }] },
        ['actions[0].params.match'],
      ],
      [
        'an action id used twice',
        {
          trigger,
          actions: [
            { id: 'same', type: 'stop_workflow' },
            { type: 'branch', params: { then: [{ id: 'same', type: 'stop_workflow' }] } },
          ],
        },
        ['actions[1].params.then[0].id'],
      ],
      ['null status', { trigger, status: null }, ['status']],
      [
        'everything at once',
        {
          trigger: { event: 'table.entry.added', triggerId: theirs.pool.id, match: { nope: 1 } },
          actions: [{ type: 'change_lead_state', params: {} }, { type: 'teleport' }],
        },
        ['trigger.triggerId', 'trigger.match', 'actions[0].params.stateId', 'actions[1].type'],
      ],
    ];
    for (const [name, body, expected] of cases) {
      const error = await failure(create(orgA, body));
      withContext(name, () => {
        expect(error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'Validation failed' });
        expect(fields(error).sort()).toEqual([...expected].sort());
      });
    }
    const calendarScoped = await failure(
      create(orgA, { trigger: { event: 'calendar.appointment.booked', triggerId: addCalendar(orgB).id } }),
    );
    expect(calendarScoped.details).toEqual({
      errors: [{ field: 'trigger.triggerId', message: 'must be a calendar of this organization' }],
    });
    const mineCalendar = addCalendar(orgA);
    expect(
      await create(orgA, { trigger: { event: 'calendar.appointment.booked', triggerId: mineCalendar.id } }),
    ).toMatchObject({ trigger: { triggerId: mineCalendar.id } });

    // A definition over the limit is refused whole, naming the limit.
    const big = 'x'.repeat(60_000);
    const tooLarge = await failure(
      create(orgA, {
        trigger,
        actions: Array.from({ length: 3 }, () => ({
          type: 'send_email',
          params: { subject: 's', text: big },
        })),
      }),
    );
    expect(tooLarge).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      details: { limit: AUTOMATION_LIMITS.definitionBytes },
    });
    expect(tooLarge.message).toContain(String(AUTOMATION_LIMITS.definitionBytes));
  });

  it('makes every accepted change the next version, keeps each version, and archives on delete', async () => {
    const { pool, states: poolStates } = addPool(orgA, 'Versioned');
    const theirs = addPool(orgB, 'Elsewhere');
    const actor = actorOf(orgA);
    const created = await create(orgA, {
      name: 'v1',
      trigger: { event: 'table.entry.added', triggerId: pool.id },
      actions: [{ type: 'change_lead_state', params: { stateId: poolStates[1]!.id } }],
    });
    const renamed = await send(COMMANDS.automationsUpdate, { actor, id: created.id, name: 'v2' });
    expect(renamed).toMatchObject({
      name: 'v2',
      version: 2,
      actions: created.actions,
      createdAt: created.createdAt,
    });
    // Nothing changed: same version.
    expect(await send(COMMANDS.automationsUpdate, { actor, id: created.id, name: 'v2' })).toEqual(renamed);
    expect(await send(COMMANDS.automationsUpdate, { actor, id: created.id })).toEqual(renamed);

    const activated = await send(COMMANDS.automationsUpdate, {
      actor,
      id: created.id,
      status: 'active',
      sandbox: true,
      description: 'now live',
    });
    expect(activated).toMatchObject({ status: 'active', sandbox: true, description: 'now live', version: 3 });
    const cleared = await send(COMMANDS.automationsUpdate, { actor, id: created.id, description: null });
    expect(cleared).toMatchObject({ description: null, version: 4 });

    // New actions are checked against the stored trigger's pool; valid ones get ids.
    const badState = await failure(
      send(COMMANDS.automationsUpdate, {
        actor,
        id: created.id,
        actions: [{ type: 'change_lead_state', params: { stateId: theirs.states[0]!.id } }],
      }),
    );
    expect(fields(badState)).toEqual(['actions[0].params.stateId']);
    const nulled = await failure(
      send(COMMANDS.automationsUpdate, { actor, id: created.id, name: null } as never),
    );
    expect(fields(nulled)).toEqual(['name']);
    const rewired = await send(COMMANDS.automationsUpdate, {
      actor,
      id: created.id,
      actions: [{ type: 'change_lead_state', params: { stateId: poolStates[2]!.id } }],
    });
    expect(rewired.version).toBe(5);
    expect(rewired.actions[0]!.id).toMatch(/^a_/);
    expect((await send(COMMANDS.automationsGet, { organizationId: orgA, id: created.id })).version).toBe(5);

    const archived = await send(COMMANDS.automationsArchive, { actor, id: created.id });
    expect(archived).toMatchObject({ status: 'archived', version: 6 });
    expect(await send(COMMANDS.automationsArchive, { actor, id: created.id })).toEqual(archived);
    // Un-archiving is a PATCH of the status.
    expect(await send(COMMANDS.automationsUpdate, { actor, id: created.id, status: 'paused' })).toMatchObject(
      {
        status: 'paused',
        version: 7,
      },
    );

    const kept = await versions(created.id);
    expect(kept.map((v) => [v.version, v.name])).toEqual([
      [1, 'v1'],
      [2, 'v2'],
      [3, 'v2'],
      [4, 'v2'],
      [5, 'v2'],
      [6, 'v2'],
      [7, 'v2'],
    ]);
    expect(kept[0]!.actions).toEqual(created.actions);
    expect(kept[4]!.actions).toEqual(rewired.actions);

    // Another organization sees none of it.
    const stranger = actorOf(orgB);
    // Sent one at a time: a request sent before its rejection is awaited would be an unhandled rejection.
    for (const attempt of [
      () => send(COMMANDS.automationsGet, { organizationId: orgB, id: created.id }),
      () => send(COMMANDS.automationsUpdate, { actor: stranger, id: created.id, name: 'mine' }),
      () => send(COMMANDS.automationsArchive, { actor: stranger, id: created.id }),
      () => send(COMMANDS.automationsDryRun, { actor: stranger, id: created.id, entryId: uuidv7() }),
      () => send(COMMANDS.runsList, { organizationId: orgB, automationId: created.id, limit: 10 }),
      () => send(COMMANDS.automationsGet, { organizationId: orgA, id: uuidv7() }),
    ]) {
      expect(await failure(attempt())).toMatchObject({ code: 'NOT_FOUND', message: 'Automation not found' });
    }
  });

  it('lists in creation order with status and event filters, page by page', async () => {
    const org = uuidv7();
    const { pool } = addPool(org, 'Listed');
    const actor = actorOf(org);
    const made: Automation[] = [];
    const plan = [
      ['draft', 'table.entry.added'],
      ['active', 'table.entry.leadState.changed'],
      ['paused', 'table.entry.added'],
      ['active', 'table.entry.added'],
      ['archived', 'table.entry.added'],
      ['draft', 'table.entry.leadState.changed'],
    ] as const;
    for (const [i, [status, event]] of plan.entries())
      made.push(await create(org, { name: `n${i}`, status, trigger: { event, triggerId: pool.id } }));
    const deleted = await send(COMMANDS.automationsArchive, { actor, id: made[0]!.id });

    const all = async (filter: { status?: Automation['status']; event?: string }, limit: number) => {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 20; pages += 1) {
        const page = await send(COMMANDS.automationsList, {
          organizationId: org,
          limit,
          ...filter,
          ...(cursor ? { cursor } : {}),
        });
        expect(page.items.length).toBeLessThanOrEqual(limit);
        seen.push(...page.items.map((a) => a.name));
        if (!page.nextCursor) return seen;
        cursor = page.nextCursor;
      }
      throw new Error('paging did not end');
    };
    expect(await all({}, 2)).toEqual(['n1', 'n2', 'n3', 'n5']);
    expect(await all({}, 100)).toEqual(['n1', 'n2', 'n3', 'n5']);
    expect(await all({ status: 'archived' }, 1)).toEqual(['n0', 'n4']);
    expect(await all({ status: 'active' }, 1)).toEqual(['n1', 'n3']);
    expect(await all({ event: 'table.entry.added' }, 1)).toEqual(['n2', 'n3']);
    expect(await all({ event: 'table.entry.leadState.changed', status: 'draft' }, 5)).toEqual(['n5']);
    expect(await all({ event: 'calendar.appointment.booked' }, 5)).toEqual([]);

    const first = await send(COMMANDS.automationsList, { organizationId: org, limit: 4 });
    expect(first.nextCursor).toBeNull();
    expect(first.items[0]).toEqual(
      await send(COMMANDS.automationsGet, { organizationId: org, id: made[1]!.id }),
    );
    expect(deleted.status).toBe('archived');
    // Another organization's automations are not on its list, and its cursor means nothing here.
    expect(
      (await send(COMMANDS.automationsList, { organizationId: orgB, limit: 100 })).items.map((a) => a.id),
    ).not.toContain(made[1]!.id);
    const page = await send(COMMANDS.automationsList, { organizationId: org, limit: 1 });
    for (const cursor of ['nonsense', page.nextCursor!]) {
      const organizationId = cursor === 'nonsense' ? org : orgB;
      expect(
        fields(await failure(send(COMMANDS.automationsList, { organizationId, limit: 5, cursor }))),
      ).toEqual(['cursor']);
    }
  });

  it("lists runs newest first with filters and shows each run's steps and the version it ran", async () => {
    const { pool, states: poolStates } = addPool(orgA, 'Runs');
    const actor = actorOf(orgA);
    // Sandbox: the runs describe their steps and touch no lead.
    const v1 = await create(orgA, {
      name: 'History',
      status: 'active',
      sandbox: true,
      trigger: { event: 'table.entry.added', triggerId: pool.id },
      actions: [{ type: 'change_lead_state', params: { stateId: poolStates[1]!.id } }],
    });
    await indexed(v1);
    const ada = addEntry(pool, { name: 'Ada' });
    await publishEvent(auto.nc, auto.names, entryAdded(ada, actor));
    await finishedRuns(v1.id, orgA, 1);

    const v2 = await send(COMMANDS.automationsUpdate, {
      actor,
      id: v1.id,
      actions: [
        { id: 'first', type: 'change_lead_state', params: { stateId: poolStates[2]!.id } },
        { id: 'second', type: 'send_sms', params: { to: '+4912345', body: 'Hi {{ entry.data.name }}' } },
      ],
    });
    await indexed(v2);
    const bob = addEntry(pool, { name: 'Bob' });
    await publishEvent(auto.nc, auto.names, entryAdded(bob, actor));
    const runs = await finishedRuns(v1.id, orgA, 2);

    expect(runs.map((r) => [r.automationVersion, r.context.entryId])).toEqual([
      [2, bob.id],
      [1, ada.id],
    ]);
    const [bobRun, adaRun] = runs as [AutomationRunListItem, AutomationRunListItem];
    expect(Object.keys(bobRun).sort()).toEqual(
      [
        'automationId',
        'automationVersion',
        'context',
        'durationMs',
        'error',
        'finishedAt',
        'id',
        'reason',
        'sandbox',
        'startedAt',
        'status',
        'steps',
        'triggerName',
      ].sort(),
    );
    expect(bobRun).toMatchObject({
      automationId: v1.id,
      status: 'completed',
      sandbox: true,
      triggerName: 'Runs',
    });
    expect(bobRun.durationMs).toBe(Date.parse(bobRun.finishedAt!) - Date.parse(bobRun.startedAt));

    const detail = await send(COMMANDS.runsGet, {
      organizationId: orgA,
      automationId: v1.id,
      runId: bobRun.id,
    });
    expect(detail).toMatchObject({ ...bobRun, trigger: v2.trigger, actions: v2.actions });
    expect(detail.steps.map((s) => [s.index, s.actionId, s.type, s.status])).toEqual([
      [0, 'first', 'change_lead_state', 'wouldRun'],
      [1, 'second', 'send_sms', 'wouldRun'],
    ]);
    // A listed run carries the same steps (a sandbox run's wouldRun steps are visible in the list).
    expect(bobRun.steps).toEqual(detail.steps);
    expect(detail.steps[0]!.wouldDo).toEqual({
      leadStateId: { from: pool.defaultLeadStateId, to: poolStates[2]!.id },
    });
    for (const step of detail.steps) {
      if (step.startedAt && step.finishedAt)
        expect(step.durationMs).toBe(Date.parse(step.finishedAt) - Date.parse(step.startedAt));
      else expect(step.durationMs).toBeNull();
    }
    // The first run still shows the version it started with.
    const old = await send(COMMANDS.runsGet, { organizationId: orgA, automationId: v1.id, runId: adaRun.id });
    expect(old).toMatchObject({ automationVersion: 1, trigger: v1.trigger, actions: v1.actions });
    expect(old.steps.map((s) => s.actionId)).toEqual([v1.actions[0]!.id]);

    // Filters and paging.
    const list = (extra: Record<string, unknown>) =>
      send(COMMANDS.runsList, { organizationId: orgA, automationId: v1.id, limit: 10, ...extra });
    expect((await list({ entryId: ada.id })).items.map((r) => r.id)).toEqual([adaRun.id]);
    expect((await list({ status: 'failed' })).items).toEqual([]);
    expect((await list({ status: 'completed' })).items.map((r) => r.id)).toEqual([bobRun.id, adaRun.id]);
    const page1 = await list({ limit: 1 });
    expect(page1.items.map((r) => r.id)).toEqual([bobRun.id]);
    const page2 = await list({ limit: 1, cursor: page1.nextCursor! });
    expect(page2).toEqual({ items: [adaRun], nextCursor: null });
    expect(fields(await failure(list({ cursor: 'garbage' })))).toEqual(['cursor']);

    // A dry run is part of the history (sandbox), and archiving keeps every run readable.
    const dry = await send(COMMANDS.automationsDryRun, { actor, id: v1.id, entryId: ada.id });
    expect(dry).toMatchObject({
      matched: true,
      steps: [{ type: 'change_lead_state', status: 'wouldRun' }, { type: 'send_sms' }],
    });
    await send(COMMANDS.automationsArchive, { actor, id: v1.id });
    const after = await list({});
    expect(after.items.map((r) => r.id)).toEqual([dry.runId, bobRun.id, adaRun.id]);
    expect(after.items[0]).toMatchObject({ sandbox: true, automationVersion: 2 });

    expect(
      await failure(send(COMMANDS.runsGet, { organizationId: orgA, automationId: v1.id, runId: uuidv7() })),
    ).toMatchObject({ code: 'NOT_FOUND', message: 'Run not found' });
    expect(
      await failure(send(COMMANDS.runsGet, { organizationId: orgB, automationId: v1.id, runId: bobRun.id })),
    ).toMatchObject({ code: 'NOT_FOUND', message: 'Automation not found' });
    // A run is found only under its own automation.
    const other = await create(orgA, {});
    expect(
      await failure(
        send(COMMANDS.runsGet, { organizationId: orgA, automationId: other.id, runId: bobRun.id }),
      ),
    ).toMatchObject({ message: 'Run not found' });
  });

  it('dry-runs a draft against a real lead without running it', async () => {
    const { pool, states: poolStates } = addPool(orgA, 'Dry');
    const actor = actorOf(orgA);
    const draft = await create(orgA, {
      trigger: { event: 'table.entry.added', triggerId: pool.id, conditions: { name: 'Cy' } },
      actions: [{ type: 'change_lead_state', params: { stateId: poolStates[1]!.id } }],
    });
    const cy = addEntry(pool, { name: 'Cy' });
    const matched = await send(COMMANDS.automationsDryRun, { actor, id: draft.id, entryId: cy.id });
    expect(matched).toEqual({
      matched: true,
      runId: expect.any(String),
      steps: [
        {
          type: 'change_lead_state',
          status: 'wouldRun',
          wouldDo: { leadStateId: { from: pool.defaultLeadStateId, to: poolStates[1]!.id } },
        },
      ],
    });
    const other = addEntry(pool, { name: 'Di' });
    const unmatched = await send(COMMANDS.automationsDryRun, { actor, id: draft.id, entryId: other.id });
    expect(unmatched).toMatchObject({ matched: false, steps: [] });
    expect(typeof unmatched.reason).toBe('string');
    const history = await send(COMMANDS.runsList, {
      organizationId: orgA,
      automationId: draft.id,
      limit: 10,
    });
    expect(history.items.map((r) => [r.id, r.status, r.sandbox])).toEqual([
      [unmatched.runId, 'skipped', true],
      [matched.runId, 'completed', true],
    ]);
    expect((await send(COMMANDS.automationsGet, { organizationId: orgA, id: draft.id })).status).toBe(
      'draft',
    );
  });

  it('keeps the sandbox setting per organization and tells the engine', async () => {
    const org = uuidv7();
    expect(await send(COMMANDS.sandboxGet, { organizationId: org })).toEqual({ enabled: false });
    const before = notifications.length;
    expect(await send(COMMANDS.sandboxSet, { actor: actorOf(org), enabled: true })).toEqual({
      enabled: true,
    });
    expect(await send(COMMANDS.sandboxGet, { organizationId: org })).toEqual({ enabled: true });
    expect(await send(COMMANDS.sandboxGet, { organizationId: orgB })).toEqual({ enabled: false });
    await eventually(() =>
      notifications.slice(before).some((n) => n.channel === SETTINGS_CHANNEL && n.payload === org),
    );
    await eventually(() => auto.app.get(AutomationIndexService).sandbox(org), {
      message: "the engine sees the organization's sandbox",
    });
    expect(await send(COMMANDS.sandboxSet, { actor: actorOf(org), enabled: false })).toEqual({
      enabled: false,
    });
    expect(await send(COMMANDS.sandboxGet, { organizationId: org })).toEqual({ enabled: false });
  });
});
