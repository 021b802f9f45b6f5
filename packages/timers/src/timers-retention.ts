/** How long timers that are done with are kept (milliseconds). */
export interface TimerRetention {
  /** Fired and cancelled timers. */
  doneMs: number;
  /** Dead timers (their handler failed on every attempt), kept for inspection like other dead letters. */
  deadMs: number;
}

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** Deletes fired/cancelled and dead timers older than their retention; pending timers are never touched. */
export async function sweepTimers(
  db: Queryable,
  schema: string,
  retention: TimerRetention,
): Promise<{ done: number; dead: number }> {
  const count = async (sql: string, ms: number): Promise<number> => {
    const rows = (await db.query(`WITH gone AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM gone`, [
      ms,
    ])) as { n: number }[];
    return rows[0]?.n ?? 0;
  };
  const cutoff = `now() - ($1::bigint * interval '1 millisecond')`;
  return {
    done: await count(
      `DELETE FROM "${schema}".timers WHERE state IN ('fired', 'cancelled') AND done_at < ${cutoff}`,
      retention.doneMs,
    ),
    dead: await count(
      `DELETE FROM "${schema}".timers WHERE state = 'dead' AND done_at < ${cutoff}`,
      retention.deadMs,
    ),
  };
}
