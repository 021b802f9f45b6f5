import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { NotifiedCache, notifyChanged } from '@rocketlead/persistence';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { isUuid, uuidv7 } from '@rocketlead/contracts';
import {
  generateWebhookToken,
  hashSecret,
  isWebhookTokenFormat,
  secretMatches,
} from '../secrets/token-secrets';
import { IngressWebhookEntity } from './ingress-webhook.entity';

export type WebhookCheck =
  { result: 'ok'; webhook: IngressWebhookEntity } | { result: 'not_found' } | { result: 'bad_token' };

/** Channel on which a rotated or deleted webhook tells the other replicas to drop their copy. */
export const WEBHOOKS_CHANGED_CHANNEL = 'ingress_webhooks_changed';

interface WebhookRow {
  id: string;
  organization_id: string;
  table_id: string;
  token_hash: Buffer;
}

@Injectable()
export class IngressWebhooksRepository implements OnApplicationBootstrap, OnApplicationShutdown {
  /**
   * Webhooks by id for the public endpoint; the presented token is still hashed and compared on every call.
   * Rotating or deleting drops the copy in this process before the change is answered and in the other
   * replicas by NOTIFY when it commits (and no copy is older than a second).
   */
  private readonly cache = new NotifiedCache<WebhookRow>({
    channel: WEBHOOKS_CHANGED_CHANNEL,
    applicationName: 'ingress-webhook-cache',
  });

  constructor(private readonly dataSource: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    const { url } = this.dataSource.options as { url?: string };
    if (url) await this.cache.listen(url);
  }

  onApplicationShutdown(): Promise<void> {
    return this.cache.stop();
  }

  private get repo() {
    return this.dataSource.getRepository(IngressWebhookEntity);
  }

  async create(
    organizationId: string,
    tableId: string,
    name: string | null,
  ): Promise<{ row: IngressWebhookEntity; token: string }> {
    const token = generateWebhookToken();
    const row = await this.repo.save(
      this.repo.create({
        id: uuidv7(),
        organizationId,
        tableId,
        name,
        tokenHash: hashSecret(token),
        rotatedAt: null,
        deletedAt: null,
      }),
    );
    return { row, token };
  }

  find(organizationId: string, id: string): Promise<IngressWebhookEntity | null> {
    return this.repo.findOneBy({ organizationId, id, deletedAt: IsNull() });
  }

  list(organizationId: string): Promise<IngressWebhookEntity[]> {
    return this.repo.find({ where: { organizationId, deletedAt: IsNull() }, order: { createdAt: 'ASC' } });
  }

  /** Replaces the token hash; the old token stops matching with this commit. */
  async rotate(organizationId: string, id: string): Promise<string | null> {
    const token = generateWebhookToken();
    const changed = await this.changeAndNotify(id, (manager) =>
      manager
        .getRepository(IngressWebhookEntity)
        .update(
          { organizationId, id, deletedAt: IsNull() },
          { tokenHash: hashSecret(token), rotatedAt: new Date() },
        ),
    );
    return changed ? token : null;
  }

  async softDelete(organizationId: string, id: string): Promise<boolean> {
    return this.changeAndNotify(id, (manager) =>
      manager
        .getRepository(IngressWebhookEntity)
        .update({ organizationId, id, deletedAt: IsNull() }, { deletedAt: new Date() }),
    );
  }

  /**
   * The change and the NOTIFY commit together. This process drops its copy first and keeps no new one until
   * that NOTIFY comes back, so no read of the old row outlives the commit.
   */
  private async changeAndNotify(
    id: string,
    change: (manager: EntityManager) => Promise<{ affected?: number | null }>,
  ): Promise<boolean> {
    this.cache.invalidate(id);
    return this.dataSource.transaction(async (manager) => {
      const result = await change(manager);
      if ((result.affected ?? 0) === 0) return false;
      const notify = notifyChanged(WEBHOOKS_CHANGED_CHANNEL, id);
      await manager.query(notify.sql, notify.params);
      return true;
    });
  }

  /** Public endpoint check: the webhook is looked up by id, then the token compared in constant time. */
  async verify(id: string, presented: string | undefined): Promise<WebhookCheck> {
    if (!isUuid(id)) return { result: 'not_found' };
    // Plain SQL: this runs on every ingested lead.
    const row = await this.cache.read(id, async () => {
      const rows = (await this.dataSource.query(
        `SELECT id, organization_id, table_id, token_hash FROM ingress.ingress_webhooks WHERE id = $1 AND deleted_at IS NULL`,
        [id],
      )) as WebhookRow[];
      return rows[0] ?? null;
    });
    if (!row) return { result: 'not_found' };
    if (!presented || !isWebhookTokenFormat(presented) || !secretMatches(presented, row.token_hash)) {
      return { result: 'bad_token' };
    }
    // A plain instance rather than repo.create(): no ORM work on the ingest path.
    const webhook = Object.assign(new IngressWebhookEntity(), {
      id: row.id,
      organizationId: row.organization_id,
      tableId: row.table_id,
      tokenHash: row.token_hash,
    });
    return { result: 'ok', webhook };
  }
}
