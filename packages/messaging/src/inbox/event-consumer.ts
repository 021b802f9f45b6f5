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
import { GroupCommit, Slots } from '@rocketlead/persistence';

export type EventHandler = (event: CloudEvent, manager: EntityManager) => Promise<void>;
export type BatchEventHandler = (events: CloudEvent[], manager: EntityManager) => Promise<void>;

/**
 * Thrown by a handler for an event that can never be handled (it is wrong, not the infrastructure): the
 * message is terminated and recorded in the dead-letter stream. Every other error is treated as transient.
 */
export class PermanentEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentEventError';
  }
}

export interface EventConsumerOptions {
  nc: NatsConnection;
  names: WireNames;
  dataSource: DataSource;
  schema: string;
  stream: StreamKey;
  /** Durable consumer name (before the namespace prefix); also the inbox key. */
  durable: string;
  /** Event types to handle, e.g. `table.entry.added`; empty = everything in the stream. */
  types?: string[];
  /** Runs in one transaction with the inbox row; skipped when this consumer already handled the event. */
  handler: EventHandler;
  /**
   * Optional, with the inbox: events that are ready while earlier transactions are still committing (or in
   * the same turn) are handled together by this, in one transaction with all their inbox rows (events already
   * handled are left out), so that under load one commit serves many events (`GroupCommit`). An event alone is
   * handled at once through `handler`; so is each event of a batch that failed, so that an error is only its
   * own event's. Events in one batch never share an ordering key.
   */
  batchHandler?: BatchEventHandler;
  /** Most events in one batch (default 32). */
  maxBatch?: number;
  /** Batch transactions in progress at once (default 4). */
  batchTransactions?: number;
  /**
   * false: no inbox row and no transaction; the handler gets the pool's manager and must be idempotent on
   * its own (e.g. one statement guarded by a unique key), since a redelivered event runs it again. Saves
   * three round trips and a write per event for such handlers. Default true.
   */
  inbox?: boolean;
  /**
   * Asked before anything else: false = the event concerns nothing this consumer keeps, so it is acked
   * without a transaction or an inbox row (e.g. no automation of the organization listens to its type).
   */
  relevant?: (event: CloudEvent) => Promise<boolean>;
  /**
   * Runs after that transaction commits, and again on every redelivery of an event already handled: work
   * that must finish before the ack but cannot share the transaction (it resumes where it stopped).
   */
  afterCommit?: (event: CloudEvent) => Promise<void>;
  /**
   * Called once this process is done with an event: acked (handled, or not relevant), dead-lettered, or
   * handed back when the consumer stops. For what a consumer keeps per event between `relevant`, `handler`
   * and `afterCommit`, which an event that ends in a dead letter never reaches.
   */
  settled?: (event: CloudEvent) => void;
  /**
   * Events with the same key are handled one at a time, in stream order (e.g. the lead they are about);
   * different keys in parallel. Without it, every event is its own key.
   */
  orderingKey?: (event: CloudEvent) => string | null;
  /** Events in progress at once (default 32). */
  concurrency?: number;
  logger: JsonLogger;
  maxAckPending?: number;
  ackWaitMs?: number;
  /** Longest wait between two attempts of a transient failure (default 30 s). */
  maxBackoffMs?: number;
}

const FIRST_BACKOFF_MS = 250;

// Acks are on nobody's critical path (the ack wait is 30 s, and a lost ack is a redelivery the inbox or an
// idempotent handler absorbs), so every consumer of the process sends them together every ACK_FLUSH_MS.
// nats.js writes what one turn queued as one socket write: a write (and a server wake-up) per flush instead
// of one per handler that happened to finish in its own turn.
const ACK_FLUSH_MS = 10;

class AckBatch {
  private pending: JsMsg[] = [];
  private timer: NodeJS.Timeout | undefined;

  add(msg: JsMsg): void {
    this.pending.push(msg);
    this.timer ??= setTimeout(() => this.flush(), ACK_FLUSH_MS);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    for (const msg of batch) {
      try {
        msg.ack();
      } catch {
        // Connection closing: redelivered after its ack deadline, and the inbox (or an idempotent handler)
        // makes the second delivery a no-op.
      }
    }
  }
}

const acks = new AckBatch();

