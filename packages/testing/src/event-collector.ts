import { AckPolicy, DeliverPolicy, nanos, type NatsConnection } from 'nats';
import { eventually } from './eventually';

export interface CollectedEvent {
  subject: string;
  seq: number;
  headers: Record<string, string>;
  body: Record<string, unknown> & { id: string; type: string; data: Record<string, unknown> };
}

/** Reads every message of a stream (ordered, ephemeral consumer) into memory, for assertions. */
export class EventCollector {
  readonly events: CollectedEvent[] = [];
  private stopFn: (() => void) | undefined;
  private done: Promise<void> | undefined;

  static async start(nc: NatsConnection, stream: string): Promise<EventCollector> {
    const collector = new EventCollector();
    const js = nc.jetstream();
    const jsm = await nc.jetstreamManager();
    await eventually(() => jsm.streams.info(stream).then(() => true), { message: `stream ${stream} exists` });
    // An ephemeral pull consumer: nats.js ordered consumers stall against the 2.9 server used here.
    const info = await jsm.consumers.add(stream, {
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.All,
      inactive_threshold: nanos(5 * 60_000),
    });
    const consumer = await js.consumers.get(stream, info.name);
    const messages = await consumer.consume();
    collector.stopFn = () => messages.stop();
    collector.done = (async () => {
      for await (const m of messages) {
        const headers: Record<string, string> = {};
        for (const [k, v] of m.headers ?? []) headers[k] = v.join(',');
        collector.events.push({ subject: m.subject, seq: m.seq, headers, body: m.json() });
      }
    })();
    return collector;
  }

  ofType(type: string): CollectedEvent[] {
    return this.events.filter((e) => e.body.type === type);
  }

  async waitFor(
    predicate: (e: CollectedEvent) => boolean,
    timeoutMs = 10_000,
    count = 1,
  ): Promise<CollectedEvent[]> {
    return eventually(
      () => {
        const found = this.events.filter(predicate);
        return found.length >= count ? found : undefined;
      },
      { timeoutMs, message: 'expected events' },
    );
  }

  async stop(): Promise<void> {
    this.stopFn?.();
    await this.done?.catch(() => undefined);
  }
}
