import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NatsConnection } from 'nats';
import { DataSource, type EntityManager } from 'typeorm';
import { createEvent, uuidv7, type CloudEvent, type WireNames } from '@rocketlead/contracts';
import { JsonLogger } from '@rocketlead/observability';
import { createServiceDataSource, migrate } from '@rocketlead/persistence';
import { EventCollector, eventually, startTestEnvironment, type TestEnvironment } from '@rocketlead/testing';
import {
  deleteStreams,
  ensureStreams,
  EventConsumer,
  InboxEntity,
  OutboxEntity,
  PermanentEventError,
  type EventConsumerOptions,
} from '../src';
import { MESSAGING_TEST_MIGRATIONS } from './messaging-test.migration';

const SCHEMA = 'msgtest';
const logger = new JsonLogger('messaging-test', 'error');

function stateChanged(org: string, entryId: string, n: number): CloudEvent {
  return createEvent({
    type: 'table.entry.leadState.changed',
    source: '/test',
    subject: `${entryId}:${n}`,
    data: { entryId, tableId: uuidv7(), from: null, to: uuidv7() },
    actor: {
      organizationId: org,
      channel: 'system',
      apiTokenId: null,
      memberId: null,
      correlationId: `c-${n}`,
      traceparent: null,
    },
  });
}

