import type { EntityManager } from 'typeorm';

export interface TimerSpec<P = unknown> {
  /** Unique per timer, e.g. `booking:<id>:hasStarted`; scheduling the same key again replaces it. */
  key: string;
  /** Which handler logic applies, e.g. `calendar.appointment.hasStarted`. */
  kind: string;
  dueAt: Date;
  payload: P;
}

export function timersChannel(schema: string): string {
  return `${schema}_timers`;
}

/**
 * Schedules, moves and cancels timers inside the caller's transaction, so a timer exists exactly when the
 * change that caused it committed. Runners are woken by NOTIFY on commit.
 */
export class Timers {
  constructor(private readonly schema: string) {}

  /** Creates the timer, or replaces a timer with the same key (pending again, new time and payload). */
  async schedule(manager: EntityManager, spec: TimerSpec): Promise<void> {
    await manager.query(
      `WITH upserted AS (
         INSERT INTO "${this.schema}".timers (key, kind, due_at, payload, state)
         VALUES ($1, $2, $3, $4::jsonb, 'pending')
         ON CONFLICT (key) DO UPDATE SET kind = EXCLUDED.kind, due_at = EXCLUDED.due_at, payload = EXCLUDED.payload,
           state = 'pending', fired_at = NULL, attempts = 0, last_error = NULL, done_at = NULL
         RETURNING 1)
       SELECT pg_notify($5, '') FROM (SELECT 1) AS once`,
      [spec.key, spec.kind, spec.dueAt, JSON.stringify(spec.payload), timersChannel(this.schema)],
    );
  }

  /**
   * Schedules several timers in one statement. `notify: false` skips waking the runners: for timers due
   * later than the runners' longest sleep (a lease), a wake-up per timer would only cost a query each.
   */
  async scheduleMany(
    manager: EntityManager,
    specs: TimerSpec[],
    options: { notify?: boolean } = {},
  ): Promise<void> {
    if (specs.length === 0) return;
    await manager.query(
      `WITH upserted AS (
         INSERT INTO "${this.schema}".timers (key, kind, due_at, payload, state)
         SELECT key, kind, due_at, payload, 'pending'
         FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::jsonb[]) AS t(key, kind, due_at, payload)
         ON CONFLICT (key) DO UPDATE SET kind = EXCLUDED.kind, due_at = EXCLUDED.due_at, payload = EXCLUDED.payload,
           state = 'pending', fired_at = NULL, attempts = 0, last_error = NULL, done_at = NULL
         RETURNING 1)
       SELECT pg_notify($5, '') FROM (SELECT 1) AS once WHERE $6 AND EXISTS (SELECT 1 FROM upserted)`,
      [
        specs.map((s) => s.key),
        specs.map((s) => s.kind),
        specs.map((s) => s.dueAt),
        specs.map((s) => JSON.stringify(s.payload)),
        timersChannel(this.schema),
        options.notify ?? true,
      ],
    );
  }

  /**
   * Deletes timers outright, whatever their state: for short-lived timers whose history is worth nothing
   * (a lease that was not needed), so they do not pile up until the retention sweep.
   */
  async remove(manager: EntityManager, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await manager.query(`DELETE FROM "${this.schema}".timers WHERE key = ANY($1::text[])`, [keys]);
  }

  /**
   * An INSERT (to embed as a CTE) scheduling one timer per row of `select`, which yields key, kind, due_at
   * and payload: a row and its timer are then written by one statement. It wakes no runner (no NOTIFY).
   */
  upsertFrom(select: string): string {
    return `INSERT INTO "${this.schema}".timers (key, kind, due_at, payload, state)
       SELECT key, kind, due_at, payload, 'pending' FROM (${select}) AS t(key, kind, due_at, payload)
       ON CONFLICT (key) DO UPDATE SET kind = EXCLUDED.kind, due_at = EXCLUDED.due_at, payload = EXCLUDED.payload,
         state = 'pending', fired_at = NULL, attempts = 0, last_error = NULL, done_at = NULL`;
  }

  /** Moves a pending timer; false when there is no pending timer with that key. */
  async reschedule(manager: EntityManager, key: string, dueAt: Date): Promise<boolean> {
    const rows = (await manager.query(
      `WITH moved AS (
         UPDATE "${this.schema}".timers SET due_at = $2 WHERE key = $1 AND state = 'pending' RETURNING 1)
       SELECT pg_notify($3, '') AS n FROM moved`,
      [key, dueAt, timersChannel(this.schema)],
    )) as unknown[];
    return rows.length > 0;
  }

  /** Cancels a pending timer; false when there is no pending timer with that key. */
  async cancel(manager: EntityManager, key: string): Promise<boolean> {
    const rows = (await manager.query(
      `WITH cancelled AS (
         UPDATE "${this.schema}".timers SET state = 'cancelled', done_at = now()
         WHERE key = $1 AND state = 'pending' RETURNING 1)
       SELECT 1 FROM cancelled`,
      [key],
    )) as unknown[];
    return rows.length > 0;
  }

  /** The pending timer with that key, if any (for tests and diagnostics). */
  async pending(manager: EntityManager, key: string): Promise<{ dueAt: Date; kind: string } | null> {
    const rows = (await manager.query(
      `SELECT due_at, kind FROM "${this.schema}".timers WHERE key = $1 AND state = 'pending'`,
      [key],
    )) as { due_at: Date; kind: string }[];
    return rows[0] ? { dueAt: rows[0].due_at, kind: rows[0].kind } : null;
  }
}
