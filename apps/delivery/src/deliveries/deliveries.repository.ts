import { Inject, Injectable } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import { uuidv7, type CloudEvent, type Delivery, type DeliveryWithAttempts } from '@rocketlead/contracts';
import { ServiceOutbox } from '@rocketlead/messaging';
import { TRANSACTION, type CursorPosition, type Transactional } from '@rocketlead/persistence';
import { Timers } from '@rocketlead/timers';
import { DELIVERY_SCHEMA } from '../database/entities';
import { newestFirst } from '../database/newest-first';
import { toAttempt } from '../endpoints/endpoints.repository';
import { DeliveryEntity } from './delivery.entity';
import { DeliveryAttemptEntity } from './delivery-attempt.entity';
import { EmailSuppressionEntity } from '../tracking/email-suppression.entity';
import { leaseMs } from './lease';

export const ATTEMPT_TIMER_KIND = 'delivery.attempt';

/** Which delivery a timer is about. */
export interface DeliveryRef {
  organizationId: string;
  deliveryId: string;
}

const ATTEMPT_TIMER_PREFIX = 'delivery:';
export const attemptTimerKey = (deliveryId: string): string => `${ATTEMPT_TIMER_PREFIX}${deliveryId}`;

/** One attempt's result, as recorded. */
export interface AttemptRecord {
  ref: DeliveryRef;
  endpointId: string | null;
  eventType: string;
  attemptedAt: Date;
  durationMs: number;
  succeeded: boolean;
  responseStatus: number | null;
  error: string | null;
  responseBody: string | null;
  /** The provider's id of what was sent (an SMS sid). */
  providerMessageId: string | null;
  /** When to try again; null = this was the last attempt. */
  nextAttemptAt: Date | null;
  /** Events of the outcome (written with it, or not at all). */
  events: CloudEvent[];
  /** The endpoint answered 410 Gone: disable it, with this reason. */
  disableEndpoint: string | null;
}

export function toDelivery(row: DeliveryEntity): Delivery {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    eventType: row.eventType,
    entryId: row.entryId,
    endpointId: row.endpointId,
    destination: row.destination,
    runId: row.runId,
    automationId: row.automationId,
    stepIndex: row.stepIndex,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt ? row.nextAttemptAt.toISOString() : null,
    lastError: row.lastError,
    createdAt: row.createdAt.toISOString(),
    completedAt: row.completedAt ? row.completedAt.toISOString() : null,
  };
}