describe('event consumer (real Postgres and NATS)', () => {
  let environment: TestEnvironment;
  let dataSource: DataSource;
  let nc: NatsConnection;
  let names: WireNames;
  let deadLetters: EventCollector;

  const publish = async (event: CloudEvent): Promise<void> => {
    await nc.jetstream().publish(names.eventSubject(event.type), JSON.stringify(event), { msgID: event.id });
  };

  /** Waits until the consumer holds `count` messages delivered and not yet acked (all in its hands). */
  const inHand = async (durable: string, count: number): Promise<void> => {
    const jsm = await nc.jetstreamManager();
    await eventually(
      async () =>
        (await jsm.consumers.info(names.stream('LEADS').name, names.consumer(durable))).num_ack_pending >=
        count,
      { timeoutMs: 10_000, message: `${count} messages in hand` },
    );
  };

  /** A consumer of this test's organization only (other tests' events are acked unread). */
  async function consuming(
    org: string,
    options: Partial<EventConsumerOptions> & Pick<EventConsumerOptions, 'handler'>,
    body: () => Promise<void>,
  ): Promise<void> {
    const handler = options.handler;
    const consumer = new EventConsumer({
      nc,
      names,
      dataSource,
      schema: SCHEMA,
      stream: 'LEADS',
      durable: `consumer-${uuidv7().slice(-12)}`,
      logger,
      maxBackoffMs: 200,
      ...options,
      handler: (event, manager) =>
        event.organizationid === org ? handler(event, manager) : Promise.resolve(),
    });
    await consumer.start();
    try {
      await body();
    } finally {
      await consumer.stop();
    }
  }

  beforeAll(async () => {
    environment = await startTestEnvironment({ name: 'consumer', deleteStreams });
    ({ nc, names } = environment);
    dataSource = createServiceDataSource({
      url: environment.db.url,
      schema: SCHEMA,
      entities: [OutboxEntity, InboxEntity],
      migrations: MESSAGING_TEST_MIGRATIONS,
    });
    await migrate(dataSource);
    await dataSource.initialize();
    environment.onStop(() => dataSource.destroy());
    await ensureStreams(nc, names);
    deadLetters = await environment.collect('DEAD_LETTER');
  }, 120_000);

  afterAll(() => environment?.stop(), 120_000);

  it('retries an infrastructure failure until it succeeds, without dead-lettering it and keeping the order of its key', async () => {
    const org = uuidv7();
    const lead = uuidv7();
    const other = uuidv7();
    const handled: string[] = [];
    let failures = 0;
    const events = [stateChanged(org, lead, 1), stateChanged(org, other, 1), stateChanged(org, lead, 2)];
    await consuming(
      org,
      {
        // More failures than the old delivery limit of 5: none of them may count toward dead-lettering.
        handler: (event) => {
          if (event.id === events[0]!.id && failures < 7) {
            failures += 1;
            return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
          }
          handled.push(event.subject);
          return Promise.resolve();
        },
        orderingKey: (event) => (event.data as { entryId: string }).entryId,
      },
      async () => {
        for (const event of events) await publish(event);
        await eventually(() => handled.length === 3, { timeoutMs: 20_000, message: 'all three handled' });
      },
    );
    expect(failures).toBe(7);
    // The other lead did not wait for the failing one; the failing lead's second event waited for its first.
    expect(handled.indexOf(`${other}:1`)).toBe(0);
    expect(handled.slice(1)).toEqual([`${lead}:1`, `${lead}:2`]);
    expect(deadLetters.events.filter((e) => e.body.organizationid === org)).toHaveLength(0);
  });

  it('dead-letters a permanent failure at once with its reason, settles it, and goes on with the next event', async () => {
    const org = uuidv7();
    const lead = uuidv7();
    const handled: string[] = [];
    const settled: string[] = [];
    let calls = 0;
    const [bad, good] = [stateChanged(org, lead, 1), stateChanged(org, lead, 2)];
    const durable = `consumer-term-${uuidv7().slice(-12)}`;
    await consuming(
      org,
      {
        durable,
        settled: (event) => {
          if (event.organizationid === org) settled.push(event.id);
        },
        handler: (event) => {
          if (event.id === bad.id) {
            calls += 1;
            return Promise.reject(new PermanentEventError('no such automation step'));
          }
          handled.push(event.subject);
          return Promise.resolve();
        },
        orderingKey: (event) => (event.data as { entryId: string }).entryId,
      },
      async () => {
        await publish(bad);
        await publish(good);
        await eventually(() => handled.includes(good.subject), {
          timeoutMs: 10_000,
          message: 'next handled',
        });
        // The dead-lettered message is released by the server at once (terminated), not redelivered after
        // the ack wait: nothing stays pending on the consumer.
        const jsm = await nc.jetstreamManager();
        await eventually(
          async () => {
            const info = await jsm.consumers.info(names.stream('LEADS').name, names.consumer(durable));
            return info.num_ack_pending === 0 && info.num_pending === 0;
          },
          { timeoutMs: 10_000, message: 'no message left pending on the consumer' },
        );
      },
    );
    const [letter] = await deadLetters.waitFor((e) => e.body.id === bad.id, 10_000);
    expect(letter!.headers['rl-dead-letter-reason']).toBe('no such automation step');
    expect(calls).toBe(1);
    // Each is settled once, the dead-lettered one included (what was kept for it can be dropped).
    expect(settled).toEqual([bad.id, good.id]);
  });

  it('runs afterCommit after the inbox transaction and again on a redelivery of a handled event', async () => {
    const org = uuidv7();
    const event = stateChanged(org, uuidv7(), 1);
    let handled = 0;
    let after = 0;
    await consuming(
      org,
      {
        handler: () => {
          handled += 1;
          return Promise.resolve();
        },
        afterCommit: (e) => {
          if (e.id === event.id) after += 1;
          return Promise.resolve();
        },
      },
      async () => {
        await publish(event);
        await eventually(() => after === 1, { timeoutMs: 10_000, message: 'afterCommit ran' });
        // The same event again as a new stream message (beyond the dedupe window, as after a replay).
        await nc.jetstream().publish(names.eventSubject(event.type), JSON.stringify(event));
        await eventually(() => after === 2, { timeoutMs: 10_000, message: 'afterCommit ran again' });
      },
    );
    expect(handled).toBe(1);
  });

  it('acks an event its consumer finds irrelevant without a transaction or an inbox row', async () => {
    const org = uuidv7();
    const [skipped, kept] = [stateChanged(org, uuidv7(), 1), stateChanged(org, uuidv7(), 2)];
    const handled: string[] = [];
    const durable = `consumer-${uuidv7().slice(-12)}`;
    await consuming(
      org,
      {
        durable,
        relevant: (event) => Promise.resolve(event.organizationid === org && event.id !== skipped.id),
        handler: (event) => {
          handled.push(event.id);
          return Promise.resolve();
        },
      },
      async () => {
        await publish(skipped);
        await publish(kept);
        await eventually(() => handled.includes(kept.id), { timeoutMs: 10_000, message: 'kept handled' });
      },
    );
    expect(handled).toEqual([kept.id]);
    const inbox = (await dataSource.query(`SELECT event_id FROM ${SCHEMA}.inbox WHERE consumer = $1`, [
      durable,
    ])) as { event_id: string }[];
    expect(inbox.map((r) => r.event_id)).toEqual([kept.id]);
    // Acked: nothing is pending or waiting for redelivery on the consumer.
    const info = await (
      await nc.jetstreamManager()
    ).consumers.info(names.stream('LEADS').name, names.consumer(durable));
    expect(info.num_ack_pending).toBe(0);
  });

  it('without an inbox, runs an idempotent handler outside a transaction, again on a redelivery', async () => {
    const org = uuidv7();
    const event = stateChanged(org, uuidv7(), 1);
    const durable = `consumer-${uuidv7().slice(-12)}`;
    const seen: { id: string; inTransaction: boolean }[] = [];
    const after: string[] = [];
    await consuming(
      org,
      {
        durable,
        inbox: false,
        handler: (e, manager) => {
          seen.push({ id: e.id, inTransaction: manager.queryRunner?.isTransactionActive ?? false });
          return Promise.resolve();
        },
        afterCommit: (e) => {
          if (e.organizationid === org) after.push(e.id);
          return Promise.resolve();
        },
      },
      async () => {
        await publish(event);
        // The same event again as a new message: with no inbox the handler decides (here it runs twice).
        await nc
          .jetstream()
          .publish(names.eventSubject(event.type), JSON.stringify(event), { msgID: uuidv7() });
        await eventually(() => after.length === 2, { timeoutMs: 10_000, message: 'both handled' });
      },
    );
    expect(seen).toEqual([
      { id: event.id, inTransaction: false },
      { id: event.id, inTransaction: false },
    ]);
    const inbox = (await dataSource.query(`SELECT 1 FROM ${SCHEMA}.inbox WHERE consumer = $1`, [
      durable,
    ])) as unknown[];
    expect(inbox).toHaveLength(0);
  });

  it('handles events that wait for a transaction together, with their inbox rows, leaving out a redelivery', async () => {
    const org = uuidv7();
    const durable = `consumer-batch-${uuidv7().slice(-12)}`;
    const first = stateChanged(org, uuidv7(), 0);
    const burst = Array.from({ length: 20 }, (_, n) => stateChanged(org, uuidv7(), n + 1));
    const batches: string[][] = [];
    const inboxSeen: number[] = [];
    let release: () => void = () => undefined;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const record = async (events: CloudEvent[], manager: EntityManager): Promise<void> => {
      const own = events.filter((e) => e.organizationid === org);
      if (own.length === 0) return;
      batches.push(own.map((e) => e.id));
      // The inbox rows are written in this transaction, before the handler.
      const rows = (await manager.query(
        `SELECT count(*)::int AS n FROM ${SCHEMA}.inbox WHERE consumer = $1 AND event_id = ANY($2::uuid[])`,
        [durable, own.map((e) => e.id)],
      )) as { n: number }[];
      inboxSeen.push(rows[0]!.n);
      // The first burst event holds its transaction until every other one is in hand.
      if (own.some((e) => e.id === burst[0]!.id)) await blocked;
    };
    await consuming(
      org,
      {
        durable,
        maxBatch: 8,
        batchTransactions: 1,
        handler: (event, manager) => record([event], manager),
        batchHandler: record,
      },
      async () => {
        await publish(first);
        await eventually(() => batches.length === 1, { timeoutMs: 10_000, message: 'first handled' });
        // Published again as a new message: handled already, it is left out of its batch.
        await nc.jetstream().publish(names.eventSubject(first.type), JSON.stringify(first));
        for (const event of burst) await publish(event);
        await inHand(durable, burst.length);
        release();
        const all = new Set([first, ...burst].map((e) => e.id));
        await eventually(() => batches.flat().filter((id) => all.has(id)).length >= all.size, {
          timeoutMs: 10_000,
          message: 'every event handled',
        });
      },
    );
    const handled = batches.flat();
    expect(new Set(handled).size).toBe(handled.length);
    expect(handled.sort()).toEqual([first, ...burst].map((e) => e.id).sort());
    expect(Math.max(...batches.map((b) => b.length))).toBeGreaterThan(1);
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(8);
    expect(inboxSeen).toEqual(batches.map((b) => b.length));
  });

  it('after a failed batch, handles each of its events alone: only the bad one is dead-lettered', async () => {
    const org = uuidv7();
    const durable = `consumer-batch-${uuidv7().slice(-12)}`;
    const events = Array.from({ length: 12 }, (_, n) => stateChanged(org, uuidv7(), n));
    const bad = events[5]!;
    const alone: string[] = [];
    const batched: string[] = [];
    let release: () => void = () => undefined;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    await consuming(
      org,
      {
        durable,
        batchTransactions: 1,
        handler: async (event) => {
          if (event.id === bad.id) throw new PermanentEventError('bad lead');
          // The first event holds the only transaction until the others are in hand: they form one batch.
          if (event.id === events[0]!.id) await blocked;
          alone.push(event.id);
        },
        batchHandler: async (batch) => {
          const own = batch.filter((e) => e.organizationid === org);
          if (own.some((e) => e.id === bad.id)) throw new PermanentEventError('bad lead');
          if (own.some((e) => e.id === events[0]!.id)) await blocked;
          batched.push(...own.map((e) => e.id));
        },
      },
      async () => {
        for (const event of events) await publish(event);
        await inHand(durable, events.length);
        release();
        await eventually(() => alone.length + batched.length === events.length - 1, {
          timeoutMs: 10_000,
          message: 'every good event handled',
        });
        await deadLetters.waitFor((e) => e.body.id === bad.id, 10_000);
      },
    );
    // Beside the first event, which came alone: the batch that held the bad event failed, and its other
    // events were handled alone.
    expect(alone.length).toBeGreaterThan(1);
    const handled = [...alone, ...batched];
    expect(handled.sort()).toEqual(
      events
        .filter((e) => e !== bad)
        .map((e) => e.id)
        .sort(),
    );
    const inbox = (await dataSource.query(
      `SELECT event_id FROM ${SCHEMA}.inbox WHERE consumer = $1 AND event_id = ANY($2::uuid[])`,
      [durable, events.map((e) => e.id)],
    )) as { event_id: string }[];
    expect(inbox.map((r) => r.event_id).sort()).toEqual(handled.sort());
  });

  it('keeps a message whose handler outlasts the ack wait (no redelivery) and acks many events of one turn', async () => {
    const org = uuidv7();
    const durable = `consumer-${uuidv7().slice(-12)}`;
    const ackWaitMs = 1_500;
    const calls: string[] = [];
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const slow = stateChanged(org, uuidv7(), 0);
    const quick = Array.from({ length: 50 }, (_, n) => stateChanged(org, uuidv7(), n + 1));
    const streamName = names.stream('LEADS').name;
    const consumerInfo = () =>
      nc.jetstreamManager().then((jsm) => jsm.consumers.info(streamName, names.consumer(durable)));
    await consuming(
      org,
      {
        durable,
        inbox: false,
        ackWaitMs,
        handler: async (e) => {
          calls.push(e.id);
          if (e.id === slow.id) await released;
        },
      },
      async () => {
        const startedAt = Date.now();
        await publish(slow);
        await eventually(() => calls.includes(slow.id), {
          timeoutMs: 10_000,
          message: 'slow handler started',
        });
        await Promise.all(quick.map((e) => publish(e)));
        // Every quick event is acked while the slow one is still in hand.
        await eventually(
          async () => {
            const info = await consumerInfo();
            return quick.every((e) => calls.includes(e.id)) && info.num_ack_pending === 1;
          },
          { timeoutMs: 10_000, message: 'quick events acked' },
        );
        // Held for three ack waits: without the heartbeat it would have been redelivered twice by now.
        await eventually(() => Date.now() - startedAt > 3 * ackWaitMs, {
          timeoutMs: 10_000,
          intervalMs: 100,
        });
        release();
        await eventually(async () => (await consumerInfo()).num_ack_pending === 0, {
          timeoutMs: 10_000,
          message: 'slow event acked',
        });
      },
    );
    expect(calls.filter((id) => id === slow.id)).toHaveLength(1);
    expect(calls).toHaveLength(51);
  });

  it('consumes several types on nats-server 2.9, which filters only one subject per consumer', async () => {
    const org = uuidv7();
    const seen: string[] = [];
    const added = createEvent({
      type: 'table.entry.added',
      source: '/test',
      subject: 'added',
      data: {
        id: uuidv7(),
        tableId: uuidv7(),
        organizationId: org,
        data: {},
        customFieldData: {},
        leadStateId: uuidv7(),
        createdAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(),
      },
      actor: {
        organizationId: org,
        channel: 'system',
        apiTokenId: null,
        memberId: null,
        correlationId: 'c',
        traceparent: null,
      },
    });
    const changed = stateChanged(org, uuidv7(), 2);
    await consuming(
      org,
      {
        types: ['table.entry.added', 'table.entry.leadState.changed'],
        handler: (event) => {
          seen.push(event.type);
          return Promise.resolve();
        },
      },
      async () => {
        await publish(added);
        await publish(changed);
        await eventually(() => seen.length === 2, { timeoutMs: 10_000, message: 'both types handled' });
      },
    );
    expect(seen.sort()).toEqual(['table.entry.added', 'table.entry.leadState.changed']);
  });
});
