import type { Client, PoolClient, QueryResult } from 'pg';
import { listenOn } from '@rocketlead/persistence';
import {
  ErrorCode,
  headers as natsHeaders,
  NatsError,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
} from 'nats';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { CloudEvent, WireNames } from '@rocketlead/contracts';
import type { JsonLogger, MetricSample, StatusSource } from '@rocketlead/observability';
import { RequestMux } from '../rpc/request-mux';
import { outboxChannel } from './outbox-writer';
import { sweepEventTables, type EventRetention } from './outbox-retention';

/** Why a row could not be published, as far as the row itself is concerned. */
export type RefusalKind =
  /** Larger than the server's max payload: no retry can succeed, it is dead-lettered at once. */
  | 'too_large'
  /** The server refused this message (no stream for its subject, a stream limit, a permission). */
  | 'refused';

/**
 * A publish that failed because of the message, not because NATS is unreachable. Any other error a publisher
 * throws counts as transient: the row waits, unchanged, for NATS to come back.
 */
export class OutboxRefusal extends Error {
  constructor(
    readonly kind: RefusalKind,
    message: string,
  ) {
    super(message);
    this.name = 'OutboxRefusal';
  }
}

export interface OutboxPublisher {
  /** Resolves once the stream acked; rejects with an OutboxRefusal when the message itself is refused. */
  publish(event: CloudEvent): Promise<void>;
}

/** Size of the header block as the client sends it (`NATS/1.0`, one `key: value` line each, a blank line). */
function headerBytes(h: MsgHdrs): number {
  let n = 'NATS/1.0\r\n\r\n'.length;
  for (const [key, values] of h) for (const value of values) n += Buffer.byteLength(`${key}: ${value}\r\n`);
  return n;
}

/**
 * Tells refusals of a message (which count toward its attempts) from a connection that cannot deliver
 * anything right now (closed, draining, disconnected: the publish times out), which must never cost an
 * event its attempts.
 */
export function classifyPublishError(error: unknown): OutboxRefusal | undefined {
  if (error instanceof OutboxRefusal) return error;
  if (!(error instanceof NatsError)) return undefined;
  if (error.code === (ErrorCode.MaxPayloadExceeded as string))
    return new OutboxRefusal('too_large', error.message);
  // 503 on a JetStream publish: the server answered, but no stream listens on the subject.
  if (error.code === (ErrorCode.NoResponders as string))
    return new OutboxRefusal('refused', 'no stream accepts the subject (503 no responders)');
  if (error.isJetStreamError() || error.isPermissionError())
    return new OutboxRefusal('refused', error.message);
  return undefined;
}

/** A JetStream publish ack, or the API error the stream answered with instead. */
interface PubAckReply {
  stream?: string;
  seq?: number;
  duplicate?: boolean;
  error?: { code: number; err_code?: number; description?: string };
}

/** The stream's answer to a publish: its ack, or the NatsError nats.js would throw for it. */
export function checkPubAck(msg: Msg): void {
  let reply: PubAckReply;
  try {
    reply = msg.json<PubAckReply>();
  } catch {
    throw NatsError.errorForCode(ErrorCode.JetStreamInvalidAck);
  }
  if (reply.error) {
    const error = new NatsError(
      reply.error.description ?? `JetStream error ${reply.error.code}`,
      String(reply.error.code),
    );
    // What makes isJetStreamError() true, as nats.js sets it.
    error.api_error = {
      code: reply.error.code,
      err_code: reply.error.err_code,
      description: reply.error.description ?? '',
    };
    throw error;
  }
  if (!reply.stream) throw NatsError.errorForCode(ErrorCode.JetStreamInvalidAck);
}

/**
 * Publishes to JetStream with Nats-Msg-Id = event id, so a re-publish after a crash is de-duplicated. The
 * publish is a request on the connection's RequestMux (the stream's ack is its reply), as js.publish does it
 * without the per-publish Error nats.js allocates.
 */
export class JetStreamOutboxPublisher implements OutboxPublisher {
  constructor(
    private readonly nc: NatsConnection,
    private readonly names: WireNames,
    private readonly timeoutMs = 5_000,
  ) {}