/** Deliveries, their attempts and email suppressions; every query is scoped by organization. */
@Injectable()
export class DeliveriesRepository {
  private readonly timers = new Timers(DELIVERY_SCHEMA);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(TRANSACTION) private readonly transaction: Transactional,
    private readonly outbox: ServiceOutbox,
  ) {}

  now(): Date {
    return new Date();
  }

  newId(): string {
    return uuidv7();
  }

  /**
   * Inserts the deliveries that do not exist yet (same organization and idempotency key: skipped) and a
   * lease timer for each pending one, which attempts it if this process dies before it is sent, in ONE
   * statement: inside the caller's transaction, or on its own (the pool's manager) where the idempotency
   * key alone dedupes. Returns the rows inserted.
   */
  async insert(
    rows: DeliveryEntity[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<DeliveryEntity[]> {
    if (rows.length === 0) return [];
    const columns = this.dataSource.getMetadata(DeliveryEntity).columns;
    const records = rows.map((row) =>
      Object.fromEntries(
        columns.map((column) => [column.databaseName, column.getEntityValue(row) as unknown]),
      ),
    );
    const leases = Object.fromEntries(rows.map((row) => [row.id, leaseMs(row)]));
    // Due one lease after creation, without a NOTIFY: far later than the runner's longest sleep.
    const timers = this.timers.upsertFrom(
      `SELECT '${ATTEMPT_TIMER_PREFIX}' || id, '${ATTEMPT_TIMER_KIND}',
         created_at + make_interval(secs => ($2::jsonb ->> id::text)::float8 / 1000),
         jsonb_build_object('organizationId', organization_id, 'deliveryId', id)
       FROM inserted WHERE status = 'pending'`,
    );
    const result = (await manager.query(
      `WITH inserted AS (
         INSERT INTO "${DELIVERY_SCHEMA}".deliveries
         SELECT * FROM jsonb_populate_recordset(NULL::"${DELIVERY_SCHEMA}".deliveries, $1::jsonb)
         ON CONFLICT (organization_id, idempotency_key) DO NOTHING
         RETURNING id, organization_id, created_at, status),
       leases AS (${timers} RETURNING 1)
       SELECT id FROM inserted`,
      [JSON.stringify(records), JSON.stringify(leases)],
    )) as { id: string }[];
    const inserted = new Set(result.map((r) => r.id));
    return rows.filter((row) => inserted.has(row.id));
  }

  /**
   * Runs `work` in a transaction and writes the events it returns with it; wakes the outbox relay when
   * there were any.
   */
  async withEvents(work: (manager: EntityManager) => Promise<CloudEvent[]>): Promise<void> {
    const events = await this.transaction(async (manager) => {
      const written = await work(manager);
      await this.outbox.append(manager, written);
      return written;
    });
    if (events.length > 0) this.outbox.committed();
  }

  appendEvents(manager: EntityManager, events: CloudEvent[]): Promise<void> {
    return this.outbox.append(manager, events);
  }

  committed(): void {
    this.outbox.committed();
  }

  load(ref: DeliveryRef): Promise<DeliveryEntity | null> {
    return this.dataSource
      .getRepository(DeliveryEntity)
      .findOneBy({ organizationId: ref.organizationId, id: ref.deliveryId });
  }

  find(organizationId: string, id: string): Promise<DeliveryEntity | null> {
    return this.dataSource.getRepository(DeliveryEntity).findOneBy({ organizationId, id });
  }

  /** Keeps a pending delivery's lease ahead of a long wait in this process's queue. */
  async extendLease(ref: DeliveryRef, until: Date): Promise<void> {
    await this.dataSource.transaction((manager) =>
      this.timers.reschedule(manager, attemptTimerKey(ref.deliveryId), until),
    );
  }

  /** Keeps the lease of a delivery whose timer is firing now (its own key, rescheduled one lease later). */
  async renewLease(manager: EntityManager, ref: DeliveryRef): Promise<boolean> {
    const rows = (await manager.query(
      `SELECT kind FROM "${DELIVERY_SCHEMA}".deliveries WHERE organization_id = $1 AND id = $2 AND status = 'pending'`,
      [ref.organizationId, ref.deliveryId],
    )) as Pick<DeliveryEntity, 'kind'>[];
    if (rows.length === 0) return false;
    await this.timers.schedule(manager, {
      key: attemptTimerKey(ref.deliveryId),
      kind: ATTEMPT_TIMER_KIND,
      dueAt: new Date(Date.now() + leaseMs(rows[0]!)),
      payload: ref,
    });
    return true;
  }

  /**
   * Records attempts and moves their deliveries on, in one transaction of a few set-based statements: the
   * attempt rows, the deliveries' state, their timers (due at the next attempt, or gone) and their outcome
   * events commit together. An attempt of a delivery that is no longer pending (another replica finished
   * it) is dropped.
   */
  async complete(
    records: AttemptRecord[],
    disable: (
      manager: EntityManager,
      organizationId: string,
      endpointId: string,
      reason: string,
    ) => Promise<void>,
  ): Promise<void> {
    if (records.length === 0) return;
    let events: CloudEvent[] = [];
    await this.transaction(async (manager) => {
      // Losing this commit in a crash only sends the delivery again (its lease timer is still there, with
      // the same webhook-id), so it need not wait for the WAL flush.
      await manager.query('SET LOCAL synchronous_commit = off');
      const final = (r: AttemptRecord) => r.succeeded || r.nextAttemptAt === null;
      const [updatedRows] = (await manager.query(
        `UPDATE "${DELIVERY_SCHEMA}".deliveries d SET attempts = d.attempts + 1, status = u.status,
           next_attempt_at = u.next_attempt_at, last_error = u.last_error, completed_at = u.completed_at,
           provider_message_id = coalesce(u.provider_message_id, d.provider_message_id)
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::text[], $6::timestamptz[], $7::text[])
           AS u(organization_id, id, status, next_attempt_at, last_error, completed_at, provider_message_id)
         WHERE d.organization_id = u.organization_id AND d.id = u.id AND d.status = 'pending'
         RETURNING d.id`,
        [
          records.map((r) => r.ref.organizationId),
          records.map((r) => r.ref.deliveryId),
          records.map((r) => (r.succeeded ? 'succeeded' : final(r) ? 'failed' : 'pending')),
          records.map((r) => r.nextAttemptAt),
          records.map((r) => (r.succeeded ? null : r.error)),
          records.map((r) => (final(r) ? r.attemptedAt : null)),
          records.map((r) => r.providerMessageId),
        ],
      )) as [{ id: string }[], number];
      const updated = new Set(updatedRows.map((row) => row.id));
      const kept = records.filter((r) => updated.has(r.ref.deliveryId));
      if (kept.length === 0) return;
      await manager.getRepository(DeliveryAttemptEntity).insert(
        kept.map((record) => ({
          id: uuidv7(record.attemptedAt.getTime()),
          deliveryId: record.ref.deliveryId,
          organizationId: record.ref.organizationId,
          endpointId: record.endpointId,
          eventType: record.eventType,
          attemptedAt: record.attemptedAt,
          durationMs: record.durationMs,
          status: record.succeeded ? ('succeeded' as const) : ('failed' as const),
          responseStatus: record.responseStatus,
          error: record.error,
          responseBody: record.responseBody,
          nextAttemptAt: record.nextAttemptAt,
        })),
      );
      await this.timers.remove(
        manager,
        kept.filter(final).map((r) => attemptTimerKey(r.ref.deliveryId)),
      );
      await this.timers.scheduleMany(
        manager,
        kept
          .filter((r) => !final(r))
          .map((r) => ({
            key: attemptTimerKey(r.ref.deliveryId),
            kind: ATTEMPT_TIMER_KIND,
            dueAt: r.nextAttemptAt!,
            payload: r.ref,
          })),
      );
      for (const record of kept)
        if (record.disableEndpoint && record.endpointId)
          await disable(manager, record.ref.organizationId, record.endpointId, record.disableEndpoint);
      events = kept.flatMap((r) => r.events);
      await this.outbox.append(manager, events);
    });
    // Only a commit that wrote events needs the relay.
    if (events.length > 0) this.outbox.committed();
  }

  /** A lead's deliveries, newest first, each with its attempts (oldest first). */
  async history(
    organizationId: string,
    entryId: string,
    limit: number,
    after?: CursorPosition,
  ): Promise<DeliveryWithAttempts[]> {
    const rows = await newestFirst(
      this.dataSource
        .getRepository(DeliveryEntity)
        .createQueryBuilder('d')
        .where('d.organization_id = :organizationId AND d.entry_id = :entryId', { organizationId, entryId }),
      'created_at',
      limit,
      after,
    ).getMany();
    if (rows.length === 0) return [];
    const attempts = await this.dataSource.getRepository(DeliveryAttemptEntity).find({
      where: { organizationId, deliveryId: In(rows.map((r) => r.id)) },
      order: { attemptedAt: 'ASC', id: 'ASC' },
    });
    return rows.map((row) => ({
      ...toDelivery(row),
      attemptLog: attempts.filter((a) => a.deliveryId === row.id).map(toAttempt),
    }));
  }

  async suppressed(organizationId: string, email: string): Promise<boolean> {
    return this.dataSource
      .getRepository(EmailSuppressionEntity)
      .existsBy({ organizationId, email: email.toLowerCase() });
  }

  /** Records an unsubscribe; true the first time for that address. */
  async suppress(
    manager: EntityManager,
    organizationId: string,
    email: string,
    deliveryId: string,
  ): Promise<boolean> {
    const rows = (await manager.query(
      `INSERT INTO "${DELIVERY_SCHEMA}".email_suppressions (organization_id, email, delivery_id, created_at)
       VALUES ($1, $2, $3, now()) ON CONFLICT DO NOTHING RETURNING 1`,
      [organizationId, email.toLowerCase(), deliveryId],
    )) as unknown[];
    return rows.length > 0;
  }

  /** Marks a tracked email opened; true only the first time. */
  async markOpened(manager: EntityManager, organizationId: string, deliveryId: string): Promise<boolean> {
    const [rows] = (await manager.query(
      `UPDATE "${DELIVERY_SCHEMA}".deliveries SET opened_at = now()
       WHERE organization_id = $1 AND id = $2 AND opened_at IS NULL RETURNING id`,
      [organizationId, deliveryId],
    )) as [unknown[], number];
    return rows.length > 0;
  }

  /** The delivery of an email link token (by id alone: the token was signed by us, it names the delivery). */
  byTrackedId(deliveryId: string): Promise<DeliveryEntity | null> {
    return this.dataSource.getRepository(DeliveryEntity).findOneBy({ id: deliveryId, kind: 'email' });
  }

  /** The newest text message sent to a number: an inbound reply from it belongs to that lead. */
  async latestSmsTo(phone: string): Promise<DeliveryEntity | null> {
    const rows = (await this.dataSource.query(
      `SELECT id, organization_id FROM "${DELIVERY_SCHEMA}".deliveries
       WHERE kind = 'sms' AND destination = $1 ORDER BY created_at DESC LIMIT 1`,
      [phone],
    )) as { id: string; organization_id: string }[];
    return rows[0] ? this.find(rows[0].organization_id, rows[0].id) : null;
  }

  /** The text message the provider knows by this id. */
  bySmsProviderId(messageId: string): Promise<DeliveryEntity | null> {
    return this.dataSource
      .getRepository(DeliveryEntity)
      .findOneBy({ providerMessageId: messageId, kind: 'sms' });
  }

  /** The carrier reported a sent message undelivered: the delivery failed after all; true the first time. */
  async markCarrierFailed(manager: EntityManager, row: DeliveryEntity, error: string): Promise<boolean> {
    const [rows] = (await manager.query(
      `UPDATE "${DELIVERY_SCHEMA}".deliveries SET status = 'failed', last_error = $3
       WHERE organization_id = $1 AND id = $2 AND status <> 'failed' RETURNING id`,
      [row.organizationId, row.id, error],
    )) as [unknown[], number];
    return rows.length > 0;
  }
}
