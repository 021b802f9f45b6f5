/** How long the event tables of a schema keep rows that are done with (milliseconds). */
export interface EventRetention {
  /** Published outbox rows, kept for inspection. */
  outboxMs: number;
  /**
   * Inbox rows: the ids of handled events that make a redelivery a no-op. Must outlast both the JetStream
   * duplicate window (2 minutes: a re-publish after that is a new message) and the redelivery horizon of a
   * consumer (an event handled but not acked is redelivered whenever the consumer is back, for as long as the
   * stream keeps it: 7 days), or a late copy would be handled twice. The env default is 14 days.
   */
  inboxMs: number;
  /** Dead-letter records, kept for inspection and replay. */
  deadLetterMs: number;
}

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export interface SweepResult {
  outbox: number;
  inbox: number;
  deadLetters: number;
}

async function deleted(db: Queryable, sql: string, ms: number): Promise<number> {
  const rows = (await db.query(`WITH gone AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM gone`, [
    ms,
  ])) as { n: number }[];
  return rows[0]?.n ?? 0;
}

/** Deletes the rows of the schema's outbox, inbox and dead-letter table that are older than their retention. */
export async function sweepEventTables(
  db: Queryable,
  schema: string,
  retention: EventRetention,
): Promise<SweepResult> {
  const cutoff = `now() - ($1::bigint * interval '1 millisecond')`;
  return {
    outbox: await deleted(
      db,
      `DELETE FROM "${schema}".outbox WHERE published_at < ${cutoff}`,
      retention.outboxMs,
    ),
    inbox: await deleted(db, `DELETE FROM "${schema}".inbox WHERE handled_at < ${cutoff}`, retention.inboxMs),
    deadLetters: await deleted(
      db,
      `DELETE FROM "${schema}".outbox_dead_letter WHERE dead_at < ${cutoff}`,
      retention.deadLetterMs,
    ),
  };
}