/**
 * A durable pull consumer with explicit acks. Each event is validated, then handled in one transaction
 * together with its inbox row, so a redelivery is a no-op. Failures are sorted in two:
 * - an invalid payload or a PermanentEventError: terminated and dead-lettered at once;
 * - anything else (Postgres or NATS unavailable, a timeout): retried with exponential backoff while the
 *   message is held and its ack deadline extended, so later events of the same key never overtake it and the
 *   failure never counts toward dead-lettering (the consumer has no delivery limit). Held messages are
 *   nak'ed when the consumer stops, and come back to whichever replica pulls next.
 * Works on nats-server 2.9: one consumer filters at most one subject there, so several `types` are
 * filtered here (the others are acked unread).
 */
export class EventConsumer {
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private readonly tails = new Map<string, Promise<void>>();
  private readonly inProgress = new Set<Promise<void>>();
  // The consume loop takes a slot per message, so at most `concurrency` are in progress.
  private readonly slots: Slots;
  private readonly wakeUps = new Set<() => void>();
  // Messages being handled (or waiting for a retry): one ticker keeps them all ours.
  private readonly held = new Set<JsMsg>();
  private heartbeat: NodeJS.Timeout | undefined;
  private stopping = false;
  private readonly batcher: GroupCommit<CloudEvent> | undefined;

  constructor(private readonly options: EventConsumerOptions) {
    this.slots = new Slots(options.concurrency ?? 32);
    const { batchHandler } = options;
    if (batchHandler && options.inbox !== false)
      this.batcher = new GroupCommit<CloudEvent>({
        writeGroup: async (events) => {
          await this.commit(events, batchHandler);
          return events.map(() => undefined);
        },
        writeOne: (event) => this.commitOne(event),
        maxGroup: options.maxBatch ?? 32,
        maxInFlight: options.batchTransactions ?? 4,
      });
  }

  private get ackWaitMs(): number {
    return this.options.ackWaitMs ?? 30_000;
  }

  async start(): Promise<void> {
    const { nc, names, stream, durable } = this.options;
    const jsm = await nc.jetstreamManager();
    const streamName = names.stream(stream).name;
    const consumerName = names.consumer(durable);
    const types = this.options.types ?? [];
    const concurrency = this.options.concurrency ?? 32;
    await jsm.consumers.add(streamName, {
      durable_name: consumerName,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_ack_pending: this.options.maxAckPending ?? Math.max(256, concurrency * 4),
      ack_wait: nanos(this.ackWaitMs),
      // Transient failures are retried without limit; only permanent ones are dead-lettered (by us).
      max_deliver: -1,
      ...(types.length === 1 ? { filter_subject: names.eventSubject(types[0]!) } : {}),
    });
    const consumer = await nc.jetstream().consumers.get(streamName, consumerName);
    this.messages = await consumer.consume({ max_messages: Math.min(256, concurrency * 2) });
    const messages = this.messages;
    this.heartbeat = setInterval(() => this.extendHeld(), this.heartbeatMs);
    this.heartbeat.unref();
    this.loop = (async () => {
      for await (const msg of messages) {
        await this.slots.acquire();
        if (this.stopping) {
          msg.nak();
          this.slots.release();
          continue;
        }
        this.dispatch(msg);
      }
    })();
  }

  /** Stops pulling, ends retries (their messages are nak'ed) and waits for the events in hand. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of this.wakeUps) wake();
    this.messages?.stop();
    await this.loop?.catch(() => undefined);
    await Promise.allSettled([...this.inProgress]);
    clearInterval(this.heartbeat);
    acks.flush();
  }

  private get heartbeatMs(): number {
    return Math.max(1_000, Math.floor(this.ackWaitMs / 3));
  }

  /** Extends every message in hand: each gets its first extension within one beat, well inside its ack wait. */
  private extendHeld(): void {
    for (const msg of this.held) {
      try {
        msg.working();
      } catch {
        // Connection closing: the message is redelivered after its ack deadline.
      }
    }
  }

  private ack(msg: JsMsg): void {
    acks.add(msg);
  }

