import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from 'pg';
import {
  DomainError,
  COMMANDS,
  uuidv7,
  type Actor,
  type AutomationAction,
  type AutomationRun,
  type LeadPool,
  type RunStep,
} from '@rocketlead/contracts';
import { commandSender, eventually, failure, type CommandSender } from '@rocketlead/testing';
import { FakeLeads, entryAdded, publishEvent, startAutomation, type AutomationUnderTest } from './support';

interface TimerRow {
  key: string;
  kind: string;
  state: string;
  due_at: Date;
}

// Waits, human tasks, retry and cancel, through the service's commands on real Postgres and NATS.
describe('automation runs over time and with people (real Postgres and NATS)', () => {
  let auto: AutomationUnderTest;
  let leads: FakeLeads;
  let send: CommandSender;
  // Its own connection: it outlives the service instances a test closes.
  let db: Client;
  const org = uuidv7();
  const pools = new Map<string, LeadPool>();

  const actor = (organizationId = org): Actor => ({
    organizationId,
    channel: 'connect_api',
    apiTokenId: uuidv7(),
    memberId: null,
    correlationId: uuidv7(),
    traceparent: null,
  });

  /**
   * An active automation on table.entry.added of its own pool (or the given one), through the API (its
   * actions validated), so that the leads of one test trigger only that test's automations.
   */
  const automation = async (
    name: string,
    actions: Omit<AutomationAction, 'id'>[],
    pool = leads.addPool(org, name, ['New', 'Qualified']).pool,
  ): Promise<string> => {
    const created = await send(COMMANDS.automationsCreate, {
      actor: actor(),
      name,
      trigger: { event: 'table.entry.added', triggerId: pool.id },
      actions,
      status: 'active',
    });
    pools.set(created.id, pool);
    return created.id;
  };

  /** A new lead whose table.entry.added triggers the automation; returns the lead and the run. */
  const leadRun = async (automationId: string, data: Record<string, unknown> = {}) => {
    const entry = leads.addEntry(pools.get(automationId)!, { email: 'ada@example.test', ...data });
    await publishEvent(auto.nc, auto.names, entryAdded(entry, actor()));
    const runId = await eventually(
      async () => {
        const page = await send(COMMANDS.runsList, {
          organizationId: org,
          automationId,
          entryId: entry.id,
          limit: 10,
        });
        return page.items[0]?.id;
      },
      { message: 'run started' },
    );
    return { entry, runId };
  };

  const run = (automationId: string, runId: string, organizationId = org): Promise<AutomationRun> =>
    send(COMMANDS.runsGet, { organizationId, automationId, runId });

  const runIn = (automationId: string, runId: string, status: string, timeoutMs = 15_000) =>
    eventually(
      async () => {
        const current = await run(automationId, runId);
        return current.status === status ? current : undefined;
      },
      { timeoutMs, message: `run ${runId} ${status}` },
    );

  const control = (automationId: string, runId: string, organizationId = org) => ({
    organizationId,
    actor: actor(organizationId),
    automationId,
    runId,
  });

  const timerOf = async (runId: string): Promise<TimerRow | undefined> =>
    (
      await db.query<TimerRow>(`SELECT key, kind, state, due_at FROM automation.timers WHERE key = $1`, [
        `run:${runId}`,
      ])
    ).rows[0];

  const step = (r: AutomationRun, index: number): RunStep => r.steps.find((s) => s.index === index)!;

  beforeAll(async () => {
    auto = await startAutomation('waits');
    leads = FakeLeads.start(auto.nc, auto.names);
    send = commandSender(auto.nc, auto.names);
    db = new Client({ connectionString: auto.db.url });
    await db.connect();
  }, 120_000);

  afterAll(async () => {
    leads?.stop();
    await db?.end();
    await auto?.stop();
  }, 120_000);

  it('rejects a wait that names no time or two, and a task output of an unknown type, naming the field', async () => {
    const bad = async (actions: Omit<AutomationAction, 'id'>[]) =>
      failure(
        send(COMMANDS.automationsCreate, {
          actor: actor(),
          name: 'bad',
          trigger: { event: 'table.entry.added' },
          actions,
        }),
      );
    const noTime = await bad([{ type: 'wait', params: {} }]);
    expect(noTime.details?.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'actions[0].params.duration' })]),
    );
    const twoTimes = await bad([{ type: 'wait', params: { duration: 'PT1H', timeOfDay: '09:00' } }]);
    expect(twoTimes.details?.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'actions[0].params.duration' })]),
    );
    const notDuration = await bad([{ type: 'wait', params: { duration: 'two hours' } }]);
    expect(notDuration.details?.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'actions[0].params.duration' })]),
    );
    const badZone = await bad([{ type: 'wait', params: { timeOfDay: '09:00', timezone: 'Mars/Base' } }]);
    expect(badZone.details?.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'actions[0].params.timezone' })]),
    );
    const badField = await bad([{ type: 'create_task', params: { title: 'x', output: { ok: 'yes/no' } } }]);
    expect(badField.details?.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'actions[0].params.output.ok' })]),
    );
  });

  it('waits (status waiting, step waiting with resumeAt) and resumes on time through a durable timer', async () => {
    const id = await automation('Wait then tag', [
      { type: 'wait', params: { duration: 'PT2S' } },
      { type: 'update_fields', params: { data: { followedUp: true } } },
    ]);
    const { entry, runId } = await leadRun(id);
    const waiting = await runIn(id, runId, 'waiting');
    const wait = step(waiting, 0);
    expect(wait.status).toBe('waiting');
    expect(step(waiting, 1).status).toBe('pending');
    const resumeAt = Date.parse(wait.resumeAt!);
    expect(resumeAt - Date.parse(wait.startedAt!)).toBeGreaterThanOrEqual(1_900);
    expect(await timerOf(runId)).toMatchObject({ kind: 'automation.run.resume', state: 'pending' });
    expect(leads.updatesOf(entry.id)).toHaveLength(0);

    const done = await runIn(id, runId, 'completed');
    const output = step(done, 0).output as { resumeAt: string; resumedAt: string; late: boolean };
    const lateness = Date.parse(output.resumedAt) - resumeAt;
    expect(lateness).toBeGreaterThanOrEqual(0);
    expect(lateness).toBeLessThan(1_500);
    expect(output.late).toBe(false);
    expect(leads.updatesOf(entry.id)).toHaveLength(1);
    expect((await timerOf(runId))?.state).toBe('fired');
  });

  it("waits until a timeOfDay in the organization's time zone, unless the action names one", async () => {
    // Kathmandu is UTC+05:45 all year, so its 09:00 is 03:15 UTC on every date.
    leads.timezones.set(org, 'Asia/Kathmandu');
    try {
      const orgZone = await automation('Wait for the morning, locally', [
        { type: 'wait', params: { timeOfDay: '09:00' } },
      ]);
      const named = await automation('Wait for the morning, in UTC', [
        { type: 'wait', params: { timeOfDay: '09:00', timezone: 'UTC' } },
      ]);
      for (const [id, utcTime] of [
        [orgZone, '03:15'],
        [named, '09:00'],
      ] as const) {
        const { runId } = await leadRun(id);
        const wait = step(await runIn(id, runId, 'waiting'), 0);
        const resumeAt = new Date(wait.resumeAt!);
        expect(resumeAt.toISOString().slice(11, 16)).toBe(utcTime);
        const ahead = resumeAt.getTime() - Date.parse(wait.startedAt!);
        expect(ahead).toBeGreaterThan(0);
        expect(ahead).toBeLessThanOrEqual(24 * 3_600_000);
      }
    } finally {
      leads.timezones.delete(org);
    }
  });

  it('resumes after the service was down past the time, marked late in the step', async () => {
    const id = await automation('Wait across a restart', [
      { type: 'wait', params: { duration: 'PT30S' } },
      { type: 'update_fields', params: { data: { afterRestart: true } } },
    ]);
    const { entry, runId } = await leadRun(id);
    await runIn(id, runId, 'waiting');
    for (const app of auto.apps.splice(0)) await app.close();
    // While nobody runs: the wait's time passes (moved into the past rather than waited out).
    await db.query(`UPDATE automation.timers SET due_at = now() - interval '10 seconds' WHERE key = $1`, [
      `run:${runId}`,
    ]);
    await db.query(
      `UPDATE automation.run_steps SET resume_at = now() - interval '10 seconds' WHERE run_id = $1 AND index = 0`,
      [runId],
    );
    await auto.boot();
    const done = await runIn(id, runId, 'completed');
    expect(step(done, 0).output).toMatchObject({ late: true });
    expect(leads.updatesOf(entry.id)).toEqual([expect.objectContaining({ data: { afterRestart: true } })]);
  });

  it('waits on a task: listed, output checked (400 naming output.approved), completed once (409 after), used by a branch', async () => {
    const id = await automation('Approval', [
      {
        type: 'create_task',
        params: {
          title: 'Approve {{ entry.data.email }}',
          output: { approved: 'boolean', notes: 'string' },
        },
      },
      {
        type: 'branch',
        params: {
          match: { '==': [{ var: 'steps.0.output.approved' }, true] },
          then: [
            {
              type: 'update_fields',
              params: { data: { decision: 'approved: {{ steps[0].output.notes }}' } },
            },
          ],
          else: [{ type: 'update_fields', params: { data: { decision: 'rejected' } } }],
        },
      },
    ]);
    const { entry, runId } = await leadRun(id);
    const waiting = await runIn(id, runId, 'waiting');
    expect(step(waiting, 0)).toMatchObject({ status: 'waiting', resumeAt: null });
    const taskId = (step(waiting, 0).output as { taskId: string }).taskId;

    const open = await send(COMMANDS.tasksList, {
      organizationId: org,
      status: 'open',
      automationId: id,
      limit: 10,
    });
    expect(open.items).toEqual([
      expect.objectContaining({
        id: taskId,
        runId,
        automationId: id,
        entryId: entry.id,
        title: 'Approve ada@example.test',
        status: 'open',
        dueAt: null,
        completedAt: null,
        output: null,
      }),
    ]);

    const invalid = await failure(
      send(COMMANDS.runsCompleteTask, { ...control(id, runId), output: { approved: 'yes', notes: 'ok' } }),
    );
    expect(invalid).toBeInstanceOf(DomainError);
    expect(invalid.code).toBe('VALIDATION_FAILED');
    expect(invalid.details?.errors).toEqual([expect.objectContaining({ field: 'output.approved' })]);
    const missing = await failure(
      send(COMMANDS.runsCompleteTask, { ...control(id, runId), output: { approved: true } }),
    );
    expect(missing.details?.errors).toEqual([expect.objectContaining({ field: 'output.notes' })]);

    const otherOrg = await failure(
      send(COMMANDS.runsCompleteTask, {
        ...control(id, runId, uuidv7()),
        output: { approved: true, notes: 'x' },
      }),
    );
    expect(otherOrg.code).toBe('NOT_FOUND');

    const completed = await send(COMMANDS.runsCompleteTask, {
      ...control(id, runId),
      output: { approved: true, notes: 'looks good' },
    });
    expect(completed.id).toBe(runId);
    expect(step(completed, 0)).toMatchObject({
      status: 'completed',
      output: { approved: true, notes: 'looks good' },
    });

    const second = await failure(
      send(COMMANDS.runsCompleteTask, { ...control(id, runId), output: { approved: false, notes: 'no' } }),
    );
    expect(second.code).toBe('CONFLICT');

    await runIn(id, runId, 'completed');
    expect(leads.updatesOf(entry.id)).toEqual([
      expect.objectContaining({ data: { decision: 'approved: looks good' } }),
    ]);
    const done = await send(COMMANDS.tasksList, {
      organizationId: org,
      status: 'completed',
      automationId: id,
      limit: 10,
    });
    expect(done.items).toEqual([
      expect.objectContaining({
        id: taskId,
        status: 'completed',
        output: { approved: true, notes: 'looks good' },
      }),
    ]);
    expect(done.items[0]!.completedAt).not.toBeNull();
  });

  it('a task past its deadline fails its step with "task expired", or continues with onTimeout continue', async () => {
    const failing = await automation('Expiring task', [
      { type: 'create_task', params: { title: 'Call back', dueIn: 'PT1S' } },
      { type: 'update_fields', params: { data: { never: true } } },
    ]);
    const continuing = await automation(
      'Expiring task, continue',
      [
        { type: 'create_task', params: { title: 'Call back', dueIn: 'PT1S', onTimeout: 'continue' } },
        { type: 'update_fields', params: { data: { escalated: true } } },
      ],
      pools.get(failing),
    );
    const { entry, runId } = await leadRun(failing);
    const failed = await runIn(failing, runId, 'failed');
    expect(step(failed, 0)).toMatchObject({ status: 'failed', error: 'task expired' });
    expect(step(failed, 1).status).toBe('skipped');
    expect(failed.error).toContain('task expired');
    const expired = await send(COMMANDS.tasksList, {
      organizationId: org,
      status: 'expired',
      automationId: failing,
      limit: 10,
    });
    expect(expired.items.map((t) => t.runId)).toEqual([runId]);

    const continued = (
      await send(COMMANDS.runsList, {
        organizationId: org,
        automationId: continuing,
        entryId: entry.id,
        limit: 1,
      })
    ).items[0]!;
    const done = await runIn(continuing, continued.id, 'completed');
    expect(step(done, 0)).toMatchObject({
      status: 'completed',
      output: expect.objectContaining({ expired: true }),
    });
    expect(leads.updatesOf(entry.id)).toEqual([expect.objectContaining({ data: { escalated: true } })]);
  });

  it('retries a failed run from its failed step (attempts grow), without repeating the steps before it', async () => {
    const id = await automation('Retry me', [
      { type: 'update_fields', params: { data: { first: true } } },
      { type: 'update_fields', params: { data: { second: true } } },
      { type: 'update_fields', params: { data: { third: true } } },
    ]);
    // The second update meets a permanent error: the pool's schema says `second` is a string.
    const pool = pools.get(id)!;
    pool.tableSchema = { second: 'string' };
    const { entry, runId } = await leadRun(id, { email: 'retry@example.test' });
    const failed = await runIn(id, runId, 'failed');
    expect(failed.steps.map((s) => [s.index, s.status, s.attempts])).toEqual([
      [0, 'completed', 1],
      [1, 'failed', 1],
      [2, 'skipped', 0],
    ]);

    const unknown = await failure(send(COMMANDS.runsRetry, control(id, uuidv7())));
    expect(unknown.code).toBe('NOT_FOUND');
    // Fixed (the field may now take any type): the run goes on from step 1.
    pool.tableSchema = {};
    const retried = await send(COMMANDS.runsRetry, control(id, runId));
    expect(retried.id).toBe(runId);
    const done = await runIn(id, runId, 'completed');
    expect(done.steps.map((s) => [s.index, s.status, s.attempts])).toEqual([
      [0, 'completed', 1],
      [1, 'completed', 2],
      [2, 'completed', 1],
    ]);
    expect(leads.updatesOf(entry.id).map((u) => u.data)).toEqual([
      { first: true },
      { second: true },
      { second: true },
      { third: true },
    ]);
    const again = await failure(send(COMMANDS.runsRetry, control(id, runId)));
    expect(again.code).toBe('CONFLICT');
  });

  it('cancels a waiting run with its timer and open task; a finished run cannot be cancelled (409)', async () => {
    const waitId = await automation('Long wait', [
      { type: 'wait', params: { duration: 'PT1H' } },
      { type: 'update_fields', params: { data: { never: true } } },
    ]);
    const taskId = await automation(
      'Open task',
      [{ type: 'create_task', params: { title: 'Check', dueIn: 'P1D' } }],
      pools.get(waitId),
    );
    const { entry, runId } = await leadRun(waitId);
    const taskRunId = (
      await eventually(async () => {
        const page = await send(COMMANDS.runsList, {
          organizationId: org,
          automationId: taskId,
          entryId: entry.id,
          limit: 1,
        });
        return page.items[0];
      })
    ).id;
    await runIn(waitId, runId, 'waiting');
    await runIn(taskId, taskRunId, 'waiting');

    const cancelled = await send(COMMANDS.runsCancel, control(waitId, runId));
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.steps.map((s) => s.status)).toEqual(['skipped', 'skipped']);
    expect((await timerOf(runId))?.state).toBe('cancelled');

    await send(COMMANDS.runsCancel, control(taskId, taskRunId));
    expect((await timerOf(taskRunId))?.state).toBe('cancelled');
    const tasks = await send(COMMANDS.tasksList, { organizationId: org, automationId: taskId, limit: 10 });
    expect(tasks.items.map((t) => t.status)).toEqual(['cancelled']);

    const twice = await failure(send(COMMANDS.runsCancel, control(waitId, runId)));
    expect(twice.code).toBe('CONFLICT');
    const otherOrg = await failure(send(COMMANDS.runsCancel, control(waitId, runId, uuidv7())));
    expect(otherOrg.code).toBe('NOT_FOUND');
    expect(leads.updatesOf(entry.id)).toHaveLength(0);
  });

  it('stop_workflow of another automation cancels a waiting run of the lead too', async () => {
    const waitId = await automation('Waits for a stop', [{ type: 'wait', params: { duration: 'PT1H' } }]);
    // Created later: its run comes after the waiting one, for the same event.
    await automation(
      'Stops the wait',
      [{ type: 'stop_workflow', params: { automationId: waitId } }],
      pools.get(waitId),
    );
    const { runId } = await leadRun(waitId);
    const stopped = await runIn(waitId, runId, 'cancelled');
    expect(stopped.steps.map((s) => s.status)).toEqual(['skipped']);
    expect(stopped.reason).toMatch(/^stopped by run /);
    expect((await timerOf(runId))?.state).toBe('cancelled');
  });
});
