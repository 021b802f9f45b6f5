import 'reflect-metadata';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { uuidv7, type RunContextRef } from '@rocketlead/contracts';
import { RunsRepository, type NewRun, type NewStep } from '../src/runs/runs.repository';
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

  async function run(automationId: string, steps: string[] = [], correlationId = 'chain'): Promise<string> {
    const id = uuidv7();
    const newRun: NewRun = {
      id,
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
    const rows: NewStep[] = steps.map((actionId, index) => ({
      index,
      actionId,
      type: 'update_fields',
      params: { n: index },
      status: 'pending',
    }));
    expect(await runs.insertRun(db.manager, newRun, rows)).toBe(true);
    // The same trigger again: nothing new.
    expect(await runs.insertRun(db.manager, { ...newRun, id: uuidv7() }, rows)).toBe(false);
    return id;
  }

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
    await runs.releaseLease(runId);
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
    const chain = uuidv7();
    expect(await runs.hasRunInChain(db.manager, a, entryId, chain)).toBe(false);
    const first = await run(a, [], chain);
    expect(await runs.hasRunInChain(db.manager, a, entryId, chain)).toBe(true);
    expect(await runs.hasRunInChain(db.manager, a, entryId, uuidv7())).toBe(false);
    await db.query(`UPDATE automation.runs SET status = 'cancelled' WHERE id = $1`, [first]);
    expect(await runs.hasRunInChain(db.manager, a, entryId, chain)).toBe(true);
    expect(await runs.hasRunInChain(db.manager, a, entryId, chain, true)).toBe(false);
    await db.query(`UPDATE automation.runs SET status = 'skipped' WHERE id = $1`, [first]);
    expect(await runs.hasRunInChain(db.manager, a, entryId, chain)).toBe(false);
  });
});
