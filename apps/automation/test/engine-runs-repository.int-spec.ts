import 'reflect-metadata';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { uuidv7, type RunContextRef } from '@rocketlead/contracts';
import { statementSql } from '@rocketlead/messaging';
import { returnedRows } from '@rocketlead/persistence';
import { RAN_IN_CHAINS_SQL, RunsRepository, type NewRun, type NewStep } from '../src/runs/runs.repository';
import type { RunSnapshot } from '../src/runs/run.entity';
import { startAutomation, type AutomationUnderTest } from './support';

describe('runs repository (real Postgres)', () => {
  let auto: AutomationUnderTest;
  let db: DataSource;
  let runs: RunsRepository;
  const org = uuidv7();
  // Each test works on a lead of its own.
  let entryId = uuidv7();

  async function automation(): Promise<string> {
    const id = uuidv7();
    await db.query(
      `INSERT INTO automation.automations (id, organization_id, name, trigger, actions, event_type, status)
       VALUES ($1, $2, 'A', '{"event":"table.entry.added"}', '[]', 'table.entry.added', 'active')`,
      [id, org],
    );
    return id;
  }

  function newRun(automationId: string, correlationId = 'chain'): NewRun {
    return {
      id: uuidv7(),
      organizationId: org,
      automationId,
      automationVersion: 1,
      triggerKey: uuidv7(),
      status: 'running',
      reason: null,
      sandbox: false,
      dryRun: false,
      triggerName: null,
      entryId,
      correlationId,
      depth: 0,
      context: {} as RunContextRef,
      snapshot: { event: {}, entry: null, booking: null } as RunSnapshot,
      finished: false,
    };
  }

  const pending = (actionIds: string[]): NewStep[] =>
    actionIds.map((actionId, index) => ({
      index,
      actionId,
      type: 'update_fields',
      params: { n: index },
      status: 'pending',
    }));

  async function run(automationId: string, steps: string[] = [], correlationId = 'chain'): Promise<string> {
    const inserted = newRun(automationId, correlationId);
    expect(await runs.insertRun(db.manager, inserted, pending(steps))).toBe(true);
    // The same trigger again: nothing new.
    expect(await runs.insertRun(db.manager, { ...inserted, id: uuidv7() }, pending(steps))).toBe(false);
    return inserted.id;
  }

  const leaseOf = async (runId: string): Promise<Date | null> =>
    (
      (await db.query(`SELECT lease_until FROM automation.runs WHERE id = $1`, [runId])) as {
        lease_until: Date | null;
      }[]
    )[0]!.lease_until;

  const stepIds = async (runId: string): Promise<string[]> =>
    (await runs.progress(runId)).steps.map((s) => `${s.index}:${s.actionId}`);

  beforeAll(async () => {
    auto = await startAutomation('engine-runs', { commands: false });
    db = auto.app.get(DataSource);
    runs = auto.app.get(RunsRepository);
  }, 120_000);

  beforeEach(() => {
    entryId = uuidv7();
  });

  afterAll(() => auto?.stop(), 120_000);

  it('inserts a branch’s actions right after it and moves the later steps down', async () => {
    const runId = await run(await automation(), ['a', 'branch', 'c', 'd', 'e']);
    await db.transaction((m) =>
      runs.insertStepsAfter(m, runId, 1, [
        { id: 'x', type: 'send_sms', params: { body: 'x' } },
        { id: 'y', type: 'send_sms', params: { body: 'y' } },
      ]),
    );
    expect(await stepIds(runId)).toEqual(['0:a', '1:branch', '2:x', '3:y', '4:c', '5:d', '6:e']);
    const { steps } = await runs.progress(runId);
    expect(steps[2]).toMatchObject({
      type: 'send_sms',
      params: { body: 'x' },
      status: 'pending',
      attempts: 0,
    });
    expect(steps[4]).toMatchObject({ type: 'update_fields', params: { n: 2 } });
    await db.transaction((m) =>
      runs.insertStepsAfter(m, runId, 6, [{ id: 'z', type: 'send_sms', params: { body: 'z' } }]),
    );
    expect((await stepIds(runId)).slice(-2)).toEqual(['6:e', '7:z']);
  });

  it('lets one holder claim a run until its lease is released or expires', async () => {
    const runId = await run(await automation(), ['a']);
    const claimed = await runs.claim(runId);
    expect(claimed).toMatchObject({ id: runId, automationName: 'A', status: 'running' });
    expect(claimed!.steps.map((s) => s.actionId)).toEqual(['a']);
    expect(await runs.claim(runId)).toBeNull();
    await runs.releaseLeases([runId]);
    expect(await runs.claim(runId)).not.toBeNull();
    await db.query(`UPDATE automation.runs SET lease_until = now() - interval '1 second' WHERE id = $1`, [
      runId,
    ]);
    expect(await runs.abandonedRuns(100, 120_000)).toContain(runId);
    expect(await runs.claim(runId)).not.toBeNull();
    expect(await runs.abandonedRuns(100, 120_000)).not.toContain(runId);
  });

  it('cancels the running runs of a lead by automation, or all but one automation, never the caller', async () => {
    const [a1, a2, a3] = [await automation(), await automation(), await automation()];
    const caller = await run(a1, ['s']);
    const sameAutomation = await run(a1, ['s']);
    const other = await run(a2, ['s', 't']);
    const third = await run(a3, []);
    const stopOne = await db.transaction((m) =>
      runs.cancelRuns(m, {
        organizationId: org,
        entryId,
        automationId: a2,
        exceptRunId: caller,
        reason: 'r1',
      }),
    );
    expect(stopOne).toEqual([other]);
    expect((await runs.progress(other)).steps.map((s) => s.status)).toEqual(['skipped', 'skipped']);
    const stopOthers = await db.transaction((m) =>
      runs.cancelRuns(m, {
        organizationId: org,
        entryId,
        exceptAutomationId: a1,
        exceptRunId: caller,
        reason: 'r2',
      }),
    );
    expect(stopOthers).toEqual([third]);
    expect(await runs.status(caller)).toBe('running');
    expect(await runs.status(sameAutomation)).toBe('running');
    expect(await runs.status(other)).toBe('cancelled');
  });

  it('finds an earlier run of the automation for the lead in the chain, except skipped (and cancelled on restart)', async () => {
    const a = await automation();
    const ranInChain = async (lead: string, chain: string, ignoreCancelled = false): Promise<boolean> =>
      (
        await runs.ranInChains(db.manager, [
          { automationId: a, entryId: lead, correlationId: chain, ignoreCancelled },
        ])
      ).has(0);
    const chain = uuidv7();
    expect(await ranInChain(entryId, chain)).toBe(false);
    const first = await run(a, [], chain);
    expect(await ranInChain(entryId, chain)).toBe(true);
    expect(await ranInChain(entryId, uuidv7())).toBe(false);
    await db.query(`UPDATE automation.runs SET status = 'cancelled' WHERE id = $1`, [first]);
    expect(await ranInChain(entryId, chain)).toBe(true);
    expect(await ranInChain(entryId, chain, true)).toBe(false);
    await db.query(`UPDATE automation.runs SET status = 'skipped' WHERE id = $1`, [first]);
    expect(await ranInChain(entryId, chain)).toBe(false);
  });

  it('inserts the runs of several automations in one statement, leased with their first attempt begun', async () => {
    const [a1, a2, a3] = [await automation(), await automation(), await automation()];
    const existing = await run(a2, ['s']);
    const trigger = (
      (await db.query(`SELECT trigger_key FROM automation.runs WHERE id = $1`, [existing])) as {
        trigger_key: string;
      }[]
    )[0]!.trigger_key;
    const first = { ...newRun(a1), triggerKey: trigger };
    const again = { ...newRun(a2), triggerKey: trigger };
    const skipped = { ...newRun(a3), triggerKey: trigger, status: 'skipped' as const, finished: true };
    const begun: NewStep[] = [
      { index: 0, actionId: 'x', type: 'update_fields', params: {}, status: 'running', attempts: 1 },
      { index: 1, actionId: 'y', type: 'update_fields', params: {}, status: 'pending' },
    ];
    const inserted = await runs.insertRuns(
      db.manager,
      [
        { run: first, steps: begun },
        { run: again, steps: begun },
        { run: skipped, steps: [] },
      ],
      true,
    );
    // The second automation already had its run for this trigger: only the other two are new.
    expect([...inserted].sort()).toEqual([first.id, skipped.id].sort());
    expect(await leaseOf(first.id)).not.toBeNull();
    expect(await leaseOf(skipped.id)).toBeNull();
    expect(await leaseOf(existing)).toBeNull();
    const { steps } = await runs.progress(first.id);
    expect(steps.map((s) => [s.actionId, s.status, s.attempts])).toEqual([
      ['x', 'running', 1],
      ['y', 'pending', 0],
    ]);
    // Leased to its inserter: nobody else claims it until the lease ends; its holder keeps it while it waits.
    expect(await runs.claim(first.id)).toBeNull();
    await db.query(`UPDATE automation.runs SET lease_until = now() - interval '1 second' WHERE id = $1`, [
      first.id,
    ]);
    expect(await runs.abandonedRuns(1000, 120_000)).toContain(first.id);
    await runs.renewLeases([first.id, skipped.id]);
    expect(await runs.abandonedRuns(1000, 120_000)).not.toContain(first.id);
    expect(await leaseOf(skipped.id)).toBeNull();
    expect(await runs.claim(first.id)).toBeNull();
    expect(await runs.claim(first.id, true)).toMatchObject({ id: first.id, status: 'running' });
  });

  it('checks the chains of several automations and leads in one query, answering by position', async () => {
    const [a1, a2, a3] = [await automation(), await automation(), await automation()];
    const chain = uuidv7();
    const otherChain = uuidv7();
    await run(a1, [], chain);
    await run(a2, [], otherChain);
    const cancelled = await run(a3, [], chain);
    await db.query(`UPDATE automation.runs SET status = 'cancelled' WHERE id = $1`, [cancelled]);
    const ask = (automationId: string, correlationId: string, ignoreCancelled = false) => ({
      automationId,
      entryId,
      correlationId,
      ignoreCancelled,
    });
    const questions = [
      ask(a1, chain),
      ask(a2, chain),
      ask(a3, chain),
      ask(a1, chain, true),
      ask(a3, chain, true),
      ask(a2, otherChain),
      { ...ask(a1, chain), entryId: uuidv7() },
    ];
    expect(await runs.ranInChains(db.manager, questions)).toEqual(new Set([0, 2, 3, 5]));
    expect(await runs.ranInChains(db.manager, [])).toEqual(new Set());
  });

  it('keeps the loop check on runs_chain_idx in its generic plan, even for a runs table never analyzed', async () => {
    // A prepared statement's generic plan lives as long as its connection; one made while runs was small must
    // not scan the whole table later. A new table, like the runs table of a fresh install, has no statistics.
    const runner = db.createQueryRunner();
    try {
      await runner.startTransaction();
      await runner.query(`CREATE TEMP TABLE runs (LIKE automation.runs INCLUDING ALL) ON COMMIT DROP`);
      await runner.query(`SET LOCAL plan_cache_mode = force_generic_plan`);
      await runner.query(
        `PREPARE chain_check AS ${RAN_IN_CHAINS_SQL.replaceAll('automation.runs', 'pg_temp.runs')}`,
      );
      const plan = (
        (await runner.query(`EXPLAIN (FORMAT JSON) EXECUTE chain_check('{}', '{}', '{}', '{}')`)) as {
          'QUERY PLAN': unknown;
        }[]
      )[0]!['QUERY PLAN'];
      await runner.query(`DEALLOCATE chain_check`);
      const text = JSON.stringify(plan);
      expect(text).toContain('"Index Name":"runs_automation_id_entry_id_correlation_id_idx"');
      expect(text).not.toContain('"Node Type":"Seq Scan"');
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });

  it('completes the run with its last step, or only records the step when the run was stopped meanwhile', async () => {
    const a = await automation();
    const finishLast = async (runId: string): Promise<unknown[]> => {
      const statement = runs.finishLastStepStatement(runId, 0, { status: 'completed', output: { ok: true } });
      return returnedRows(await db.query(statementSql(statement), statement.params));
    };
    const running = await run(a, ['s']);
    expect(await finishLast(running)).toHaveLength(1);
    expect(await runs.status(running)).toBe('completed');
    expect(await leaseOf(running)).toBeNull();
    expect((await runs.progress(running)).steps[0]).toMatchObject({
      status: 'completed',
      output: { ok: true },
    });
    const stopped = await run(a, ['s']);
    await db.query(`UPDATE automation.runs SET status = 'cancelled' WHERE id = $1`, [stopped]);
    expect(await finishLast(stopped)).toHaveLength(0);
    expect(await runs.status(stopped)).toBe('cancelled');
    expect((await runs.progress(stopped)).steps[0]).toMatchObject({ status: 'completed' });
  });
});
