import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { IntegrationProvider } from '@rocketlead/contracts';
import { TRANSACTION, type CursorPosition, type Transactional } from '@rocketlead/persistence';
import { INTEGRATIONS_SCHEMA } from '../database/entities';
import { ConnectionEntity } from './connection.entity';

const S = `"${INTEGRATIONS_SCHEMA}"`;

/** Provider connections; every query but the webhook's lookup by id is scoped by organization. */
@Injectable()
export class ConnectionsRepository {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(TRANSACTION) private readonly transaction: Transactional,
  ) {}

  count(organizationId: string): Promise<number> {
    return this.dataSource.getRepository(ConnectionEntity).countBy({ organizationId });
  }

  async insert(row: ConnectionEntity): Promise<ConnectionEntity> {
    await this.dataSource.getRepository(ConnectionEntity).insert(row);
    return row;
  }

  find(organizationId: string, id: string): Promise<ConnectionEntity | null> {
    return this.dataSource.getRepository(ConnectionEntity).findOneBy({ organizationId, id });
  }

  /** A provider's webhook names only the connection: the organization is learnt from it. */
  findForWebhook(id: string): Promise<ConnectionEntity | null> {
    return this.dataSource.getRepository(ConnectionEntity).findOneBy({ id });
  }

  list(
    organizationId: string,
    provider: IntegrationProvider | undefined,
    limit: number,
    after?: CursorPosition,
  ): Promise<ConnectionEntity[]> {
    const query = this.dataSource
      .getRepository(ConnectionEntity)
      .createQueryBuilder('c')
      .where('c.organization_id = :organizationId', { organizationId });
    if (provider) query.andWhere('c.provider = :provider', { provider });
    if (after)
      query.andWhere('(c.created_at, c.id) < (:afterAt, :afterId)', { afterAt: after.at, afterId: after.id });
    return query.orderBy('c.created_at', 'DESC').addOrderBy('c.id', 'DESC').limit(limit).getMany();
  }

  /** Locks the connection, lets `change` compute its new secrets, and stores them (one at a time per connection). */
  update(
    organizationId: string,
    id: string,
    change: (row: ConnectionEntity) => Pick<ConnectionEntity, 'secrets' | 'hasApiKey'>,
  ): Promise<ConnectionEntity | null> {
    return this.transaction(async (manager) => {
      const repo = manager.getRepository(ConnectionEntity);
      const row = await repo.findOne({ where: { organizationId, id }, lock: { mode: 'pessimistic_write' } });
      if (!row) return null;
      const changed = change(row);
      await repo.update({ organizationId, id }, changed);
      return Object.assign(row, changed);
    });
  }

  /** Deletes the connection and its inbound webhooks (purchases keep its id as history). */
  delete(organizationId: string, id: string): Promise<ConnectionEntity | null> {
    return this.transaction(async (manager) => {
      const row = await manager.getRepository(ConnectionEntity).findOneBy({ organizationId, id });
      if (!row) return null;
      await manager.query(
        `DELETE FROM ${S}.inbound_webhooks WHERE organization_id = $1 AND connection_id = $2`,
        [organizationId, id],
      );
      await manager.getRepository(ConnectionEntity).delete({ organizationId, id });
      return row;
    });
  }
}
