import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type NatsConnection } from 'nats';
import { DataSource } from 'typeorm';
import { createEvent, uuidv7, WireNames, type CloudEvent } from '@rocketlead/contracts';
import { JsonLogger } from '@rocketlead/observability';
import { createServiceDataSource, migrate } from '@rocketlead/persistence';
import {
  EventCollector,
  eventually,
  startTestEnvironment,
  uniqueName,
  type TestDatabase,
  type TestEnvironment,
} from '@rocketlead/testing';
import {
  appendToOutbox,
  deleteStreams,
  ensureStreams,
  EventConsumer,
  InboxEntity,
  HealthController,
  JetStreamOutboxPublisher,
  MetricsController,
  MetricsRegistry,
  OutboxEntity,
  OutboxRelay,
  sweepEventTables,
  statementSql,
  withEvents,
  type OutboxPublisher,
  type Statement,
  type OutboxRelayOptions,
} from '../src';
import { MESSAGING_TEST_MIGRATIONS } from './messaging-test.migration';
import { natsServerAvailable, PrivateNats } from '@rocketlead/testing';

const SCHEMA = 'msgtest';
const logger = new JsonLogger('messaging-test', 'error');

function entryAdded(
  org: string,
  n: number,
  type = 'table.entry.added',
  extra: Record<string, unknown> = {},
): CloudEvent {
  return createEvent({
    type,
    source: '/test',
    subject: `entry-${n}`,
    data: {
      id: uuidv7(),
      tableId: uuidv7(),
      organizationId: org,
      data: { n, ...extra },
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
  let environment: TestEnvironment;
  let db: TestDatabase;
  let dataSource: DataSource;
  let nc: NatsConnection;
  let names: WireNames;
  let collector: EventCollector;

  /** A relay on the test schema, publishing to the test namespace unless told otherwise. */
  const relayWith = (options: Partial<OutboxRelayOptions> = {}): OutboxRelay =>
    new OutboxRelay({
      dataSource,
      url: db.url,
      schema: SCHEMA,
      logger,
      ...options,
      publisher: options.publisher ?? new JetStreamOutboxPublisher(nc, names),
    });

  /** Runs `body` while a relay runs, stopping it afterwards even when `body` fails. */
  async function whileRelaying(
    options: Partial<OutboxRelayOptions>,
    body: (relay: OutboxRelay) => Promise<void>,
  ): Promise<void> {
    const relay = relayWith(options);
    await relay.start();
    try {
      await body(relay);
    } finally {
      await relay.stop();
    }
  }

  beforeAll(async () => {
    environment = await startTestEnvironment({ name: 'msg', deleteStreams });
    ({ db, nc, names } = environment);
    dataSource = createServiceDataSource({
      url: db.url,
      schema: SCHEMA,
      entities: [OutboxEntity, InboxEntity],
      migrations: MESSAGING_TEST_MIGRATIONS,
    });
    await migrate(dataSource);
    await dataSource.initialize();
    environment.onStop(() => dataSource.destroy());
    await ensureStreams(nc, names);
    collector = await environment.collect('LEADS');
  }, 120_000);

  afterAll(() => environment?.stop(), 120_000);

  it('publishes committed rows in order, with Nats-Msg-Id = event id, and marks them published', async () => {
    const org = uuidv7();
    const events = [entryAdded(org, 1), entryAdded(org, 2), entryAdded(org, 3)];
    await dataSource.transaction((m) => appendToOutbox(m, SCHEMA, events));
    await whileRelaying({}, async () => {
      const got = await collector.waitFor((e) => e.body.organizationid === org, 10_000, 3);
      expect(got.map((e) => e.body.id)).toEqual(events.map((e) => e.id));
      expect(got.map((e) => e.headers['Nats-Msg-Id'])).toEqual(events.map((e) => e.id));
      expect(got[0]!.subject).toBe(names.eventSubject('table.entry.added'));
      const pending = (await dataSource.query(
        `SELECT count(*)::int AS n FROM ${SCHEMA}.outbox WHERE published_at IS NULL`,
      )) as [{ n: number }];
      expect(pending[0].n).toBe(0);
    });
  });

  it('writes a change and its events as one statement; onlyIfChanged writes them only when the change returned a row', async () => {
    const org = uuidv7();
    const [changed, unchanged, always] = [entryAdded(org, 1), entryAdded(org, 2), entryAdded(org, 3)];
    const select = (matches: boolean) => ({ sql: `SELECT 1 AS x WHERE $1::boolean`, params: [matches] });
    const run = async (s: { sql: string; params: unknown[] }): Promise<void> => {
      await dataSource.query(s.sql, s.params);
    };
    await run(withEvents(SCHEMA, select(true), [changed], false, { onlyIfChanged: true }));
    await run(withEvents(SCHEMA, select(false), [unchanged], true, { onlyIfChanged: true }));
    await run(withEvents(SCHEMA, select(false), [always], false));
    const stored = (await dataSource.query(
      `SELECT event_id FROM ${SCHEMA}.outbox WHERE event_id = ANY($1::uuid[]) ORDER BY event_id`,
      [[changed.id, unchanged.id, always.id]],
    )) as { event_id: string }[];
    expect(stored.map((r) => r.event_id)).toEqual([changed.id, always.id].sort());
  });

  it('keeps a change’s own data-modifying CTEs at the top level, written whether or not the change returns a row', async () => {
    const org = uuidv7();
    const [first, second] = [entryAdded(org, 1), entryAdded(org, 2)];
    await dataSource.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA}.cte_marks (mark uuid PRIMARY KEY)`);
    const [markA, markB] = [uuidv7(), uuidv7()];
    // The CTE writes a mark; the change itself returns a row only when asked to.
    const change = (mark: string, matches: boolean): Statement => ({
      ctes: `marked AS (INSERT INTO ${SCHEMA}.cte_marks (mark) VALUES ($1::uuid) RETURNING mark)`,
      sql: `SELECT 1 AS x WHERE $2::boolean`,
      params: [mark, matches],
    });
    const a = withEvents(SCHEMA, change(markA, true), [first], true, { onlyIfChanged: true });
    const b = withEvents(SCHEMA, change(markB, false), [second], false, { onlyIfChanged: true });
    expect(await dataSource.query(a.sql, a.params)).toEqual([{ x: 1 }]);
    expect(await dataSource.query(b.sql, b.params)).toEqual([]);
    const marks = (await dataSource.query(
      `SELECT mark FROM ${SCHEMA}.cte_marks WHERE mark = ANY($1::uuid[]) ORDER BY mark`,
      [[markA, markB]],
    )) as { mark: string }[];
    expect(marks.map((r) => r.mark)).toEqual([markA, markB].sort());
    const stored = (await dataSource.query(
      `SELECT event_id FROM ${SCHEMA}.outbox WHERE event_id = ANY($1::uuid[])`,
      [[first.id, second.id]],
    )) as { event_id: string }[];
    expect(stored.map((r) => r.event_id)).toEqual([first.id]);
    // On its own, the statement runs its CTEs too.
    const markC = uuidv7();
    const alone = change(markC, true);
    expect(await dataSource.query(statementSql(alone), alone.params)).toEqual([{ x: 1 }]);
    expect(await dataSource.query(`SELECT 1 FROM ${SCHEMA}.cte_marks WHERE mark = $1`, [markC])).toHaveLength(
      1,
    );
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
    await whileRelaying({}, async () => {
      await collector.waitFor((e) => e.body.id === marker.id);
      expect(collector.events.filter((e) => e.body.organizationid === org)).toHaveLength(1);
    });
  });

  it('keeps rows while publishing fails and publishes all of them once it recovers', async () => {
    const org = uuidv7();
    const publisher = new FlakyPublisher(new JetStreamOutboxPublisher(nc, names));
    publisher.down = true;
    await whileRelaying({ publisher, pollIntervalMs: 100 }, async () => {
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
    });
  });

  it('re-publishing the same event is de-duplicated by the stream', async () => {
    const org = uuidv7();
    const event = entryAdded(org, 1);
    const publisher = new JetStreamOutboxPublisher(nc, names);
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
      const publisher = new JetStreamOutboxPublisher(nc, names);
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

  describe('rows that can never be published', () => {
    const lines: string[] = [];
    const captured = new JsonLogger('messaging-test', 'warn', (line) => lines.push(line));
    const logged = (): Record<string, unknown>[] =>
      lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const deadLetters = async (eventId: string) =>
      (await dataSource.query(
        `SELECT event_id, type, organization_id, attempts, reason FROM ${SCHEMA}.outbox_dead_letter WHERE event_id = $1`,
        [eventId],
      )) as { event_id: string; type: string; organization_id: string; attempts: number; reason: string }[];
    const outboxRow = async (eventId: string) =>
      (await dataSource.query(
        `SELECT published_at, attempts, last_error FROM ${SCHEMA}.outbox WHERE event_id = $1`,
        [eventId],
      )) as { published_at: Date | null; attempts: number; last_error: string | null }[];

    it('dead-letters a row larger than the NATS max payload at once; a later row of another organization is published', async () => {
      const big = entryAdded(uuidv7(), 1, 'table.entry.added', {
        blob: 'x'.repeat(nc.info!.max_payload + 1024),
      });
      const later = entryAdded(uuidv7(), 2);
      await dataSource.transaction((m) => appendToOutbox(m, SCHEMA, [big]));
      await dataSource.transaction((m) => appendToOutbox(m, SCHEMA, [later]));
      await whileRelaying({ logger: captured }, async (relay) => {
        await collector.waitFor((e) => e.body.id === later.id);
        const [dead] = await eventually(async () => {
          const rows = await deadLetters(big.id);
          return rows.length ? rows : undefined;
        });
        expect(dead).toMatchObject({
          type: 'table.entry.added',
          organization_id: big.organizationid,
          attempts: 1,
        });
        expect(dead!.reason).toMatch(/exceeds the NATS max payload/);
        expect(await outboxRow(big.id)).toEqual([]);
        expect(collector.events.some((e) => e.body.id === big.id)).toBe(false);
        const line = logged().find((l) => l.msg === 'outbox event dead-lettered' && l.eventId === big.id);
        expect(line).toMatchObject({
          level: 'error',
          type: 'table.entry.added',
          organizationId: big.organizationid,
        });
        expect(line!.reason).toEqual(expect.any(String));
        // Identifies the event, never carries its data.
        expect(JSON.stringify(line)).not.toContain('xxxxxxxx');
        const { metrics } = await relay.collect();
        expect(metrics).toContainEqual(
          expect.objectContaining({
            name: 'rocketlead_outbox_dead_lettered_total',
            labels: { schema: SCHEMA, reason: 'too_large' },
            value: 1,
          }),
        );
      });
    });

    it('retries a row no stream accepts with backoff, without holding up later rows, then dead-letters it', async () => {
      const orphan = entryAdded(uuidv7(), 1, 'nostream.thing.happened');
      const later = entryAdded(uuidv7(), 2);
      await dataSource.transaction((m) => appendToOutbox(m, SCHEMA, [orphan, later]));
      await whileRelaying(
        { logger: captured, pollIntervalMs: 50, maxAttempts: 3, retryDelayMs: 100 },
        async () => {
          // The row behind the refused one goes out while the refused one waits for its next attempt.
          await collector.waitFor((e) => e.body.id === later.id);
          const [dead] = await eventually(
            async () => {
              const rows = await deadLetters(orphan.id);
              return rows.length ? rows : undefined;
            },
            { timeoutMs: 15_000, message: 'orphan dead-lettered' },
          );
          expect(dead).toMatchObject({ type: 'nostream.thing.happened', attempts: 3 });
          expect(dead!.reason).toMatch(/no stream/);
          const retries = logged().filter(
            (l) => l.msg === 'outbox event refused; will retry' && l.eventId === orphan.id,
          );
          expect(retries.map((l) => l.attempts)).toEqual([1, 2]);
          expect(await outboxRow(orphan.id)).toEqual([]);
        },
      );
    });

    const withNatsServer = natsServerAvailable ? it : it.skip;
    withNatsServer(
      'dead-letters nothing while NATS is unreachable, and publishes every row in order once it is back',
      async () => {
        const server = await PrivateNats.start();
        const privateNc = await connect({
          servers: server.url,
          reconnectTimeWait: 100,
          maxReconnectAttempts: -1,
        });
        const privateNames = new WireNames(uniqueName('p'));
        let relay: OutboxRelay | undefined;
        let privateCollector: EventCollector | undefined;
        try {
          await ensureStreams(privateNc, privateNames);
          relay = relayWith({
            publisher: new JetStreamOutboxPublisher(privateNc, privateNames, 300),
            logger: captured,
            pollIntervalMs: 50,
            maxAttempts: 1, // any refusal would dead-letter at once: none may happen
          });
          await relay.start();
          await server.down();
          const org = uuidv7();
          const events = Array.from({ length: 5 }, (_, i) => entryAdded(org, i));
          for (const event of events) await dataSource.transaction((m) => appendToOutbox(m, SCHEMA, [event]));
          // The relay tries (and fails) several times while the server is away.
          const failuresBefore = lines.length;
          await eventually(
            () =>
              logged()
                .slice(failuresBefore)
                .filter((l) => l.msg === 'outbox publish failed; will retry').length >= 3,
            { timeoutMs: 20_000, message: 'relay retried while NATS was down' },
          );
          for (const event of events) {
            expect(await outboxRow(event.id)).toEqual([
              expect.objectContaining({ published_at: null, attempts: 0 }),
            ]);
            expect(await deadLetters(event.id)).toEqual([]);
          }
          await server.up();
          // The server may still be recovering its streams when it accepts connections: retry until it answers.
          privateCollector = await eventually(
            () => EventCollector.start(privateNc, privateNames.stream('LEADS').name),
            { timeoutMs: 20_000, message: 'collector on the restarted server' },
          );
          const got = await privateCollector.waitFor((e) => e.body.organizationid === org, 20_000, 5);
          expect(got.map((e) => e.body.id)).toEqual(events.map((e) => e.id));
          for (const event of events) expect(await deadLetters(event.id)).toEqual([]);
        } finally {
          await relay?.stop();
          await privateCollector?.stop();
          await privateNc.close();
          await server.dispose();
        }
      },
    );
  });

  it('reports outbox lag and dead letters on /health/ready and /metrics', async () => {
    const relay = relayWith();
    await relay.flush();
    const registry = new MetricsRegistry();
    registry.register(relay);
    const health = new HealthController(dataSource, nc, registry);
    const metrics = new MetricsController(registry);
    const org = uuidv7();
    await dataSource.transaction((m) => appendToOutbox(m, SCHEMA, [entryAdded(org, 1), entryAdded(org, 2)]));
    await dataSource.query(
      `UPDATE ${SCHEMA}.outbox SET created_at = now() - interval '90 seconds' WHERE payload->>'organizationid' = $1`,
      [org],
    );
    const deadBefore = (await dataSource.query(
      `SELECT count(*)::int AS n FROM ${SCHEMA}.outbox_dead_letter`,
    )) as [{ n: number }];
    const ready = await health.ready();
    expect(ready).toMatchObject({ status: 'ok', checks: { postgres: 'up', nats: 'up' } });
    expect(ready.outbox).toEqual({
      pending: 2,
      oldestPendingAgeSeconds: expect.any(Number),
      deadLetters: deadBefore[0].n,
    });
    expect(
      (ready.outbox as { oldestPendingAgeSeconds: number }).oldestPendingAgeSeconds,
    ).toBeGreaterThanOrEqual(90);
    const text = await metrics.metrics();
    expect(text).toContain('# TYPE rocketlead_outbox_pending gauge');
    expect(text).toContain(`rocketlead_outbox_pending{schema="${SCHEMA}"} 2\n`);
    expect(text).toContain(`rocketlead_outbox_dead_letters{schema="${SCHEMA}"} ${deadBefore[0].n}\n`);
    expect(text).toMatch(/rocketlead_outbox_oldest_pending_age_seconds\{schema="msgtest"\} (9\d|1\d\d)/);
    await relay.flush();
    expect((await health.ready()).outbox).toMatchObject({ pending: 0, oldestPendingAgeSeconds: 0 });
    expect(await metrics.metrics()).toContain(`rocketlead_outbox_published_total{schema="${SCHEMA}"} 2\n`);
  });

  it('retention deletes only published outbox rows, inbox rows and dead letters older than their period', async () => {
    const ids = Array.from({ length: 6 }, () => uuidv7());
    await dataSource.query(
      `INSERT INTO ${SCHEMA}.outbox (event_id, type, payload, published_at) VALUES
         ($1, 't', '{}', now() - interval '25 hours'), ($2, 't', '{}', now() - interval '23 hours')`,
      [ids[0], ids[1]],
    );
    await dataSource.query(
      `INSERT INTO ${SCHEMA}.outbox (event_id, type, payload, created_at) VALUES ($1, 't', '{}', now() - interval '30 days')`,
      [ids[2]],
    );
    await dataSource.query(
      `INSERT INTO ${SCHEMA}.inbox (consumer, event_id, handled_at) VALUES
         ('retention', $1, now() - interval '15 days'), ('retention', $2, now() - interval '13 days')`,
      [ids[3], ids[4]],
    );
    await dataSource.query(
      `INSERT INTO ${SCHEMA}.outbox_dead_letter (id, event_id, type, payload, attempts, reason, created_at, dead_at) VALUES
         (-1, $1, 't', '{}', 1, 'r', now(), now() - interval '31 days'), (-2, $2, 't', '{}', 1, 'r', now(), now() - interval '29 days')`,
      [ids[5], uuidv7()],
    );
    const hour = 60 * 60 * 1000;
    const removed = await sweepEventTables(dataSource, SCHEMA, {
      outboxMs: 24 * hour,
      inboxMs: 14 * 24 * hour,
      deadLetterMs: 30 * 24 * hour,
    });
    expect(removed).toEqual({ outbox: 1, inbox: 1, deadLetters: 1 });
    const outbox = (await dataSource.query(
      `SELECT event_id FROM ${SCHEMA}.outbox WHERE event_id = ANY($1::uuid[])`,
      [ids],
    )) as { event_id: string }[];
    // The unpublished row stays however old it is.
    expect(outbox.map((r) => r.event_id).sort()).toEqual([ids[1], ids[2]].sort());
    const inbox = (await dataSource.query(
      `SELECT event_id FROM ${SCHEMA}.inbox WHERE consumer = 'retention'`,
    )) as {
      event_id: string;
    }[];
    expect(inbox.map((r) => r.event_id)).toEqual([ids[4]]);
    const dead = (await dataSource.query(`SELECT id FROM ${SCHEMA}.outbox_dead_letter WHERE id < 0`)) as {
      id: string;
    }[];
    expect(dead.map((r) => r.id)).toEqual(['-2']);
    await dataSource.query(`DELETE FROM ${SCHEMA}.outbox WHERE event_id = ANY($1::uuid[])`, [ids]);
  });
});
