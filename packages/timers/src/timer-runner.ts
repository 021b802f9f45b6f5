import type { Client } from 'pg';
import { listenOn } from '@rocketlead/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import {
  startRootSpan,
  type JsonLogger,
  type MetricSample,
  type RootSpan,
  type StatusSource,
} from '@rocketlead/observability';
import { timersChannel } from './timers';
import { sweepTimers, type TimerRetention } from './timers-retention';

export interface FiredTimer<P = unknown> {
  key: string;
  kind: string;
  dueAt: Date;
  payload: P;
  firedAt: Date;
  /** True when it fires more than `lateAfterMs` after its time (it came due while no runner was up). */
  late: boolean;
  /**
   * W3C traceparent of this firing's own root span: a firing starts a new trace (the clock caused it, not the
   * request that scheduled it), so what the handler writes (events) should carry this one.
   */
  traceparent: string;
}

/** Runs in the transaction that marks the timer fired: its writes and the firing commit together. */
export type TimerHandler = (timer: FiredTimer, manager: EntityManager) => Promise<void>;

/** Handles a whole batch at once (one read, one write for a burst); same transaction rules as TimerHandler. */
export type TimerBatchHandler = (timers: FiredTimer[], manager: EntityManager) => Promise<void>;

export interface TimerRunnerOptions {
  dataSource: DataSource;
  /** Postgres URL for the dedicated LISTEN connection. */
  url: string;
  schema: string;
  handler: TimerHandler;
  /**
   * Optional fast path for bursts. When it throws, the batch is rolled back to a savepoint and each timer is
   * handled alone with `handler`, so one bad timer cannot hold up the others.
   */
  batchHandler?: TimerBatchHandler;
  logger: JsonLogger;
  batchSize?: number;
  /** Longest sleep between checks, also the fallback when a NOTIFY is missed. */
  maxSleepMs?: number;
  lateAfterMs?: number;
  /** Attempts before a failing timer is dead-lettered: state `dead`, its last error kept, logged. */
  maxAttempts?: number;
  /** How long fired/cancelled timers (default 7 days) and dead ones (default 30 days) are kept. */
  retention?: Partial<TimerRetention>;
  /** Called after a batch of fired timers committed (e.g. to wake the outbox relay at once). */
  onCommitted?: () => void;
}

const LOCKED_BACKOFF_MS = 25;
const SWEEP_INTERVAL_MS = 60_000;
// Counting stops here, so the health check stays cheap however many timers there are.
const COUNT_CAP = 100_000;

export const DEFAULT_TIMER_RETENTION: TimerRetention = {
  doneMs: 7 * 24 * 60 * 60 * 1000,
  deadMs: 30 * 24 * 60 * 60 * 1000,
};

export interface TimersStatus {
  /** Pending timers (counted up to 100,000). */
  pending: number;
  /** How far past its time the most overdue pending timer is, 0 when none is. */
  overdueSeconds: number;
  /** Dead timers currently kept (counted up to 100,000). */
  dead: number;
}

interface DueRow {
  key: string;
  kind: string;
  due_at: Date;
  payload: unknown;
  fired_at: Date;
}

/**
 * Fires due timers. Sleeps until the earliest pending due time (woken early by NOTIFY when a sooner timer
 * is scheduled), then claims due rows with FOR UPDATE SKIP LOCKED, so each fires once across replicas, and
 * runs the handler in that same transaction.
 */
export class TimerRunner implements StatusSource {
  readonly statusName = 'timers';
  private listener: Client | undefined;
  private lastSweep = 0;
  private firedTotal = 0;
  private failedTotal = 0;
  private deadTotal = 0;
  private readonly retention: TimerRetention;
  private sleepTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private stopped = true;
  private readonly batchSize: number;
  private readonly maxSleepMs: number;
  private readonly lateAfterMs: number;
  private readonly maxAttempts: number;

