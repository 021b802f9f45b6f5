import { Client } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import type { JsonLogger } from '@rocketlead/observability';
import { timersChannel } from './timers';

export interface FiredTimer<P = unknown> {
  key: string;
  kind: string;
  dueAt: Date;
  payload: P;
  firedAt: Date;
  /** True when it fires more than `lateAfterMs` after its time (it came due while no runner was up). */
  late: boolean;
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
  /** Attempts before a failing timer is given up (left in state `pending` with its error, skipped). */
  maxAttempts?: number;
  /** Called after a batch of fired timers committed (e.g. to wake the outbox relay at once). */
  onCommitted?: () => void;
}

const LOCKED_BACKOFF_MS = 25;

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
export class TimerRunner {
  private listener: Client | undefined;
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

  /** Claims and fires one batch of due timers; returns how many fired. */
  private async fireDue(): Promise<number> {
    const { dataSource, schema } = this.options;
    return dataSource.transaction(async (manager) => {
      const rows = (await manager.query(
        `SELECT key, kind, due_at, payload, clock_timestamp() AS fired_at FROM "${schema}".timers
         WHERE state = 'pending' AND due_at <= clock_timestamp() AND attempts < $2
         ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.batchSize, this.maxAttempts],
      )) as DueRow[];
      if (rows.length === 0) return 0;
      const timers = rows.map((row) => this.toFired(row));
      const failed = await this.handle(timers, manager);
      const failedKeys = failed.map((f) => f.key);
      await manager.query(
        // A handler may schedule its own key again (a recurring timer): that new, later timer stays pending.
        `UPDATE "${schema}".timers SET state = 'fired', fired_at = clock_timestamp()
         WHERE key = ANY($1::text[]) AND NOT (key = ANY($2::text[])) AND state = 'pending' AND due_at <= clock_timestamp()`,
        [rows.map((r) => r.key), failedKeys],
      );
      for (const f of failed) {
        this.options.logger.event('error', 'timer handler failed', { key: f.key, error: f.error });
        // Retried with backoff; the original time stays in the payload of whoever scheduled it.
        await manager.query(
          `UPDATE "${schema}".timers SET attempts = attempts + 1, last_error = $2,
             due_at = clock_timestamp() + make_interval(secs => least(60, power(2, attempts)))
           WHERE key = $1`,
          [f.key, f.error.slice(0, 1000)],
        );
      }
      return rows.length;
    });
  }

  private toFired(row: DueRow): FiredTimer {
    return {
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
        await handler(timer, manager);
        await manager.query('RELEASE SAVEPOINT timer');
      } catch (error) {
        await manager.query('ROLLBACK TO SAVEPOINT timer');
        failed.push({ key: timer.key, error: (error as Error).message });
      }
    }
    return failed;
  }

  private async listen(): Promise<void> {
    const client = new Client({
      connectionString: this.options.url,
      application_name: `${this.options.schema}-timers`,
    });
    client.on('notification', () => this.interrupt());
    client.on('error', (error) => {
      this.options.logger.event('warn', 'timer listener lost its connection', { error: error.message });
      if (this.listener === client) this.listener = undefined;
      client.end().catch(() => undefined);
    });
    await client.connect();
    await client.query(`LISTEN "${timersChannel(this.options.schema)}"`);
    this.listener = client;
  }
}
