import {
  AckPolicy,
  DeliverPolicy,
  headers as natsHeaders,
  nanos,
  type ConsumerMessages,
  type JsMsg,
  type NatsConnection,
} from 'nats';
import type { DataSource, EntityManager } from 'typeorm';
import { validateEvent, type CloudEvent, type StreamKey, type WireNames } from '@rocketlead/contracts';
import { withSpan, type JsonLogger } from '@rocketlead/observability';

export type EventHandler = (event: CloudEvent, manager: EntityManager) => Promise<void>;

export interface EventConsumerOptions {
  nc: NatsConnection;
  names: WireNames;
  dataSource: DataSource;
  schema: string;
  stream: StreamKey;
  /** Durable consumer name (before the namespace prefix); also the inbox key. */
  durable: string;
  /** Event types to receive, e.g. `table.entry.added`; empty = everything in the stream. */
  types?: string[];
  handler: EventHandler;
  logger: JsonLogger;
  maxAckPending?: number;
  ackWaitMs?: number;
  maxDeliver?: number;
}

const BACKOFF_MS = [1_000, 5_000, 15_000, 60_000];

/**
 * A durable pull consumer with explicit acks. Each event is validated, then handled in one transaction
 * together with its inbox row; poison messages are terminated and dead-lettered.
 */
export class EventConsumer {
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: EventConsumerOptions) {}

  async start(): Promise<void> {
    const { nc, names, stream, durable } = this.options;
    const jsm = await nc.jetstreamManager();
    const streamName = names.stream(stream).name;
    const consumerName = names.consumer(durable);
    const subjects = (this.options.types ?? []).map((t) => names.eventSubject(t));
    await jsm.consumers.add(streamName, {
      durable_name: consumerName,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_ack_pending: this.options.maxAckPending ?? 256,
      ack_wait: nanos(this.options.ackWaitMs ?? 30_000),
      max_deliver: this.options.maxDeliver ?? 5,
      ...(subjects.length === 1 ? { filter_subject: subjects[0] } : {}),
      ...(subjects.length > 1 ? { filter_subjects: subjects } : {}),
    });
    const consumer = await nc.jetstream().consumers.get(streamName, consumerName);
    this.messages = await consumer.consume({ max_messages: 64 });
    const messages = this.messages;
    this.loop = (async () => {
      for await (const msg of messages) await this.handle(msg);
    })();
  }

  /** Stops pulling and waits for the message in hand to finish. */
  async stop(): Promise<void> {
    this.messages?.stop();
    await this.loop?.catch(() => undefined);
  }

  private async handle(msg: JsMsg): Promise<void> {
    const { durable, logger } = this.options;
    let raw: unknown;
    try {
      raw = msg.json();
    } catch {
      return this.deadLetter(msg, 'payload is not JSON');
    }
    const checked = validateEvent(raw);
    if (!checked.ok) return this.deadLetter(msg, `invalid event: ${JSON.stringify(checked.errors)}`);
    const event = checked.value;
    try {
      await withSpan(`consume ${event.type}`, event.traceparent, 'consumer', () => this.handleOnce(event));
      msg.ack();
    } catch (error) {
      const attempt = msg.info.redeliveryCount;
      const max = this.options.maxDeliver ?? 5;
      logger.event('warn', 'event handler failed', {
        consumer: durable,
        eventId: event.id,
        attempt,
        error: (error as Error).message,
      });
      if (attempt >= max) return this.deadLetter(msg, (error as Error).message);
      msg.nak(BACKOFF_MS[Math.min(attempt - 1, BACKOFF_MS.length - 1)]);
    }
  }

  private async handleOnce(event: CloudEvent): Promise<void> {
    const { dataSource, schema, durable, handler } = this.options;
    await dataSource.transaction(async (manager) => {
      const inserted = (await manager.query(
        `INSERT INTO "${schema}".inbox (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`,
        [durable, event.id],
      )) as unknown[];
      if (inserted.length === 0) return; // already handled: a redelivery
      await handler(event, manager);
    });
  }

  private async deadLetter(msg: JsMsg, reason: string): Promise<void> {
    const { nc, names, durable, logger } = this.options;
    const h = natsHeaders();
    h.set('rl-dead-letter-reason', reason.slice(0, 1000));
    h.set('rl-original-subject', msg.subject);
    h.set('rl-consumer', durable);
    try {
      await nc.jetstream().publish(names.deadLetterSubject(durable), msg.data, { headers: h });
      msg.term(reason.slice(0, 200));
      logger.event('error', 'event dead-lettered', { consumer: durable, subject: msg.subject, reason });
    } catch (error) {
      // Could not record it: leave it for redelivery rather than lose it.
      logger.event('error', 'dead-letter publish failed', {
        consumer: durable,
        error: (error as Error).message,
      });
      msg.nak(BACKOFF_MS[BACKOFF_MS.length - 1]);
    }
  }
}