  private dispatch(msg: JsMsg): void {
    const event = this.parse(msg);
    let work: Promise<void>;
    if (!event) {
      work = Promise.resolve();
    } else {
      const key = this.options.orderingKey?.(event) ?? `event:${event.id}`;
      const previous = this.tails.get(key) ?? Promise.resolve();
      work = previous.catch(() => undefined).then(() => this.process(msg, event));
      this.tails.set(key, work);
      void work.finally(() => {
        if (this.tails.get(key) === work) this.tails.delete(key);
      });
    }
    const tracked = work
      .catch(() => undefined)
      .finally(() => {
        this.slots.release();
        this.inProgress.delete(tracked);
      });
    this.inProgress.add(tracked);
  }

  /** The validated event, or null when the message was dealt with here (dead-lettered or filtered out). */
  private parse(msg: JsMsg): CloudEvent | null {
    let raw: unknown;
    try {
      raw = msg.json();
    } catch {
      void this.deadLetter(msg, 'payload is not JSON');
      return null;
    }
    const checked = validateEvent(raw);
    if (!checked.ok) {
      void this.deadLetter(msg, `invalid event: ${JSON.stringify(checked.errors).slice(0, 800)}`);
      return null;
    }
    const types = this.options.types ?? [];
    if (types.length > 1 && !types.includes(checked.value.type)) {
      this.ack(msg);
      return null;
    }
    return checked.value;
  }

  private async process(msg: JsMsg, event: CloudEvent): Promise<void> {
    const { durable, logger } = this.options;
    // Kept ours by the heartbeat while it is handled or waiting for a retry.
    this.held.add(msg);
    try {
      for (let attempt = 1; ; attempt += 1) {
        try {
          if (this.options.relevant && !(await this.options.relevant(event))) {
            this.ack(msg);
            return;
          }
          await withSpan(`consume ${event.type}`, event.traceparent, 'consumer', () =>
            this.handleOnce(event),
          );
          this.ack(msg);
          return;
        } catch (error) {
          if (error instanceof PermanentEventError) return await this.deadLetter(msg, error.message);
          logger.event('warn', 'event handler failed, will retry', {
            consumer: durable,
            eventId: event.id,
            attempt,
            error: (error as Error).message,
          });
          if (this.stopping) {
            msg.nak();
            return;
          }
          await this.backoff(attempt);
          if (this.stopping) {
            msg.nak();
            return;
          }
        }
      }
    } finally {
      this.held.delete(msg);
      this.options.settled?.(event);
    }
  }

  private backoff(attempt: number): Promise<void> {
    const max = this.options.maxBackoffMs ?? 30_000;
    const ms = Math.min(max, FIRST_BACKOFF_MS * 2 ** (attempt - 1));
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.wakeUps.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakeUps.add(wake);
    });
  }

  private async handleOnce(event: CloudEvent): Promise<void> {
    const { dataSource, handler, afterCommit } = this.options;
    if (this.options.inbox === false) await handler(event, dataSource.manager);
    else if (this.batcher) await this.batcher.write(event);
    else await this.commitOne(event);
    if (afterCommit) await afterCommit(event);
  }

  private commitOne(event: CloudEvent): Promise<void> {
    const { handler } = this.options;
    return this.commit([event], ([fresh], manager) => handler(fresh!, manager));
  }

  /** One transaction: the events' inbox rows, then the handler for those not handled before (a redelivery). */
  private commit(events: CloudEvent[], handler: BatchEventHandler): Promise<void> {
    const { dataSource, schema, durable } = this.options;
    return dataSource.transaction(async (manager) => {
      const inserted = (await manager.query(
        `INSERT INTO "${schema}".inbox (consumer, event_id) SELECT $1, unnest($2::uuid[])
         ON CONFLICT DO NOTHING RETURNING event_id`,
        [durable, events.map((e) => e.id)],
      )) as { event_id: string }[];
      const fresh = new Set(inserted.map((row) => row.event_id));
      const todo = events.filter((e) => fresh.has(e.id.toLowerCase()));
      if (todo.length > 0) await handler(todo, manager);
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
      // No reason on the TERM: nats-server 2.9 ignores a TERM that carries one, leaving the message pending
      // until its ack wait and then redelivering it. The reason travels in the dead letter's header.
      msg.term();
      logger.event('error', 'event dead-lettered', { consumer: durable, subject: msg.subject, reason });
    } catch (error) {
      // Could not record it: leave it for redelivery rather than lose it.
      logger.event('error', 'dead-letter publish failed', {
        consumer: durable,
        error: (error as Error).message,
      });
      msg.nak(30_000);
    }
  }
}
