import { Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
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

@Injectable()
export class IngressWebhooksRepository {
  constructor(private readonly dataSource: DataSource) {}

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
    const result = await this.repo.update(
      { organizationId, id, deletedAt: IsNull() },
      { tokenHash: hashSecret(token), rotatedAt: new Date() },
    );
    return (result.affected ?? 0) > 0 ? token : null;
  }

  async softDelete(organizationId: string, id: string): Promise<boolean> {
    const result = await this.repo.update(
      { organizationId, id, deletedAt: IsNull() },
      { deletedAt: new Date() },
    );
    return (result.affected ?? 0) > 0;
  }

  /** Public endpoint check: the webhook is looked up by id, then the token compared in constant time. */
  async verify(id: string, presented: string | undefined): Promise<WebhookCheck> {
    if (!isUuid(id)) return { result: 'not_found' };
    // Plain SQL: this runs on every ingested lead.
    const rows = (await this.dataSource.query(
      `SELECT id, organization_id, table_id, token_hash FROM ingress.ingress_webhooks WHERE id = $1 AND deleted_at IS NULL`,
      [id],
    )) as { id: string; organization_id: string; table_id: string; token_hash: Buffer }[];
    const row = rows[0];
    if (!row) return { result: 'not_found' };
    const webhook = this.repo.create({
      id: row.id,
      organizationId: row.organization_id,
      tableId: row.table_id,
      tokenHash: row.token_hash,
    });
    if (!presented || !isWebhookTokenFormat(presented) || !secretMatches(presented, webhook.tokenHash)) {
      return { result: 'bad_token' };
    }
    return { result: 'ok', webhook };
  }
}
