import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type NatsConnection } from 'nats';
import { DataSource } from 'typeorm';
import { createEvent, uuidv7, WireNames, type CloudEvent } from '@rocketlead/contracts';
import { JsonLogger } from '@rocketlead/observability';
import { createServiceDataSource, migrate } from '@rocketlead/persistence';
import {
  createTestDatabase,
  EventCollector,
  eventually,
  startInfrastructure,
  uniqueName,
  type Infrastructure,
} from '@rocketlead/testing';
import {
  appendToOutbox,
  deleteStreams,
  ensureStreams,
  EventConsumer,
  InboxEntity,
  JetStreamOutboxPublisher,
  OutboxEntity,
  OutboxRelay,
  type OutboxPublisher,
} from '../src';
import { MessagingTestInit1700000000000 } from './messaging-test.migration';

const SCHEMA = 'msgtest';
const logger = new JsonLogger('messaging-test', 'error');

function entryAdded(org: string, n: number): CloudEvent {
  return createEvent({
    type: 'table.entry.added',
    source: '/test',
    subject: `entry-${n}`,
    data: {
      id: uuidv7(),
      tableId: uuidv7(),
      organizationId: org,
      data: { n },
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
}

/** Fails while `down` is set, like a JetStream that does not answer. */
class FlakyPublisher implements OutboxPublisher {
  down = false;
  constructor(private readonly inner: OutboxPublisher) {}
  publish(event: CloudEvent): Promise<void> {
    return this.down ? Promise.reject(new Error('nats down')) : this.inner.publish(event);
  }
}

describe('outbox relay and inbox consumer (real Postgres and NATS)', () => {
  let infra: Infrastructure;
  let db: { url: string; drop(): Promise<void> };
  let dataSource: DataSource;
  let nc: NatsConnection;
  let names: WireNames;
  let collector: EventCollector;

  beforeAll(async () => {
    infra = await startInfrastructure();
    db = await createTestDatabase(infra.postgresUrl, uniqueName('msg'));
    dataSource = createServiceDataSource({
      url: db.url,
      schema: SCHEMA,
      entities: [OutboxEntity, InboxEntity],
      migrations: [MessagingTestInit1700000000000],
    });
    await migrate(dataSource);
    await dataSource.initialize();
    nc = await connect({ servers: infra.natsUrl });
    names = new WireNames(uniqueName('m'));
    await ensureStreams(nc, names);
    collector = await EventCollector.start(nc, names.stream('LEADS').name);
  }, 120_000);

  afterAll(async () => {
    await collector?.stop();
    if (nc) {
      await deleteStreams(nc, names);
      await nc.close();
    }
    await dataSource?.destroy();
    await db?.drop();
    await infra?.stop();
  }, 120_000);

  it('publishes committed rows in order, with Nats-Msg-Id = event id, and marks them published', async () => {
    const org = uuidv7();
    const events = [entryAdded(org, 1), entryAdded(org, 2), entryAdded(org, 3)];
    await dataSource.transaction((m) => appendToOutbox(m, SCHEMA, events));
    const relay = new OutboxRelay({
      dataSource,
      url: db.url,
      schema: SCHEMA,
      publisher: new JetStreamOutboxPublisher(nc.jetstream(), names),
      logger,
    });
    await relay.start();
    try {
      const got = await collector.waitFor((e) => e.body.organizationid === org, 10_000, 3);
      expect(got.map((e) => e.body.id)).toEqual(events.map((e) => e.id));
      expect(got.map((e) => e.headers['Nats-Msg-Id'])).toEqual(events.map((e) => e.id));
      expect(got[0]!.subject).toBe(names.eventSubject('table.entry.added'));
      const pending = (await dataSource.query(
        `SELECT count(*)::int AS n FROM ${SCHEMA}.outbox WHERE published_at IS NULL`,
      )) as [{ n: number }];
      expect(pending[0].n).toBe(0);
    } finally {
      await relay.stop();
    }
  });

  it('does not publish rows of a rolled-back transaction', async () => {
    const org = uuidv7();
    await dataSource
      .transaction(async (m) => {
        await appendToOutbox(m, SCHEMA, [entryAdded(org, 1)]);
        throw new Error('rollback');
      })
      .catch(() => undefined);
    const marker = entryAdded(org, 2);
    await dataSource.transaction((m) => appendToOutbox(m, SCHEMA, [marker]));
    const relay = new OutboxRelay({
      dataSource,
      url: db.url,
      schema: SCHEMA,
      publisher: new JetStreamOutboxPublisher(nc.jetstream(), names),
      logger,
    });
    await relay.start();
    try {
      await collector.waitFor((e) => e.body.id === marker.id);
      expect(collector.events.filter((e) => e.body.organizationid === org)).toHaveLength(1);
    } finally {
      await relay.stop();
    }
  });

  it('keeps rows while publishing fails and publishes all of them once it recovers', async () => {
    const org = uuidv7();
    const publisher = new FlakyPublisher(new JetStreamOutboxPublisher(nc.jetstream(), names));
    publisher.down = true;
    const relay = new OutboxRelay({
      dataSource,
      url: db.url,
      schema: SCHEMA,
      publisher,
      logger,
      pollIntervalMs: 100,
    });
    await relay.start();
    try {
      const events = Array.from({ length: 20 }, (_, i) => entryAdded(org, i));
      for (const event of events) await dataSource.transaction((m) => appendToOutbox(m, SCHEMA, [event]));
      const held = (await dataSource.query(
        `SELECT count(*)::int AS n FROM ${SCHEMA}.outbox WHERE published_at IS NULL AND payload->>'organizationid' = $1`,
        [org],
      )) as [{ n: number }];
      expect(held[0].n).toBe(20);
      publisher.down = false;
      const got = await collector.waitFor((e) => e.body.organizationid === org, 20_000, 20);
      expect(new Set(got.map((e) => e.body.id)).size).toBe(20);
      expect(got.map((e) => e.body.id)).toEqual(events.map((e) => e.id));
    } finally {
      await relay.stop();
    }
  });

  it('re-publishing the same event is de-duplicated by the stream', async () => {
    const org = uuidv7();
    const event = entryAdded(org, 1);
    const publisher = new JetStreamOutboxPublisher(nc.jetstream(), names);
    await publisher.publish(event);
    await publisher.publish(event);
    const marker = entryAdded(org, 2);
    await publisher.publish(marker);
    await collector.waitFor((e) => e.body.id === marker.id);
    expect(collector.events.filter((e) => e.body.id === event.id)).toHaveLength(1);
  });

  it('a consumer handles each event once, skips redeliveries through the inbox, and dead-letters invalid payloads', async () => {
    const org = uuidv7();
    const handled: string[] = [];
    let failOnce = true;
    const consumer = new EventConsumer({
      nc,
      names,
      dataSource,
      schema: SCHEMA,
      stream: 'LEADS',
      durable: 'test-consumer',
      types: ['table.entry.added'],
      logger,
      ackWaitMs: 2_000,
      handler: (event) => {
        if (event.organizationid !== org) return Promise.resolve();
        if (failOnce && event.subject === 'entry-2') {
          failOnce = false;
          return Promise.reject(new Error('transient'));
        }
        handled.push(event.subject);
        return Promise.resolve();
      },
    });
    await consumer.start();
    const dlq = await EventCollector.start(nc, names.stream('DEAD_LETTER').name);
    try {
      const publisher = new JetStreamOutboxPublisher(nc.jetstream(), names);
      const first = entryAdded(org, 1);
      await publisher.publish(first);
      await publisher.publish(entryAdded(org, 2));
      // The same event under a new stream message (outside the dedupe window semantics): the inbox makes it a no-op.
      await nc.jetstream().publish(names.eventSubject('table.entry.added'), JSON.stringify(first));
      await nc
        .jetstream()
        .publish(
          names.eventSubject('table.entry.added'),
          JSON.stringify({ type: 'table.entry.added', id: 'bad' }),
        );
      await eventually(() => handled.includes('entry-2'), {
        timeoutMs: 15_000,
        message: 'retried event handled',
      });
      await dlq.waitFor((e) => e.subject === names.deadLetterSubject('test-consumer'), 10_000);
      expect(handled.filter((s) => s === 'entry-1')).toHaveLength(1);
      expect(handled.filter((s) => s === 'entry-2')).toHaveLength(1);
      const inbox = (await dataSource.query(
        `SELECT count(*)::int AS n FROM ${SCHEMA}.inbox WHERE consumer = 'test-consumer'`,
      )) as [{ n: number }];
      expect(inbox[0].n).toBeGreaterThanOrEqual(2);
    } finally {
      await dlq.stop();
      await consumer.stop();
    }
  });
});
