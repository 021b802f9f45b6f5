import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  uuidv7,
  type DeliveryAttempt,
  type WebhookEndpoint,
  type WebhookFormat,
} from '@rocketlead/contracts';
import {
  NotifiedCache,
  SecretBox,
  TRANSACTION,
  notifyChanged,
  type CursorPosition,
  type Transactional,
} from '@rocketlead/persistence';
import { DELIVERY_SCHEMA } from '../database/entities';
import { newestFirst } from '../database/newest-first';
import { DELIVERY_CONFIG } from '../config.token';
import type { DeliveryConfig } from '../config';
import { generateWebhookSecret } from '../outbound';
import { WebhookEndpointEntity } from './webhook-endpoint.entity';
import { EndpointSecretEntity } from './endpoint-secret.entity';
import { DeliveryAttemptEntity } from '../deliveries/delivery-attempt.entity';

/** Writers NOTIFY this channel with the organization id; every replica drops its subscription list. */
export const ENDPOINTS_CHANGED_CHANNEL = `${DELIVERY_SCHEMA}_endpoints_changed`;

export type EndpointChanges = Partial<
  Pick<WebhookEndpoint, 'url' | 'format' | 'eventTypes' | 'description' | 'timeoutMs' | 'enabled'>
>;

export interface SubscribedEndpoint {
  id: string;
  url: string;
  format: WebhookFormat;
  eventTypes: string[];
}

/** An endpoint as delivery sends to it: with the secrets that sign now (current first). */
export interface SendingEndpoint {
  endpoint: WebhookEndpoint;
  organizationId: string;
  secrets: string[];
}

export function toEndpoint(row: WebhookEndpointEntity): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    format: row.format,
    eventTypes: row.eventTypes,
    description: row.description,
    timeoutMs: row.timeoutMs,
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toAttempt(row: DeliveryAttemptEntity): DeliveryAttempt {
  return {
    id: row.id,
    deliveryId: row.deliveryId,
    eventType: row.eventType,
    attemptedAt: row.attemptedAt.toISOString(),
    durationMs: row.durationMs,
    status: row.status,
    responseStatus: row.responseStatus,
    error: row.error,
    nextAttemptAt: row.nextAttemptAt ? row.nextAttemptAt.toISOString() : null,
    responseBody: row.responseBody,
  };
}

export class UnreadableSecretError extends Error {
  constructor() {
    super('the endpoint secret cannot be decrypted (was DELIVERY_SECRET_KEY changed?); rotate the secret');
    this.name = 'UnreadableSecretError';
  }
}

