import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { InboundWebhookStatus, IntegrationDelivery } from '@rocketlead/contracts';
import { returnedRows, type CursorPosition } from '@rocketlead/persistence';
import { Timers } from '@rocketlead/timers';
import { INTEGRATIONS_SCHEMA } from '../database/entities';
import { InboundWebhookEntity } from './inbound-webhook.entity';

const S = `"${INTEGRATIONS_SCHEMA}"`;

/** The processing timer of an inbound webhook: first due at once, then a lease or the next retry. */
export const WEBHOOK_TIMER_KIND = 'integrations.webhook.process';
export const webhookTimerKey = (id: string): string => `inbound-webhook:${id}`;

export interface WebhookTimerPayload {
  id: string;
}

export function toDelivery(row: InboundWebhookEntity): IntegrationDelivery {
  return {
    id: row.id,
    connectionId: row.connectionId,
    provider: row.provider,
    externalId: row.externalId,
    eventType: row.eventType,
    status: row.status,
    attempts: row.attempts,
    error: row.error,
    nextAttemptAt: row.nextAttemptAt ? row.nextAttemptAt.toISOString() : null,
    receivedAt: row.receivedAt.toISOString(),
    processedAt: row.processedAt ? row.processedAt.toISOString() : null,
  };
}

/** A claimed processing attempt: which webhook, its attempt number (1 = the first). */
export interface WebhookClaim {
  id: string;
  attempts: number;
}

/**
 * Inbound webhooks and their processing timers. A row and its first timer are written in one transaction,
 * so a stored webhook is always processed; each state change moves or removes the timer with it.
 */
@Injectable()
export class InboundWebhooksRepository {
  private readonly timers = new Timers(INTEGRATIONS_SCHEMA);

  constructor(private readonly dataSource: DataSource) {}

  now(): Date {
    return new Date();
  }

  /**
   * Stores the webhook, with its processing timer when it is `pending`. A Stripe event already stored for
   * the connection (same event id) is not stored again: its stored row's id is answered with `duplicate`.
   */
  store(row: InboundWebhookEntity): Promise<{ id: string; duplicate: boolean }> {
    return this.dataSource.transaction(async (manager) => {
      const inserted = (await manager.query(
        `INSERT INTO ${S}.inbound_webhooks (id, organization_id, connection_id, provider, external_id, event_type,
           payload, status, attempts, error, next_attempt_at, received_at, processed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, NULL, $10, $11)
         ON CONFLICT (connection_id, external_id) WHERE provider = 'stripe' DO NOTHING RETURNING id`,
        [
          row.id,
          row.organizationId,
          row.connectionId,
          row.provider,
          row.externalId,
          row.eventType,
          row.payload,
          row.status,
          row.error,
          row.receivedAt,
          row.processedAt,
        ],
      )) as { id: string }[];
      if (inserted.length === 0) {
        const [existing] = (await manager.query(
          `SELECT id FROM ${S}.inbound_webhooks WHERE connection_id = $1 AND external_id = $2 AND provider = 'stripe'`,
          [row.connectionId, row.externalId],
        )) as { id: string }[];
        return { id: existing!.id, duplicate: true };
      }
      if (row.status === 'pending') await this.schedule(manager, row.id, row.receivedAt);
      return { id: row.id, duplicate: false };
    });
  }

  /**
   * In the timer's firing transaction: a pending webhook gets its next attempt number, and its timer becomes a
   * lease (fires again if this process dies before recording the outcome). Null when there is nothing to do.
   */
  async claim(manager: EntityManager, id: string, leaseUntil: Date): Promise<WebhookClaim | null> {
    const rows = returnedRows<{ attempts: number }>(
      await manager.query(
        `UPDATE ${S}.inbound_webhooks SET attempts = attempts + 1, next_attempt_at = NULL
         WHERE id = $1 AND status = 'pending' RETURNING attempts`,
        [id],
      ),
    );
    if (rows.length === 0) return null;
    await this.schedule(manager, id, leaseUntil);
    return { id, attempts: rows[0]!.attempts };
  }

  find(id: string): Promise<InboundWebhookEntity | null> {
    return this.dataSource.getRepository(InboundWebhookEntity).findOneBy({ id });
  }

  /**
   * Records the outcome of attempt `claim` (unless a later attempt took over: then false and nothing is
   * written) and removes the timer; `also` runs in the same transaction (purchases and their events).
   */
  finish(
    claim: WebhookClaim,
    status: Exclude<InboundWebhookStatus, 'pending'>,
    error: string | null,
    also: (manager: EntityManager) => Promise<void> = () => Promise.resolve(),
  ): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const rows = returnedRows<{ id: string }>(
        await manager.query(
          `UPDATE ${S}.inbound_webhooks SET status = $3, error = $4, next_attempt_at = NULL, processed_at = now()
           WHERE id = $1 AND attempts = $2 AND status = 'pending' RETURNING id`,
          [claim.id, claim.attempts, status, error],
        ),
      );
      if (rows.length === 0) return false;
      await also(manager);
      await this.timers.remove(manager, [webhookTimerKey(claim.id)]);
      return true;
    });
  }

  /** Attempt `claim` failed for now: the error is shown and the timer moves to the next attempt. */
  retryLater(claim: WebhookClaim, error: string, at: Date): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const rows = returnedRows<{ id: string }>(
        await manager.query(
          `UPDATE ${S}.inbound_webhooks SET error = $3, next_attempt_at = $4
           WHERE id = $1 AND attempts = $2 AND status = 'pending' RETURNING id`,
          [claim.id, claim.attempts, error, at],
        ),
      );
      if (rows.length === 0) return false;
      await this.schedule(manager, claim.id, at);
      return true;
    });
  }

  async deliveries(
    organizationId: string,
    connectionId: string,
    limit: number,
    after?: CursorPosition,
  ): Promise<IntegrationDelivery[]> {
    const query = this.dataSource
      .getRepository(InboundWebhookEntity)
      .createQueryBuilder('w')
      .where('w.organization_id = :organizationId AND w.connection_id = :connectionId', {
        organizationId,
        connectionId,
      });
    if (after)
      query.andWhere('(w.received_at, w.id) < (:afterAt, :afterId)', {
        afterAt: after.at,
        afterId: after.id,
      });
    const rows = await query
      .orderBy('w.received_at', 'DESC')
      .addOrderBy('w.id', 'DESC')
      .limit(limit)
      .getMany();
    return rows.map(toDelivery);
  }

  private schedule(manager: EntityManager, id: string, dueAt: Date): Promise<void> {
    const payload: WebhookTimerPayload = { id };
    return this.timers.schedule(manager, {
      key: webhookTimerKey(id),
      kind: WEBHOOK_TIMER_KIND,
      dueAt,
      payload,
    });
  }
}
