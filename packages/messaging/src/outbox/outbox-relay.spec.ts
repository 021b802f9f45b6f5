import { describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import type { CloudEvent } from '@rocketlead/contracts';
import { JsonLogger } from '@rocketlead/observability';
import { OutboxRelay, type OutboxPublisher } from './outbox-relay';

// Unit level: an in-memory stand-in for the outbox table shows the relay's publish/mark protocol.
// The same behaviour against real Postgres and NATS is covered in test/outbox.int-spec.ts.
class MemoryOutbox {
  rows: { id: string; payload: CloudEvent; published: boolean }[] = [];
  marks: string[][] = [];

  add(n: number): void {
    for (let i = 0; i < n; i++) {
      const id = String(this.rows.length + 1);
      this.rows.push({ id, payload: { id: `e${id}` } as CloudEvent, published: false });
    }
  }

  asDataSource(): DataSource {
    const manager = {
      query: (sql: string, params: unknown[]) => {
        if (sql.includes('pg_try_advisory_xact_lock')) return Promise.resolve([{ locked: true }]);
        if (sql.startsWith('SELECT id, payload')) {
          const limit = params[0] as number;
          return Promise.resolve(this.rows.filter((r) => !r.published).slice(0, limit));
        }
        if (sql.startsWith('UPDATE')) {
          const ids = params[0] as string[];
          this.marks.push(ids);
          for (const row of this.rows) if (ids.includes(row.id)) row.published = true;
        }
        return Promise.resolve([]);
      },
    };
    return {
      transaction: <T>(work: (m: typeof manager) => Promise<T>) => work(manager),
      query: () => Promise.resolve([]),
    } as unknown as DataSource;
  }
}

const logger = new JsonLogger('test', 'error', () => undefined);

function relayFor(outbox: MemoryOutbox, publisher: OutboxPublisher, batchSize = 2): OutboxRelay {
  return new OutboxRelay({
    dataSource: outbox.asDataSource(),
    url: 'postgres://unused',
    schema: 's',
    publisher,
    logger,
    batchSize,
  });
}

describe('OutboxRelay', () => {
  it('publishes every pending row in id order, batch by batch, marking a batch only after its publishes', async () => {
    const outbox = new MemoryOutbox();
    outbox.add(5);
    const published: string[] = [];
    const relay = relayFor(outbox, {
      publish: (event) => {
        // Nothing of this batch may be marked before its publish resolves.
        expect(outbox.rows.find((r) => r.payload.id === event.id)?.published).toBe(false);
        published.push(event.id);
        return Promise.resolve();
      },
    });
    await relay.flush();
    expect(published).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
    expect(outbox.marks).toEqual([['1', '2'], ['3', '4'], ['5']]);
  });

  it('leaves a batch unmarked when one publish fails, so it is published again later', async () => {
    const outbox = new MemoryOutbox();
    outbox.add(2);
    let fail = true;
    const published: string[] = [];
    const relay = relayFor(outbox, {
      publish: (event) => {
        if (fail && event.id === 'e2') return Promise.reject(new Error('no ack'));
        published.push(event.id);
        return Promise.resolve();
      },
    });
    await expect(relay.flush()).rejects.toThrow('no ack');
    expect(outbox.rows.every((r) => !r.published)).toBe(true);
    fail = false;
    await relay.flush();
    expect(outbox.rows.every((r) => r.published)).toBe(true);
    // e1 went out twice; the stream drops the second copy by its Nats-Msg-Id.
    expect(published).toEqual(['e1', 'e1', 'e2']);
  });
});
