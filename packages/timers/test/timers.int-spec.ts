import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { isTraceparent, JsonLogger, traceIdOf } from '@rocketlead/observability';
import { createServiceDataSource, migrate } from '@rocketlead/persistence';
import {
  createTestDatabase,
  eventually,
  startInfrastructure,
  uniqueName,
  type Infrastructure,
} from '@rocketlead/testing';
import { sweepTimers, TimerEntity, TimerRunner, Timers } from '../src';
import { TIMERS_TEST_MIGRATIONS } from './timers-test.migration';

const SCHEMA = 'timertest';
const logger = new JsonLogger('timers-test', 'error', () => undefined);

interface Effect {
  key: string;
  runner: string;
  late: boolean;
  due_at: Date;
  fired_at: Date;
}

describe('timers (real Postgres)', () => {
  let infra: Infrastructure;
  let db: { url: string; drop(): Promise<void> };
  let dataSource: DataSource;
  const timers = new Timers(SCHEMA);
  const runners: TimerRunner[] = [];

  function runner(name: string): TimerRunner {
    const r = new TimerRunner({
      dataSource,
      url: db.url,
      schema: SCHEMA,
      logger,
      handler: async (timer, manager) => {
        if ((timer.payload as { fail?: boolean }).fail) throw new Error('handler refused');
        await manager.query(
          `INSERT INTO ${SCHEMA}.effects (key, runner, late, due_at, fired_at) VALUES ($1, $2, $3, $4, $5)`,
          [timer.key, name, timer.late, timer.dueAt, timer.firedAt],
        );
      },
    });
    runners.push(r);
    return r;
  }

  const effects = async (prefix: string): Promise<Effect[]> =>
    (await dataSource.query(`SELECT * FROM ${SCHEMA}.effects WHERE key LIKE $1 ORDER BY fired_at`, [
      `${prefix}%`,
    ])) as Effect[];

  const schedule = (key: string, inMs: number, payload: unknown = {}) =>
    dataSource.transaction((m) =>
      timers.schedule(m, { key, kind: 'test', dueAt: new Date(Date.now() + inMs), payload }),
    );

  beforeAll(async () => {
    infra = await startInfrastructure();
    db = await createTestDatabase(infra.postgresUrl, uniqueName('timers'));
    dataSource = createServiceDataSource({
      url: db.url,
      schema: SCHEMA,
      entities: [TimerEntity],
      migrations: TIMERS_TEST_MIGRATIONS,
    });
    await migrate(dataSource);
    await dataSource.initialize();
    await runner('a').start();
  }, 120_000);

  afterAll(async () => {
    for (const r of runners) await r.stop();
    await dataSource?.destroy();
    await db?.drop();
    await infra?.stop();
  }, 120_000);

  it('fires a timer no earlier than its time and soon after it', async () => {
    await schedule('ontime:1', 800);
    const [effect] = await eventually(async () => {
      const rows = await effects('ontime:');
      return rows.length ? rows : undefined;
    });
    const lateness = effect!.fired_at.getTime() - effect!.due_at.getTime();
    expect(lateness).toBeGreaterThanOrEqual(0);
    expect(lateness).toBeLessThan(500);
    expect(effect!.late).toBe(false);
  });

  it('never fires a timer whose transaction rolled back, or one that was cancelled', async () => {
    await dataSource
      .transaction(async (m) => {
        await timers.schedule(m, {
          key: 'gone:rolledback',
          kind: 'test',
          dueAt: new Date(Date.now() + 200),
          payload: {},
        });
        throw new Error('rollback');
      })
      .catch(() => undefined);
    await schedule('gone:cancelled', 300);
    expect(await dataSource.transaction((m) => timers.cancel(m, 'gone:cancelled'))).toBe(true);
    await schedule('gone:marker', 600);
    await eventually(async () => (await effects('gone:marker')).length === 1);
    expect((await effects('gone:')).map((e) => e.key)).toEqual(['gone:marker']);
  });

  it('fires a rescheduled timer only at its new time', async () => {
    await schedule('moved:1', 300);
    const newDue = new Date(Date.now() + 1_500);
    expect(await dataSource.transaction((m) => timers.reschedule(m, 'moved:1', newDue))).toBe(true);
    const [effect] = await eventually(
      async () => {
        const rows = await effects('moved:');
        return rows.length ? rows : undefined;
      },
      { timeoutMs: 5_000 },
    );
    expect(effect!.fired_at.getTime()).toBeGreaterThanOrEqual(newDue.getTime());
    expect(effect!.due_at.getTime()).toBe(newDue.getTime());
  });

  it('schedules several timers in one statement (with or without a wake-up) and removes timers outright', async () => {
    const soon = new Date(Date.now() + 300);
    await dataSource.transaction((m) =>
      timers.scheduleMany(
        m,
        ['many:1', 'many:2', 'many:3'].map((key) => ({ key, kind: 'test', dueAt: soon, payload: {} })),
        { notify: false },
      ),
    );
    await dataSource.transaction((m) => timers.remove(m, ['many:2']));
    expect(await dataSource.transaction((m) => timers.pending(m, 'many:2'))).toBeNull();
    // Not woken: the runner's longest sleep (1 s) still finds them.
    await eventually(async () => (await effects('many:')).length === 2, { timeoutMs: 5_000 });
    expect((await effects('many:')).map((e) => e.key).sort()).toEqual(['many:1', 'many:3']);
    const rows = (await dataSource.query(
      `SELECT key FROM ${SCHEMA}.timers WHERE key LIKE 'many:%'`,
    )) as unknown[];
    expect(rows).toHaveLength(2);
    // Embedded in a larger statement: one timer per selected row.
    await dataSource.query(
      `WITH t AS (${timers.upsertFrom(
        `SELECT 'from:' || n, 'test', now() + interval '200 milliseconds', '{}'::jsonb FROM generate_series(1, 3) AS n`,
      )} RETURNING 1) SELECT count(*) FROM t`,
    );
    await eventually(async () => (await effects('from:')).length === 3, { timeoutMs: 5_000 });
  });

  it('fires each timer exactly once with two runners racing for a burst', async () => {
    await runner('b').start();
    const due = new Date(Date.now() + 1_000);
    await dataSource.transaction(async (m) => {
      for (let i = 0; i < 300; i++)
        await timers.schedule(m, { key: `burst:${i}`, kind: 'test', dueAt: due, payload: {} });
    });
    const rows = await eventually(
      async () => {
        const r = await effects('burst:');
        return r.length >= 300 ? r : undefined;
      },
      { timeoutMs: 10_000 },
    );
    expect(rows).toHaveLength(300);
    expect(new Set(rows.map((r) => r.key)).size).toBe(300);
    expect(rows.every((r) => r.fired_at.getTime() >= due.getTime())).toBe(true);
  });

  it('a timer that came due while no runner was up fires on recovery, marked late', async () => {
    for (const r of runners.splice(0)) await r.stop();
    await schedule('down:1', 200);
    // No runner: it stays pending past its time (checked by its state, not by waiting for nothing).
    await eventually(
      async () => {
        const rows = (await dataSource.query(
          `SELECT due_at < now() - interval '2.5 seconds' AS overdue FROM ${SCHEMA}.timers WHERE key = 'down:1'`,
        )) as {
          overdue: boolean;
        }[];
        return rows[0]?.overdue;
      },
      { timeoutMs: 10_000 },
    );
    expect(await effects('down:')).toEqual([]);
    await runner('c').start();
    const [effect] = await eventually(async () => {
      const rows = await effects('down:');
      return rows.length ? rows : undefined;
    });
    expect(effect!.late).toBe(true);
  });

  it('handles a burst with the batch handler, and one by one when the batch fails', async () => {
    for (const r of runners.splice(0)) await r.stop();
    const batches: number[] = [];
    const batched = new TimerRunner({
      dataSource,
      url: db.url,
      schema: SCHEMA,
      logger,
      handler: async (timer, manager) => {
        if ((timer.payload as { fail?: boolean }).fail) throw new Error('handler refused');
        await manager.query(
          `INSERT INTO ${SCHEMA}.effects (key, runner, late, due_at, fired_at) VALUES ($1, 'single', false, $2, $3)`,
          [timer.key, timer.dueAt, timer.firedAt],
        );
      },
      batchHandler: async (timers, manager) => {
        batches.push(timers.length);
        if (timers.some((t) => (t.payload as { fail?: boolean }).fail))
          throw new Error('one bad timer in the batch');
        for (const timer of timers) {
          await manager.query(
            `INSERT INTO ${SCHEMA}.effects (key, runner, late, due_at, fired_at) VALUES ($1, 'batch', false, $2, $3)`,
            [timer.key, timer.dueAt, timer.firedAt],
          );
        }
      },
    });
    runners.push(batched);
    await batched.start();
    const due = new Date(Date.now() + 500);
    await dataSource.transaction(async (m) => {
      for (let i = 0; i < 50; i++)
        await timers.schedule(m, { key: `batch:${i}`, kind: 'test', dueAt: due, payload: {} });
    });
    const rows = await eventually(async () => {
      const r = await effects('batch:');
      return r.length >= 50 ? r : undefined;
    });
    expect(rows.every((r) => r.runner === 'batch')).toBe(true);
    expect(batches.some((n) => n > 1)).toBe(true);

    const due2 = new Date(Date.now() + 500);
    await dataSource.transaction(async (m) => {
      await timers.schedule(m, { key: 'mixed:bad', kind: 'test', dueAt: due2, payload: { fail: true } });
      for (let i = 0; i < 5; i++)
        await timers.schedule(m, { key: `mixed:${i}`, kind: 'test', dueAt: due2, payload: {} });
    });
    const mixed = await eventually(async () => {
      const r = await effects('mixed:');
      return r.length >= 5 ? r : undefined;
    });
    // The good timers of a failed batch fire one by one; the bad one stays pending for a retry.
    expect(mixed.map((r) => r.key).sort()).toEqual(['mixed:0', 'mixed:1', 'mixed:2', 'mixed:3', 'mixed:4']);
    expect(mixed.every((r) => r.runner === 'single')).toBe(true);
  });

  it('keeps a timer that its own handler scheduled again (a recurring timer)', async () => {
    for (const r of runners.splice(0)) await r.stop();
    let firings = 0;
    const recurring = new TimerRunner({
      dataSource,
      url: db.url,
      schema: SCHEMA,
      logger,
      handler: async (timer, manager) => {
        if ((timer.payload as { fail?: boolean }).fail) throw new Error('handler refused');
        firings += 1;
        if (firings < 3)
          await timers.schedule(manager, {
            key: timer.key,
            kind: 'test',
            dueAt: new Date(Date.now() + 200),
            payload: {},
          });
      },
    });
    runners.push(recurring);
    await recurring.start();
    await schedule('recurring:1', 100);
    await eventually(() => firings >= 3, { timeoutMs: 5_000, message: 'fired three times' });
  });

  it('retries a failing handler with backoff instead of losing the timer', async () => {
    await schedule('fail:1', 100, { fail: true });
    const row = await eventually(async () => {
      const rows = (await dataSource.query(
        `SELECT attempts, last_error, state FROM ${SCHEMA}.timers WHERE key = 'fail:1'`,
      )) as {
        attempts: number;
        last_error: string;
        state: string;
      }[];
      return rows[0] && rows[0].attempts >= 1 ? rows[0] : undefined;
    });
    expect(row).toMatchObject({ state: 'pending', last_error: 'handler refused' });
  });

  it('dead-letters a timer whose handler fails on every attempt, with an error log, and reports it', async () => {
    for (const r of runners.splice(0)) await r.stop();
    const lines: string[] = [];
    const failing = new TimerRunner({
      dataSource,
      url: db.url,
      schema: SCHEMA,
      logger: new JsonLogger('timers-test', 'warn', (line) => lines.push(line)),
      maxAttempts: 2,
      handler: (timer) =>
        (timer.payload as { fail?: boolean }).fail
          ? Promise.reject(new Error('always refused'))
          : Promise.resolve(),
    });
    runners.push(failing);
    await failing.start();
    await schedule('dead:1', 50, { fail: true });
    const row = await eventually(
      async () => {
        const rows = (await dataSource.query(
          `SELECT state, attempts, last_error, done_at FROM ${SCHEMA}.timers WHERE key = 'dead:1'`,
        )) as { state: string; attempts: number; last_error: string; done_at: Date | null }[];
        return rows[0]?.state === 'dead' ? rows[0] : undefined;
      },
      { timeoutMs: 10_000, message: 'timer dead' },
    );
    expect(row).toMatchObject({ state: 'dead', attempts: 2, last_error: 'always refused' });
    expect(row.done_at).toBeInstanceOf(Date);
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged).toContainEqual(
      expect.objectContaining({ level: 'error', key: 'dead:1', attempts: 2, error: 'always refused' }),
    );
    const { status, metrics } = await failing.collect();
    expect(status.dead).toBeGreaterThanOrEqual(1);
    const deadTotal = metrics.find((m) => m.name === 'rocketlead_timers_dead_lettered_total');
    expect(deadTotal?.value).toBeGreaterThanOrEqual(1);
    expect(metrics).toContainEqual(
      expect.objectContaining({ name: 'rocketlead_timers_dead_lettered_total', value: expect.any(Number) }),
    );
    // A dead timer is not pending: it is never claimed again.
    expect(await dataSource.transaction((m) => timers.pending(m, 'dead:1'))).toBeNull();
  });

  it('gives each firing a new trace (its own root span) whose traceparent the handler gets, batch or one by one', async () => {
    for (const r of runners.splice(0)) await r.stop();
    const seen: { key: string; given: string }[] = [];
    const batchSeen: string[] = [];
    const traced = new TimerRunner({
      dataSource,
      url: db.url,
      schema: SCHEMA,
      logger,
      handler: (timer) => {
        seen.push({ key: timer.key, given: timer.traceparent });
        return Promise.resolve();
      },
      batchHandler: (batch) => {
        if (batch.some((t) => t.key.startsWith('trace:single'))) throw new Error('one by one, please');
        batchSeen.push(...batch.map((t) => t.traceparent));
        return Promise.resolve();
      },
    });
    runners.push(traced);
    await traced.start();
    const due = new Date(Date.now() + 300);
    await dataSource.transaction(async (m) => {
      for (let i = 0; i < 3; i++)
        await timers.schedule(m, { key: `trace:batch:${i}`, kind: 'test', dueAt: due, payload: {} });
    });
    await eventually(() => batchSeen.length >= 3, { message: 'batch fired' });
    await schedule('trace:single:1', 100);
    await schedule('trace:single:2', 150);
    await eventually(() => seen.length >= 2, { message: 'single timers fired' });
    const all = [...batchSeen, ...seen.map((s) => s.given)];
    expect(all.every((tp) => isTraceparent(tp))).toBe(true);
    // A new trace each time: no two firings share a trace id.
    expect(new Set(all.map((tp) => traceIdOf(tp))).size).toBe(all.length);
  });

  it('retention deletes only fired, cancelled and dead timers older than their period', async () => {
    const day = 24 * 60 * 60 * 1000;
    await dataSource.query(
      `INSERT INTO ${SCHEMA}.timers (key, kind, due_at, state, done_at) VALUES
        ('ret-keep:fired-recent', 'test', now(), 'fired', now() - interval '1 hour'),
        ('ret-gone:fired-old', 'test', now(), 'fired', now() - interval '8 days'),
        ('ret-gone:cancelled-old', 'test', now(), 'cancelled', now() - interval '8 days'),
        ('ret-keep:dead-8d', 'test', now(), 'dead', now() - interval '8 days'),
        ('ret-gone:dead-31d', 'test', now(), 'dead', now() - interval '31 days'),
        ('ret-keep:pending-old', 'test', now() + interval '1 day', 'pending', NULL)`,
    );
    await dataSource.query(
      `UPDATE ${SCHEMA}.timers SET created_at = now() - interval '60 days' WHERE key LIKE 'ret-keep:%'`,
    );
    const removed = await sweepTimers(dataSource, SCHEMA, { doneMs: 7 * day, deadMs: 30 * day });
    expect(removed.done).toBeGreaterThanOrEqual(2);
    expect(removed.dead).toBeGreaterThanOrEqual(1);
    const left = (await dataSource.query(
      `SELECT key FROM ${SCHEMA}.timers WHERE key LIKE 'ret-keep:%' OR key LIKE 'ret-gone:%-%' ORDER BY key`,
    )) as { key: string }[];
    expect(left.map((r) => r.key)).toEqual([
      'ret-keep:dead-8d',
      'ret-keep:fired-recent',
      'ret-keep:pending-old',
    ]);
  });
});