  async publish(event: CloudEvent): Promise<void> {
    const h = natsHeaders();
    if (event.traceparent) h.set('traceparent', event.traceparent);
    h.set('content-type', 'application/cloudevents+json');
    h.set('Nats-Msg-Id', event.id);
    const body = Buffer.from(JSON.stringify(event));
    // Known only while connected; when it is not, the publish below waits or fails as transient.
    const maxPayload = this.nc.info?.max_payload;
    if (maxPayload !== undefined && body.length + headerBytes(h) > maxPayload)
      throw new OutboxRefusal(
        'too_large',
        `event of ${body.length} bytes exceeds the NATS max payload of ${maxPayload} bytes`,
      );
    try {
      const ack = await RequestMux.of(this.nc).request(this.names.eventSubject(event.type), body, {
        timeoutMs: this.timeoutMs,
        headers: h,
      });
      checkPubAck(ack);
    } catch (error) {
      throw classifyPublishError(error) ?? error;
    }
  }
}

export interface OutboxRelayOptions {
  dataSource: DataSource;
  /** Postgres connection string for the dedicated LISTEN connection. */
  url: string;
  schema: string;
  publisher: OutboxPublisher;
  logger: JsonLogger;
  batchSize?: number;
  pollIntervalMs?: number;
  /** How long published rows, inbox rows and dead letters are kept (defaults: 24 h, 14 d, 30 d). */
  retention?: Partial<EventRetention>;
  /** Pause before draining again when more commits arrived during a drain. */
  coalesceMs?: number;
  /** Refusals before a row is dead-lettered (default 10). */
  maxAttempts?: number;
  /** Wait after the first refusal, doubled after each further one, capped at 5 minutes (default 1 s). */
  retryDelayMs?: number;
}

export const DEFAULT_EVENT_RETENTION: EventRetention = {
  outboxMs: 24 * 60 * 60 * 1000,
  inboxMs: 14 * 24 * 60 * 60 * 1000,
  deadLetterMs: 30 * 24 * 60 * 60 * 1000,
};

const LOCKED_ELSEWHERE = -1;
const MAX_RETRY_DELAY_MS = 5 * 60 * 1000;
// Counting pending rows stops here, so the health check stays cheap however far behind the relay is.
const COUNT_CAP = 100_000;

interface OutboxRow {
  id: string;
  payload: CloudEvent;
  attempts: number;
}

/** TypeORM's Postgres runner can hand a broken connection back so that the pool drops it. */
type PostgresRunner = QueryRunner & { releasePostgresConnection(error?: Error): Promise<void> };

interface BatchOutcome {
  handled: number;
  published?: number;
  refusals?: Refused[];
  transient?: Error;
}

/** A refused row as recorded in the batch: dead-lettered when `retryInMs` is undefined. */
interface Refused {
  row: OutboxRow;
  kind: RefusalKind;
  attempts: number;
  reason: string;
  retryInMs: number | undefined;
}

export interface OutboxStatus {
  /** Unpublished rows (counted up to 100,000). */
  pending: number;
  /** Age of the oldest unpublished row, 0 when there is none. */
  oldestPendingAgeSeconds: number;
  /** Dead-letter records currently kept (counted up to 100,000). */
  deadLetters: number;
}

/**
 * Moves committed outbox rows to JetStream in id order. Woken by NOTIFY, with a poll as fallback;
 * one replica drains at a time (advisory lock), rows are marked published only after the stream acks.
 *
 * A row the stream refuses is retried with backoff while the rows behind it go on, and is moved to the
 * dead-letter table once its attempts run out (at once when it is larger than the server's max payload).
 * While NATS is unreachable nothing counts as an attempt: every row waits and goes out when it is back.
 */