/** Endpoints and their encrypted secrets; every query is scoped by organization. */
@Injectable()
export class EndpointsRepository implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly subscriptions = new NotifiedCache<SubscribedEndpoint[]>({
    channel: ENDPOINTS_CHANGED_CHANNEL,
    maxAgeMs: 5_000,
    applicationName: 'delivery-endpoints-cache',
  });
  // What sending needs of an endpoint (its URL and decrypted secrets), keyed `<organization>:<endpoint>`.
  private readonly sending = new NotifiedCache<SendingEndpoint>({
    channel: ENDPOINTS_CHANGED_CHANNEL,
    maxAgeMs: 5_000,
    applicationName: 'delivery-sending-cache',
  });

  constructor(
    private readonly dataSource: DataSource,
    @Inject(TRANSACTION) private readonly transaction: Transactional,
    private readonly box: SecretBox,
    @Inject(DELIVERY_CONFIG) private readonly config: Pick<DeliveryConfig, 'DATABASE_URL'>,
  ) {}

  /** Until the cache listens, nothing is kept (every lookup reads Postgres). */
  async onApplicationBootstrap(): Promise<void> {
    await Promise.all(
      [this.subscriptions, this.sending].map((cache) =>
        cache.listen(this.config.DATABASE_URL).catch(() => undefined),
      ),
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.subscriptions.stop(), this.sending.stop()]);
  }

  now(): Date {
    return new Date();
  }

  count(organizationId: string): Promise<number> {
    return this.dataSource.getRepository(WebhookEndpointEntity).countBy({ organizationId });
  }

  /** Creates the endpoint and its first secret; the secret is returned in clear this once. */
  create(
    organizationId: string,
    fields: Required<EndpointChanges>,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    return this.transaction(async (manager) => {
      const now = new Date();
      const row = manager.getRepository(WebhookEndpointEntity).create({
        id: uuidv7(),
        organizationId,
        ...fields,
        disabledReason: null,
        createdAt: now,
        updatedAt: now,
      });
      await manager.getRepository(WebhookEndpointEntity).insert(row);
      const secret = await this.addSecret(manager, row, now);
      await this.changed(manager, organizationId, row.id);
      return { endpoint: toEndpoint(row), secret };
    });
  }

  async find(organizationId: string, id: string): Promise<WebhookEndpoint | null> {
    const row = await this.dataSource.getRepository(WebhookEndpointEntity).findOneBy({ organizationId, id });
    return row ? toEndpoint(row) : null;
  }

  async list(organizationId: string, limit: number, after?: CursorPosition): Promise<WebhookEndpoint[]> {
    const rows = await newestFirst(
      this.dataSource
        .getRepository(WebhookEndpointEntity)
        .createQueryBuilder('e')
        .where('e.organization_id = :organizationId', { organizationId }),
      'created_at',
      limit,
      after,
    ).getMany();
    return rows.map(toEndpoint);
  }

  update(organizationId: string, id: string, changes: EndpointChanges): Promise<WebhookEndpoint | null> {
    return this.transaction(async (manager) => {
      const repo = manager.getRepository(WebhookEndpointEntity);
      const row = await repo.findOne({ where: { organizationId, id }, lock: { mode: 'pessimistic_write' } });
      if (!row) return null;
      Object.assign(row, changes, { updatedAt: new Date() });
      // Enabling again clears why the platform had disabled it.
      if (changes.enabled === true) row.disabledReason = null;
      await repo.save(row);
      await this.changed(manager, organizationId, id);
      return toEndpoint(row);
    });
  }

  /** Disables an endpoint that told us it is gone (410), with the reason shown to its owner. */
  async disable(manager: EntityManager, organizationId: string, id: string, reason: string): Promise<void> {
    await manager.query(
      `UPDATE "${DELIVERY_SCHEMA}".webhook_endpoints SET enabled = false, disabled_reason = $3, updated_at = now()
       WHERE organization_id = $1 AND id = $2`,
      [organizationId, id, reason],
    );
    await this.changed(manager, organizationId, id);
  }

  delete(organizationId: string, id: string): Promise<WebhookEndpoint | null> {
    return this.transaction(async (manager) => {
      const repo = manager.getRepository(WebhookEndpointEntity);
      const row = await repo.findOneBy({ organizationId, id });
      if (!row) return null;
      await manager.getRepository(EndpointSecretEntity).delete({ organizationId, endpointId: id });
      await repo.delete({ organizationId, id });
      await this.changed(manager, organizationId, id);
      return toEndpoint(row);
    });
  }

  /** A new current secret; the previous ones keep signing until `overlapMs` from now. */
  rotate(organizationId: string, id: string, overlapMs: number): Promise<string | null> {
    return this.transaction(async (manager) => {
      const row = await manager
        .getRepository(WebhookEndpointEntity)
        .findOne({ where: { organizationId, id }, lock: { mode: 'pessimistic_write' } });
      if (!row) return null;
      const now = new Date();
      await manager.query(
        `UPDATE "${DELIVERY_SCHEMA}".endpoint_secrets SET expires_at = least(coalesce(expires_at, $3), $3)
         WHERE organization_id = $1 AND endpoint_id = $2`,
        [organizationId, id, new Date(now.getTime() + overlapMs)],
      );
      // Secrets that stopped signing are of no use any more.
      await manager.query(
        `DELETE FROM "${DELIVERY_SCHEMA}".endpoint_secrets
         WHERE organization_id = $1 AND endpoint_id = $2 AND expires_at <= $3`,
        [organizationId, id, now],
      );
      const secret = await this.addSecret(manager, row, now);
      await this.changed(manager, organizationId, id);
      return secret;
    });
  }

  /** The endpoint with the secrets that sign at `at` (current first), or null when it is gone. */
  forSending(organizationId: string, id: string, at: Date): Promise<SendingEndpoint | null> {
    return this.sending.read(`${organizationId}:${id}`, () => this.loadSending(organizationId, id, at));
  }

  private async loadSending(organizationId: string, id: string, at: Date): Promise<SendingEndpoint | null> {
    const row = await this.dataSource.getRepository(WebhookEndpointEntity).findOneBy({ organizationId, id });
    if (!row) return null;
    const secrets = (await this.dataSource.query(
      `SELECT ciphertext FROM "${DELIVERY_SCHEMA}".endpoint_secrets
       WHERE organization_id = $1 AND endpoint_id = $2 AND (expires_at IS NULL OR expires_at > $3)
       ORDER BY expires_at DESC NULLS FIRST, created_at DESC`,
      [organizationId, id, at],
    )) as { ciphertext: Buffer }[];
    return {
      endpoint: toEndpoint(row),
      organizationId,
      secrets: secrets.map((s) => this.openSecret(s.ciphertext)),
    };
  }

  /** Enabled endpoints of the organization that subscribe to some event type (cached, NOTIFY-invalidated). */
  async subscribed(organizationId: string): Promise<SubscribedEndpoint[]> {
    const found = await this.subscriptions.read(organizationId, async () => {
      const rows = (await this.dataSource.query(
        `SELECT id, url, format, event_types FROM "${DELIVERY_SCHEMA}".webhook_endpoints
         WHERE organization_id = $1 AND enabled AND jsonb_array_length(event_types) > 0`,
        [organizationId],
      )) as { id: string; url: string; format: WebhookFormat; event_types: string[] }[];
      return rows.map((row) => ({
        id: row.id,
        url: row.url,
        format: row.format,
        eventTypes: row.event_types,
      }));
    });
    return found ?? [];
  }

  async attempts(
    organizationId: string,
    endpointId: string,
    limit: number,
    after?: CursorPosition,
  ): Promise<DeliveryAttempt[]> {
    const rows = await newestFirst(
      this.dataSource
        .getRepository(DeliveryAttemptEntity)
        .createQueryBuilder('a')
        .where('a.organization_id = :organizationId AND a.endpoint_id = :endpointId', {
          organizationId,
          endpointId,
        }),
      'attempted_at',
      limit,
      after,
    ).getMany();
    return rows.map(toAttempt);
  }

  /** A secret sealed under another DELIVERY_SECRET_KEY can never be read: a permanent failure, said so. */
  private openSecret(ciphertext: Buffer): string {
    try {
      return this.box.open(ciphertext);
    } catch {
      throw new UnreadableSecretError();
    }
  }

  private async addSecret(manager: EntityManager, row: WebhookEndpointEntity, now: Date): Promise<string> {
    const secret = generateWebhookSecret();
    await manager.getRepository(EndpointSecretEntity).insert({
      id: uuidv7(),
      endpointId: row.id,
      organizationId: row.organizationId,
      ciphertext: this.box.seal(secret),
      createdAt: now,
      expiresAt: null,
    });
    return secret;
  }

  /** Every replica drops the organization's subscription list and that endpoint's sending copy on commit. */
  private async changed(manager: EntityManager, organizationId: string, endpointId: string): Promise<void> {
    const sendingKey = `${organizationId}:${endpointId}`;
    this.subscriptions.invalidate(organizationId);
    this.sending.invalidate(sendingKey);
    for (const key of [organizationId, sendingKey]) {
      const { sql, params } = notifyChanged(ENDPOINTS_CHANGED_CHANNEL, key);
      await manager.query(sql, params);
    }
  }
}
