import { describe, expect, it } from '@jest/globals';
import { ErrorCode, NatsError } from 'nats';
import type { DataSource } from 'typeorm';
import type { CloudEvent } from '@rocketlead/contracts';
import { JsonLogger } from '@rocketlead/observability';
import { classifyPublishError, OutboxRefusal, OutboxRelay, type OutboxPublisher } from './outbox-relay';

interface MemoryRow {
  id: string;
  payload: CloudEvent;
  published: boolean;
  attempts: number;
  lastError: string | null;
  /** Ready again once the test's clock reaches it. */
  readyAt: number;
}

// Unit level: an in-memory stand-in for the outbox table shows the relay's publish/mark/retry protocol.
// The same behaviour against real Postgres and NATS is covered in test/outbox.int-spec.ts.
class MemoryOutbox {
  rows: MemoryRow[] = [];
  dead: { id: string; attempts: number; reason: string }[] = [];
  marks: string[][] = [];
  now = 0;

  add(n: number): void {
    for (let i = 0; i < n; i++) {
      const id = String(this.rows.length + 1);
      this.rows.push({
        id,
        payload: { id: `e${id}`, type: 't', organizationid: 'o' } as CloudEvent,
        published: false,
        attempts: 0,
        lastError: null,
        readyAt: 0,
      });
    }
  }

  asDataSource(): DataSource {
    const mark = (ids: string[]): void => {
      this.marks.push(ids);
      for (const row of this.rows) if (ids.includes(row.id)) row.published = true;
    };
    // The relay's own statements: begin + lock + read as one simple query, mark + commit as another.
    const client = {
      escapeLiteral: (text: string) => `'${text}'`,
      query: (sql: string) => {
        if (sql.startsWith('BEGIN;')) {
          const limit = Number(/LIMIT (\d+)/.exec(sql)![1]);
          const due = this.rows.filter((r) => !r.published && r.readyAt <= this.now).slice(0, limit);
          const rows =
            due.length > 0 ? due.map((r) => ({ locked: true, ...r })) : [{ locked: true, id: null }];
          return Promise.resolve([{ rows: [] }, { rows: [] }, { rows }]);
        }
        const ids = /ANY\('\{([^}]*)\}'/.exec(sql);
        if (ids) mark(ids[1]!.split(','));
        return Promise.resolve({ rows: [] });
      },
    };
    // Refusals go through the runner's manager, on the same connection.
    const manager = {
      query: (sql: string, params: unknown[]) => {
        if (sql.startsWith('WITH moved')) {
          const [id, attempts, reason] = params as [string, number, string];
          this.rows = this.rows.filter((r) => r.id !== id);
          this.dead.push({ id, attempts, reason });
        } else if (sql.includes('SET attempts')) {
          const [id, attempts, reason, delayMs] = params as [string, number, string, number];
          const row = this.rows.find((r) => r.id === id)!;
          Object.assign(row, { attempts, lastError: reason, readyAt: this.now + delayMs });
        }
        return Promise.resolve([]);
      },
    };
    return {
      createQueryRunner: () => ({
        connect: () => Promise.resolve(client),
        manager,
        release: () => Promise.resolve(),
        releasePostgresConnection: () => Promise.resolve(),
      }),
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
    maxAttempts: 3,
    retryDelayMs: 1_000,
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

  it('keeps a row that NATS could not take, without counting an attempt, and publishes it later', async () => {
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
    expect(outbox.rows.map((r) => [r.id, r.published, r.attempts])).toEqual([
      ['1', true, 0],
      ['2', false, 0],
    ]);
    fail = false;
    await relay.flush();
    expect(outbox.rows.every((r) => r.published)).toBe(true);
    expect(published).toEqual(['e1', 'e2']);
    expect(outbox.dead).toEqual([]);
  });

  it('retries a refused row with backoff while the rows behind it go on, then dead-letters it', async () => {
    const outbox = new MemoryOutbox();
    outbox.add(4);
    const relay = relayFor(outbox, {
      publish: (event) =>
        event.id === 'e2'
          ? Promise.reject(new OutboxRefusal('refused', 'no stream accepts the subject'))
          : Promise.resolve(),
    });
    await relay.flush();
    // e2 waits for its next attempt; e1, e3 and e4 are out.
    expect(outbox.rows.filter((r) => r.published).map((r) => r.id)).toEqual(['1', '3', '4']);
    expect(outbox.rows.find((r) => r.id === '2')).toMatchObject({ attempts: 1, readyAt: 1_000 });
    outbox.now = 1_000;
    await relay.flush();
    expect(outbox.rows.find((r) => r.id === '2')).toMatchObject({ attempts: 2, readyAt: 3_000 });
    outbox.now = 3_000;
    await relay.flush();
    expect(outbox.rows.find((r) => r.id === '2')).toBeUndefined();
    expect(outbox.dead).toEqual([{ id: '2', attempts: 3, reason: 'no stream accepts the subject' }]);
    const { metrics } = await relay.collect();
    const value = (name: string, reason?: string) =>
      metrics.find((m) => m.name === name && (reason === undefined || m.labels?.reason === reason))?.value;
    expect(value('rocketlead_outbox_published_total')).toBe(3);
    expect(value('rocketlead_outbox_refused_total')).toBe(3);
    expect(value('rocketlead_outbox_dead_lettered_total', 'refused')).toBe(1);
  });

  it('dead-letters a row larger than the max payload at once', async () => {
    const outbox = new MemoryOutbox();
    outbox.add(3);
    const published: string[] = [];
    const relay = relayFor(outbox, {
      publish: (event) => {
        if (event.id === 'e1') return Promise.reject(new OutboxRefusal('too_large', 'event too large'));
        published.push(event.id);
        return Promise.resolve();
      },
    });
    await relay.flush();
    expect(published).toEqual(['e2', 'e3']);
    expect(outbox.dead).toEqual([{ id: '1', attempts: 1, reason: 'event too large' }]);
  });
});

describe('classifyPublishError', () => {
  it('counts what the server refuses, never a connection that cannot deliver', () => {
    expect(classifyPublishError(NatsError.errorForCode(ErrorCode.MaxPayloadExceeded))?.kind).toBe(
      'too_large',
    );
    expect(classifyPublishError(NatsError.errorForCode(ErrorCode.NoResponders))?.kind).toBe('refused');
    expect(classifyPublishError(NatsError.errorForCode(ErrorCode.PermissionsViolation))?.kind).toBe(
      'refused',
    );
    for (const code of [
      ErrorCode.Timeout,
      ErrorCode.ConnectionClosed,
      ErrorCode.ConnectionDraining,
      ErrorCode.Disconnect,
    ])
      expect(classifyPublishError(NatsError.errorForCode(code))).toBeUndefined();
    expect(classifyPublishError(new Error('anything else'))).toBeUndefined();
  });
});
