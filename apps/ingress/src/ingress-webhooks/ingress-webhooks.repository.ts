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
    const webhook = await this.repo.findOneBy({ id, deletedAt: IsNull() });
    if (!webhook) return { result: 'not_found' };
    if (!presented || !isWebhookTokenFormat(presented) || !secretMatches(presented, webhook.tokenHash)) {
      return { result: 'bad_token' };
    }
    return { result: 'ok', webhook };
  }
}