export class OutboxRelay implements StatusSource {
  readonly statusName = 'outbox';
  private listener: Client | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private failures = 0;
  private lastCleanup = 0;
  private publishedTotal = 0;
  private refusedTotal = 0;
  private readonly deadLetteredTotal: Record<RefusalKind, number> = { too_large: 0, refused: 0 };
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly retention: EventRetention;
  private readonly coalesceMs: number;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.retention = { ...DEFAULT_EVENT_RETENTION, ...options.retention };
    this.coalesceMs = options.coalesceMs ?? 10;
    this.maxAttempts = options.maxAttempts ?? 10;
    this.retryDelayMs = options.retryDelayMs ?? 1_000;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.listen();
    this.pollTimer = setInterval(() => this.kick(), this.pollIntervalMs);
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    await this.draining;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  /** Requests a drain; concurrent requests coalesce into one more pass. */
  kick(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drainLoop().finally(() => {
      this.draining = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        // Under load every commit notifies; a short pause gathers them into one batch (fewer round trips).
        setTimeout(() => this.kick(), this.coalesceMs);
      }
    });
  }

  /**
   * Drains until no row is ready; resolves when every row committed before the call is published, dead-
   * lettered or waiting for its next attempt. Rejects when NATS could not take a row.
   */
  async flush(): Promise<void> {
    for (;;) {
      const handled = await this.publishBatch();
      if (handled === 0) return;
      if (handled === LOCKED_ELSEWHERE) await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Pending rows, the age of the oldest, and the dead letters kept: two index lookups and a capped count. */
  async status(): Promise<OutboxStatus> {
    const { dataSource, schema } = this.options;
    const [pending, oldest, dead] = (await Promise.all([
      dataSource.query(
        `SELECT count(*)::int AS n FROM (SELECT 1 FROM "${schema}".outbox WHERE published_at IS NULL LIMIT ${COUNT_CAP}) AS p`,
      ),
      dataSource.query(
        `SELECT greatest(0, EXTRACT(EPOCH FROM now() - created_at))::float8 AS age FROM "${schema}".outbox
         WHERE published_at IS NULL ORDER BY id LIMIT 1`,
      ),
      dataSource.query(
        `SELECT count(*)::int AS n FROM (SELECT 1 FROM "${schema}".outbox_dead_letter LIMIT ${COUNT_CAP}) AS d`,
      ),
    ])) as [{ n: number }[], { age: number }[], { n: number }[]];
    return {
      pending: pending[0]?.n ?? 0,
      oldestPendingAgeSeconds: Math.round((oldest[0]?.age ?? 0) * 1000) / 1000,
      deadLetters: dead[0]?.n ?? 0,
    };
  }

  async collect(): Promise<{ status: Record<string, number>; metrics: MetricSample[] }> {
    const status = await this.status();
    const labels = { schema: this.options.schema };
    const metrics: MetricSample[] = [
      {
        name: 'rocketlead_outbox_pending',
        help: 'Outbox rows not yet published (counted up to 100000)',
        type: 'gauge',
        value: status.pending,
        labels,
      },
      {
        name: 'rocketlead_outbox_oldest_pending_age_seconds',
        help: 'Age of the oldest unpublished outbox row, 0 when none',
        type: 'gauge',
        value: status.oldestPendingAgeSeconds,
        labels,
      },
      {
        name: 'rocketlead_outbox_dead_letters',
        help: 'Dead-lettered outbox rows currently kept (counted up to 100000)',
        type: 'gauge',
        value: status.deadLetters,
        labels,
      },
      {
        name: 'rocketlead_outbox_published_total',
        help: 'Outbox rows published by this process',
        type: 'counter',
        value: this.publishedTotal,
        labels,
      },
      {
        name: 'rocketlead_outbox_refused_total',
        help: 'Publishes of outbox rows refused by NATS in this process (each counts toward the row attempts)',
        type: 'counter',
        value: this.refusedTotal,
        labels,
      },
      ...(Object.keys(this.deadLetteredTotal) as RefusalKind[]).map((reason): MetricSample => ({
        name: 'rocketlead_outbox_dead_lettered_total',
        help: 'Outbox rows dead-lettered by this process',
        type: 'counter',
        value: this.deadLetteredTotal[reason],
        labels: { ...labels, reason },
      })),
    ];
    return { status: { ...status }, metrics };
  }

  private async drainLoop(): Promise<void> {
    try {
      let handled = 0;
      do {
        handled = await this.publishBatch();
      } while (!this.stopped && handled === this.batchSize); // a full batch: more may be waiting
      // Another replica holds the drain lock: look again shortly rather than waiting for the poll.
      if (handled === LOCKED_ELSEWHERE) this.again = true;
      this.failures = 0;
      await this.cleanup();
    } catch (error) {
      this.failures += 1;
      // NATS or Postgres is unavailable: the rows stay in the outbox and the poll retries with backoff.
      this.options.logger.event('warn', 'outbox publish failed; will retry', {
        error: (error as Error).message,
        failures: this.failures,
      });
      await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 100 * 2 ** this.failures)));
      if (!this.listener && !this.stopped) await this.listen().catch(() => undefined);
    }
  }

  /**
   * Publishes one batch inside a transaction; returns how many rows it handled. Rows the stream acked are
   * marked, refused ones are rescheduled or dead-lettered, and all of it commits before a transient failure
   * (NATS unreachable) is thrown to the caller's backoff.
   *
   * A batch is two round trips to Postgres: begin, lock and read as one simple query, then mark and commit
   * as another (it was six statements, each a write and a wake-up of a backend; the relay runs once or
   * more per commit of its service). Only a refusal adds statements.
   */
  private async publishBatch(): Promise<number> {
    const { dataSource, schema, publisher } = this.options;
    const runner = dataSource.createQueryRunner() as PostgresRunner;
    const client = (await runner.connect()) as PoolClient;
    let outcome: BatchOutcome;
    try {
      const rows = await this.lockAndRead(client);
      if (rows === undefined || rows.length === 0) {
        await client.query('COMMIT');
        outcome = { handled: rows === undefined ? LOCKED_ELSEWHERE : 0 };
      } else {
        // Sent in id order on one connection; acks are awaited together.
        const results = await Promise.allSettled(rows.map((row) => publisher.publish(row.payload)));
        const acked: string[] = [];
        const refusals: Refused[] = [];
        let transient: Error | undefined;
        for (const [i, result] of results.entries()) {
          const row = rows[i]!;
          if (result.status === 'fulfilled') {
            acked.push(row.id);
            continue;
          }
          const refusal = classifyPublishError(result.reason);
          if (refusal) refusals.push(await this.refused(runner.manager, row, refusal));
          else
            transient ??= result.reason instanceof Error ? result.reason : new Error(String(result.reason));
        }
        // Ids are the table's own bigints (digits only), so they can be written into the simple query.
        await client.query(
          acked.length > 0
            ? `UPDATE "${schema}".outbox SET published_at = now() WHERE id = ANY('{${acked.join(',')}}'::bigint[]); COMMIT`
            : 'COMMIT',
        );
        outcome = { handled: rows.length, published: acked.length, refusals, transient };
      }
    } catch (error) {
      // A connection that cannot even roll back is dropped from the pool rather than reused.
      const rolledBack = await client.query('ROLLBACK').then(
        () => true,
        () => false,
      );
      await runner.releasePostgresConnection(rolledBack ? undefined : (error as Error));
      throw error;
    }
    await runner.release();
    // Counted and logged once committed: a rolled-back batch changed nothing.
    this.publishedTotal += outcome.published ?? 0;
    for (const r of outcome.refusals ?? []) this.report(r);
    if (outcome.transient !== undefined) throw outcome.transient;
    return outcome.handled;
  }

  /**
   * Opens the batch's transaction, takes the drain lock and reads the rows due, in one simple query;
   * undefined when another replica holds the lock. Rows waiting after a refusal are skipped until their
   * time: they never hold up the rows behind them.
   */
  private async lockAndRead(client: PoolClient): Promise<OutboxRow[] | undefined> {
    const { schema } = this.options;
    // Published rows stay in the partial index until vacuum; a bitmap scan visits every one of them on each
    // poll (measured: 5-15 ms once a few thousand accumulate), an index scan in id order marks them dead as
    // it passes, so the next poll skips them (~0.1 ms). The planner picks the bitmap scan unless told not to,
    // and the setting applies to the statement after it because a simple query plans each in turn.
    const results = (await client.query(
      `BEGIN; SET LOCAL enable_bitmapscan = off;
       WITH drain AS (SELECT pg_try_advisory_xact_lock(hashtext(${client.escapeLiteral(`outbox:${schema}`)})) AS locked)
       SELECT drain.locked, o.id, o.payload, o.attempts FROM drain LEFT JOIN LATERAL (
         SELECT id, payload, attempts FROM "${schema}".outbox
         WHERE drain.locked AND published_at IS NULL AND (next_attempt_at IS NULL OR next_attempt_at <= now())
         ORDER BY id LIMIT ${Math.trunc(this.batchSize)} FOR UPDATE SKIP LOCKED
       ) o ON true`,
    )) as unknown as QueryResult<{ locked: boolean } & Partial<OutboxRow>>[];
    const rows = results[results.length - 1]!.rows;
    if (!rows[0]?.locked) return undefined;
    return rows.filter((row): row is { locked: boolean } & OutboxRow => row.id != null);
  }

  /** Records a refusal: the row waits with backoff, or moves to the dead-letter table when it cannot succeed. */
  private async refused(manager: EntityManager, row: OutboxRow, refusal: OutboxRefusal): Promise<Refused> {
    const { schema } = this.options;
    const attempts = row.attempts + 1;
    const reason = refusal.message.slice(0, 500);
    if (refusal.kind === 'too_large' || attempts >= this.maxAttempts) {
      await manager.query(
        `WITH moved AS (DELETE FROM "${schema}".outbox WHERE id = $1 RETURNING id, event_id, type, payload, created_at)
         INSERT INTO "${schema}".outbox_dead_letter (id, event_id, type, organization_id, payload, attempts, reason, created_at)
         SELECT id, event_id, type, payload->>'organizationid', payload, $2, $3, created_at FROM moved
         ON CONFLICT (event_id) DO UPDATE SET id = EXCLUDED.id, payload = EXCLUDED.payload,
           attempts = EXCLUDED.attempts, reason = EXCLUDED.reason, dead_at = now()`,
        [row.id, attempts, reason],
      );
      return { row, kind: refusal.kind, attempts, reason, retryInMs: undefined };
    }
    const retryInMs = Math.min(MAX_RETRY_DELAY_MS, this.retryDelayMs * 2 ** (attempts - 1));
    await manager.query(
      `UPDATE "${schema}".outbox SET attempts = $2, last_error = $3,
         next_attempt_at = now() + ($4::bigint * interval '1 millisecond') WHERE id = $1`,
      [row.id, attempts, reason, retryInMs],
    );
    return { row, kind: refusal.kind, attempts, reason, retryInMs };
  }

  /** Counts and logs a committed refusal; the log identifies the event, never carries its data. */
  private report({ row, kind, attempts, reason, retryInMs }: Refused): void {
    const fields = {
      schema: this.options.schema,
      eventId: row.payload.id,
      type: row.payload.type,
      organizationId: row.payload.organizationid,
      attempts,
      reason,
    };
    this.refusedTotal += 1;
    if (retryInMs === undefined) {
      this.deadLetteredTotal[kind] += 1;
      this.options.logger.event('error', 'outbox event dead-lettered', fields);
    } else {
      this.options.logger.event('warn', 'outbox event refused; will retry', { ...fields, retryInMs });
    }
  }

  private async cleanup(): Promise<void> {
    const now = Date.now();
    if (now - this.lastCleanup < 60_000) return;
    this.lastCleanup = now;
    await sweepEventTables(this.options.dataSource, this.options.schema, this.retention);
  }

  private async listen(): Promise<void> {
    this.listener = await listenOn({
      url: this.options.url,
      channel: outboxChannel(this.options.schema),
      applicationName: `${this.options.schema}-outbox`,
      onNotification: () => this.kick(),
      onLost: (error, lost) => {
        this.options.logger.event('warn', 'outbox listener lost its connection', { error: error.message });
        if (this.listener === lost) this.listener = undefined;
      },
    });
  }
}