  constructor(private readonly options: TimerRunnerOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.maxSleepMs = options.maxSleepMs ?? 1_000;
    this.lateAfterMs = options.lateAfterMs ?? 2_000;
    this.maxAttempts = options.maxAttempts ?? 10;
    this.retention = { ...DEFAULT_TIMER_RETENTION, ...options.retention };
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.listen().catch((error: Error) =>
      this.options.logger.event('warn', 'timer listener could not connect; polling only', {
        error: error.message,
      }),
    );
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.interrupt();
    await this.loop;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  private interrupt(): void {
    clearTimeout(this.sleepTimer);
    this.wake?.();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        const fired = await this.fireDue();
        failures = 0;
        await this.sweep();
        if (fired > 0) this.options.onCommitted?.();
        if (fired === this.batchSize) continue; // more may be due right now
        const next = await this.untilNextDue();
        // Nothing claimed although something is due: another runner or a writer holds those rows. Back off a
        // little instead of spinning on them.
        await this.sleep(fired === 0 ? Math.max(next, LOCKED_BACKOFF_MS) : next);
      } catch (error) {
        failures += 1;
        this.options.logger.event('warn', 'timer run failed; retrying', {
          error: (error as Error).message,
          failures,
        });
        await this.sleep(Math.min(5_000, 100 * 2 ** failures));
        if (!this.listener) await this.listen().catch(() => undefined);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
      this.sleepTimer = setTimeout(resolve, ms);
    });
  }

  /** Milliseconds until the earliest pending timer, by the database clock, capped by maxSleepMs. */
  private async untilNextDue(): Promise<number> {
    const rows = (await this.options.dataSource.query(
      `SELECT (EXTRACT(EPOCH FROM (min(due_at) - clock_timestamp())) * 1000)::float8 AS ms
       FROM "${this.options.schema}".timers WHERE state = 'pending' AND attempts < $1`,
      [this.maxAttempts],
    )) as { ms: number | null }[];
    const ms = rows[0]?.ms;
    if (ms === null || ms === undefined) return this.maxSleepMs;
    // Wake a hair after the due time so the claim query (due_at <= now) sees it; never busy-loop.
    return Math.min(this.maxSleepMs, Math.max(1, Math.ceil(ms) + 1));
  }

  /** Claims and fires one batch of due timers; returns how many it handled (fired or failed). */
  private async fireDue(): Promise<number> {
    const { dataSource, schema } = this.options;
    const spans = new Map<string, RootSpan>();
    try {
      const outcome = await dataSource.transaction(async (manager) => {
        const rows = (await manager.query(
          `SELECT key, kind, due_at, payload, clock_timestamp() AS fired_at FROM "${schema}".timers
           WHERE state = 'pending' AND due_at <= clock_timestamp() AND attempts < $2
           ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [this.batchSize, this.maxAttempts],
        )) as DueRow[];
        if (rows.length === 0) return { handled: 0, failed: [], dead: [] };
        // One root span per firing: each starts its own trace, whatever the handler does belongs to it.
        for (const row of rows)
          spans.set(row.key, startRootSpan(`timer ${row.kind}`, { 'rocketlead.timer.key': row.key }));
        const timers = rows.map((row) => this.toFired(row, spans.get(row.key)!.traceparent));
        const failed = await this.handle(timers, manager, spans);
        const failedKeys = failed.map((f) => f.key);
        await manager.query(
          // A handler may schedule its own key again (a recurring timer): that new, later timer stays pending.
          `UPDATE "${schema}".timers SET state = 'fired', fired_at = clock_timestamp(), done_at = clock_timestamp()
           WHERE key = ANY($1::text[]) AND NOT (key = ANY($2::text[])) AND state = 'pending' AND due_at <= clock_timestamp()`,
          [rows.map((r) => r.key), failedKeys],
        );
        const dead: { key: string; kind: string; attempts: number; error: string }[] = [];
        for (const f of failed) {
          const [updatedRows] = (await manager.query(
            // Retried with backoff until its attempts run out, then dead-lettered in place (state `dead`).
            `UPDATE "${schema}".timers SET attempts = attempts + 1, last_error = $2,
               due_at = CASE WHEN attempts + 1 >= $3 THEN due_at
                 ELSE clock_timestamp() + make_interval(secs => least(60, power(2, attempts))) END,
               state = CASE WHEN attempts + 1 >= $3 THEN 'dead' ELSE state END,
               done_at = CASE WHEN attempts + 1 >= $3 THEN clock_timestamp() ELSE done_at END
             WHERE key = $1 AND state = 'pending' RETURNING kind, attempts, state`,
            [f.key, f.error.slice(0, 1000), this.maxAttempts],
          )) as [[{ kind: string; attempts: number; state: string }?], number];
          const updated = updatedRows[0];
          if (updated?.state === 'dead')
            dead.push({ key: f.key, kind: updated.kind, attempts: updated.attempts, error: f.error });
          else
            this.options.logger.event('warn', 'timer handler failed; will retry', {
              key: f.key,
              attempts: updated?.attempts,
              error: f.error,
            });
        }
        return { handled: rows.length, failed, dead };
      });
      this.firedTotal += outcome.handled - outcome.failed.length;
      this.failedTotal += outcome.failed.length;
      for (const d of outcome.dead) {
        this.deadTotal += 1;
        this.options.logger.event('error', 'timer dead-lettered: its handler failed on every attempt', {
          key: d.key,
          kind: d.kind,
          attempts: d.attempts,
          error: d.error,
        });
      }
      const failedKeys = new Set(outcome.failed.map((f) => f.key));
      for (const [key, span] of spans)
        span.end(failedKeys.has(key) ? new Error('timer handler failed') : undefined);
      return outcome.handled;
    } catch (error) {
      for (const span of spans.values()) span.end(error);
      throw error;
    }
  }

  private toFired(row: DueRow, traceparent: string): FiredTimer {
    return {
      traceparent,
      key: row.key,
      kind: row.kind,
      dueAt: row.due_at,
      payload: row.payload,
      firedAt: row.fired_at,
      late: row.fired_at.getTime() - row.due_at.getTime() > this.lateAfterMs,
    };
  }

  /** Runs the handlers under savepoints; returns the timers that failed (their writes are rolled back). */
  private async handle(
    timers: FiredTimer[],
    manager: EntityManager,
    spans: Map<string, RootSpan>,
  ): Promise<{ key: string; error: string }[]> {
    const { batchHandler, handler } = this.options;
    if (batchHandler) {
      await manager.query('SAVEPOINT timer_batch');
      try {
        await batchHandler(timers, manager);
        await manager.query('RELEASE SAVEPOINT timer_batch');
        return [];
      } catch (error) {
        await manager.query('ROLLBACK TO SAVEPOINT timer_batch');
        this.options.logger.event('warn', 'timer batch failed; handling timers one by one', {
          error: (error as Error).message,
        });
      }
    }
    const failed: { key: string; error: string }[] = [];
    for (const timer of timers) {
      // A savepoint per timer: one failing handler must not undo the others of the batch.
      await manager.query('SAVEPOINT timer');
      try {
        await spans.get(timer.key)!.run(() => handler(timer, manager));
        await manager.query('RELEASE SAVEPOINT timer');
      } catch (error) {
        await manager.query('ROLLBACK TO SAVEPOINT timer');
        failed.push({ key: timer.key, error: (error as Error).message });
      }
    }
    return failed;
  }

  /** Pending timers, how overdue the oldest is, and the dead ones kept: index lookups and capped counts. */
  async status(): Promise<TimersStatus> {
    const { dataSource, schema } = this.options;
    const [pending, overdue, dead] = (await Promise.all([
      dataSource.query(
        `SELECT count(*)::int AS n FROM (SELECT 1 FROM "${schema}".timers WHERE state = 'pending' LIMIT ${COUNT_CAP}) AS p`,
      ),
      dataSource.query(
        `SELECT greatest(0, EXTRACT(EPOCH FROM now() - min(due_at)))::float8 AS s FROM "${schema}".timers
         WHERE state = 'pending' AND attempts < $1`,
        [this.maxAttempts],
      ),
      dataSource.query(
        `SELECT count(*)::int AS n FROM (SELECT 1 FROM "${schema}".timers WHERE state = 'dead' LIMIT ${COUNT_CAP}) AS d`,
      ),
    ])) as [{ n: number }[], { s: number | null }[], { n: number }[]];
    return {
      pending: pending[0]?.n ?? 0,
      overdueSeconds: Math.round((overdue[0]?.s ?? 0) * 1000) / 1000,
      dead: dead[0]?.n ?? 0,
    };
  }

  async collect(): Promise<{ status: Record<string, number>; metrics: MetricSample[] }> {
    const status = await this.status();
    const labels = { schema: this.options.schema };
    const sample = (name: string, help: string, type: MetricSample['type'], value: number): MetricSample => ({
      name,
      help,
      type,
      value,
      labels,
    });
    return {
      status: { ...status },
      metrics: [
        sample('rocketlead_timers_pending', 'Pending timers (counted up to 100000)', 'gauge', status.pending),
        sample(
          'rocketlead_timers_overdue_seconds',
          'How far past its time the most overdue pending timer is, 0 when none',
          'gauge',
          status.overdueSeconds,
        ),
        sample(
          'rocketlead_timers_dead',
          'Dead timers currently kept (counted up to 100000)',
          'gauge',
          status.dead,
        ),
        sample('rocketlead_timers_fired_total', 'Timers fired by this process', 'counter', this.firedTotal),
        sample(
          'rocketlead_timers_failed_total',
          'Timer handler failures in this process (each is retried until the attempts run out)',
          'counter',
          this.failedTotal,
        ),
        sample(
          'rocketlead_timers_dead_lettered_total',
          'Timers dead-lettered by this process',
          'counter',
          this.deadTotal,
        ),
      ],
    };
  }

  /** Once a minute: deletes timers past their retention, and retires pending ones whose attempts ran out. */
  private async sweep(): Promise<void> {
    const now = Date.now();
    if (now - this.lastSweep < SWEEP_INTERVAL_MS) return;
    this.lastSweep = now;
    const { dataSource, schema, logger } = this.options;
    // Left by an older version (or a lower maxAttempts): pending with no attempts left, never fired again.
    const exhausted = (await dataSource.query(
      `WITH retired AS (UPDATE "${schema}".timers SET state = 'dead', done_at = clock_timestamp()
         WHERE state = 'pending' AND attempts >= $1 RETURNING key, kind, attempts, last_error)
       SELECT * FROM retired`,
      [this.maxAttempts],
    )) as { key: string; kind: string; attempts: number; last_error: string | null }[];
    for (const t of exhausted) {
      this.deadTotal += 1;
      logger.event('error', 'timer dead-lettered: its handler failed on every attempt', {
        key: t.key,
        kind: t.kind,
        attempts: t.attempts,
        error: t.last_error,
      });
    }
    await sweepTimers(dataSource, schema, this.retention);
  }

  private async listen(): Promise<void> {
    this.listener = await listenOn({
      url: this.options.url,
      channel: timersChannel(this.options.schema),
      applicationName: `${this.options.schema}-timers`,
      onNotification: () => this.interrupt(),
      onLost: (error, lost) => {
        this.options.logger.event('warn', 'timer listener lost its connection', { error: error.message });
        if (this.listener === lost) this.listener = undefined;
      },
    });
  }
}
