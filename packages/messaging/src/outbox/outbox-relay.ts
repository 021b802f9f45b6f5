import { Client } from 'pg';
import { headers as natsHeaders, type JetStreamClient } from 'nats';
import type { DataSource } from 'typeorm';
import type { CloudEvent, WireNames } from '@rocketlead/contracts';
import type { JsonLogger } from '@rocketlead/observability';
import { outboxChannel } from './outbox-writer';

export interface OutboxPublisher {
  publish(event: CloudEvent): Promise<void>;
}

/** Publishes to JetStream with Nats-Msg-Id = event id, so a re-publish after a crash is de-duplicated. */
export class JetStreamOutboxPublisher implements OutboxPublisher {
  constructor(
    private readonly js: JetStreamClient,
    private readonly names: WireNames,
    private readonly timeoutMs = 5_000,
  ) {}

  async publish(event: CloudEvent): Promise<void> {
    const h = natsHeaders();
    if (event.traceparent) h.set('traceparent', event.traceparent);
    h.set('content-type', 'application/cloudevents+json');
    await this.js.publish(this.names.eventSubject(event.type), JSON.stringify(event), {
      msgID: event.id,
      headers: h,
      timeout: this.timeoutMs,
    });
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
  /** Published rows older than this are deleted by the relay. */
  retentionMs?: number;
  /** Pause before draining again when more commits arrived during a drain. */
  coalesceMs?: number;
}

const LOCKED_ELSEWHERE = -1;

interface OutboxRow {
  id: string;
  payload: CloudEvent;
}

/**
 * Moves committed outbox rows to JetStream in id order. Woken by NOTIFY, with a poll as fallback;
 * one replica drains at a time (advisory lock), rows are marked published only after the stream acks.
 */
export class OutboxRelay {
  private listener: Client | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private failures = 0;
  private lastCleanup = 0;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly retentionMs: number;
  private readonly coalesceMs: number;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.retentionMs = options.retentionMs ?? 24 * 60 * 60 * 1000;
    this.coalesceMs = options.coalesceMs ?? 10;
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

  /** Drains until the outbox is empty; resolves when every row committed before the call is published. */
  async flush(): Promise<void> {
    for (;;) {
      const published = await this.publishBatch();
      if (published === 0) return;
      if (published === LOCKED_ELSEWHERE) await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private async drainLoop(): Promise<void> {
    try {
      let published = 0;
      do {
        published = await this.publishBatch();
      } while (!this.stopped && published === this.batchSize); // a full batch: more may be waiting
      // Another replica holds the drain lock: look again shortly rather than waiting for the poll.
      if (published === LOCKED_ELSEWHERE) this.again = true;
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

  /** Publishes one batch inside a transaction; returns how many rows it published. */
  private async publishBatch(): Promise<number> {
    const { dataSource, schema, publisher } = this.options;
    return dataSource.transaction(async (manager) => {
      const [{ locked }] = (await manager.query('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [
        `outbox:${schema}`,
      ])) as [{ locked: boolean }];
      if (!locked) return LOCKED_ELSEWHERE;
      const rows = (await manager.query(
        `SELECT id, payload FROM "${schema}".outbox WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.batchSize],
      )) as OutboxRow[];
      if (rows.length === 0) return 0;
      // Sent in id order on one connection; acks are awaited together.
      await Promise.all(rows.map((row) => publisher.publish(row.payload)));
      await manager.query(`UPDATE "${schema}".outbox SET published_at = now() WHERE id = ANY($1::bigint[])`, [
        rows.map((row) => row.id),
      ]);
      return rows.length;
    });
  }

  private async cleanup(): Promise<void> {
    const now = Date.now();
    if (now - this.lastCleanup < 60_000) return;
    this.lastCleanup = now;
    await this.options.dataSource.query(
      `DELETE FROM "${this.options.schema}".outbox WHERE published_at < now() - ($1::bigint * interval '1 millisecond')`,
      [this.retentionMs],
    );
  }

  private async listen(): Promise<void> {
    const client = new Client({
      connectionString: this.options.url,
      application_name: `${this.options.schema}-outbox`,
    });
    client.on('notification', () => this.kick());
    client.on('error', (error) => {
      this.options.logger.event('warn', 'outbox listener lost its connection', { error: error.message });
      if (this.listener === client) this.listener = undefined;
      client.end().catch(() => undefined);
    });
    await client.connect();
    await client.query(`LISTEN "${outboxChannel(this.options.schema)}"`);
    this.listener = client;
  }
}
