import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import {
  DomainError,
  TABLE_ENTRY_LEAD_STATE_CHANGED,
  uuidv7,
  type Actor,
  type AutomationTrigger,
} from '@rocketlead/contracts';
import { eventually } from '@rocketlead/testing';
import { splitPool } from '../src/engine/execution-data-source';
import {
  FakeLeads,
  entryAdded,
  insertAutomation,
  publishEvent,
  startAutomation,
  type AutomationUnderTest,
  type NewAutomation,
} from './support';

const LEADS = 20;

// A path that holds a connection while asking its pool for another waits out the connect timeout once every
// connection is held that way (leads did, under bursts). With one connection per pool, such a path in the
// engine (intake, steps, stops, starts, failures, the relay) stalls this burst instead of passing.
describe('automation on pools of one connection (real Postgres and NATS)', () => {
  let auto: AutomationUnderTest;
  let leads: FakeLeads;
  let db: DataSource;

  beforeAll(async () => {
    auto = await startAutomation('one-conn', { env: { DB_POOL_SIZE: '1' } });
    leads = FakeLeads.start(auto.nc, auto.names);
    db = auto.app.get(DataSource);
  }, 120_000);

  afterAll(async () => {
    leads?.stop();
    await auto?.stop();
  }, 120_000);

  it('executes a burst of runs of every kind of step to the end', async () => {
    expect(auto.config.DB_POOL_SIZE).toBe(1);
    expect(splitPool(auto.config.DB_POOL_SIZE)).toEqual({ main: 1, execution: 1 });
    const org = uuidv7();
    const { pool, states } = leads.addPool(org, 'Pool', ['New', 'Qualified']);
    const add = (name: string, trigger: AutomationTrigger, actions: NewAutomation['actions']) =>
      insertAutomation(db, { organizationId: org, name, trigger, actions });
    const started = await add('started', { event: TABLE_ENTRY_LEAD_STATE_CHANGED, to: uuidv7() }, [
      { type: 'update_fields', params: { data: { started: 'yes' } } },
    ]);
    const added = { event: 'table.entry.added', triggerId: pool.id } as const;
    const automations = [
      await add('fields and state', added, [
        { type: 'update_fields', params: { data: { greeting: 'Hi {{ entry.data.firstName }}' } } },
        { type: 'change_lead_state', params: { stateId: states[1]!.id } },
      ]),
      await add('email', added, [
        {
          type: 'send_email',
          params: { to: 'ops@example.com', subject: 'New lead {{ entry.data.firstName }}' },
        },
      ]),
      await add('starter', added, [{ type: 'start_workflow', params: { automationId: started.id } }]),
      await add('branch and stop', added, [
        {
          type: 'branch',
          params: {
            conditions: { firstName: 'Lead 0' },
            then: [{ type: 'stop_workflow', params: { automationId: started.id } }],
            else: [{ type: 'update_fields', params: { data: { branch: 'else' } } }],
          },
        },
      ]),
    ];
    // One step fails for good: its run fails, in a transaction of its own.
    leads.failUpdates(1, new DomainError('VALIDATION_FAILED', 'refused'));

    const actor: Actor = {
      organizationId: org,
      channel: 'connect_api',
      apiTokenId: null,
      memberId: null,
      correlationId: uuidv7(),
      traceparent: null,
    };
    const entries = Array.from({ length: LEADS }, (_, i) => leads.addEntry(pool, { firstName: `Lead ${i}` }));
    await Promise.all(
      entries.map((entry) =>
        publishEvent(auto.nc, auto.names, entryAdded(entry, { ...actor, correlationId: uuidv7() })),
      ),
    );

    const ids = [...automations, started].map((a) => a.id);
    const finished = await eventually(
      async () => {
        const rows = (await db.query(
          `SELECT automation_id, status, count(*)::int AS n FROM automation.runs
            WHERE automation_id = ANY($1) GROUP BY automation_id, status`,
          [ids],
        )) as { automation_id: string; status: string; n: number }[];
        const total = rows.reduce((sum, row) => sum + row.n, 0);
        const running = rows.filter((row) => row.status === 'running').reduce((sum, row) => sum + row.n, 0);
        return total >= LEADS * 5 && running === 0 ? rows : undefined;
      },
      { timeoutMs: 60_000, message: `every run of ${LEADS} leads finished` },
    );
    const count = (automationId: string, status: string): number =>
      finished.find((row) => row.automation_id === automationId && row.status === status)?.n ?? 0;
    for (const automation of automations) {
      expect(count(automation.id, 'completed') + count(automation.id, 'failed')).toBe(LEADS);
    }
    expect(finished.filter((row) => row.status === 'failed').reduce((sum, row) => sum + row.n, 0)).toBe(1);
    expect(count(started.id, 'completed') + count(started.id, 'cancelled')).toBe(LEADS);
  });
});
