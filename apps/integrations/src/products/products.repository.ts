import { Injectable } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import type { CursorPosition } from '@rocketlead/persistence';
import { ProductEntity } from './product.entity';

const UNIQUE_VIOLATION = '23505';

/** True when `error` is the clash of two products of an organization on one Stripe price id. */
export function isPriceIdConflict(error: unknown): boolean {
  const e = error as {
    code?: string;
    constraint?: string;
    driverError?: { code?: string; constraint?: string };
  };
  return (
    (e.code ?? e.driverError?.code) === UNIQUE_VIOLATION &&
    (e.constraint ?? e.driverError?.constraint) === 'products_org_price_key'
  );
}

export type ProductChanges = Partial<Pick<ProductEntity, 'name' | 'stripeProductId' | 'stripePriceId'>>;

/** Products of organizations; every query is scoped by organization. */
@Injectable()
export class ProductsRepository {
  constructor(private readonly dataSource: DataSource) {}

  count(organizationId: string): Promise<number> {
    return this.dataSource.getRepository(ProductEntity).countBy({ organizationId });
  }

  async insert(row: ProductEntity): Promise<ProductEntity> {
    await this.dataSource.getRepository(ProductEntity).insert(row);
    return row;
  }

  find(organizationId: string, id: string): Promise<ProductEntity | null> {
    return this.dataSource.getRepository(ProductEntity).findOneBy({ organizationId, id });
  }

  list(organizationId: string, limit: number, after?: CursorPosition): Promise<ProductEntity[]> {
    const query = this.dataSource
      .getRepository(ProductEntity)
      .createQueryBuilder('p')
      .where('p.organization_id = :organizationId', { organizationId });
    if (after)
      query.andWhere('(p.created_at, p.id) < (:afterAt, :afterId)', { afterAt: after.at, afterId: after.id });
    return query.orderBy('p.created_at', 'DESC').addOrderBy('p.id', 'DESC').limit(limit).getMany();
  }

  async update(organizationId: string, id: string, changes: ProductChanges): Promise<ProductEntity | null> {
    const repo = this.dataSource.getRepository(ProductEntity);
    const row = await repo.findOneBy({ organizationId, id });
    if (!row) return null;
    Object.assign(row, changes, { updatedAt: new Date() });
    await repo.update({ organizationId, id }, { ...changes, updatedAt: row.updatedAt });
    return row;
  }

  async delete(organizationId: string, id: string): Promise<ProductEntity | null> {
    const repo = this.dataSource.getRepository(ProductEntity);
    const row = await repo.findOneBy({ organizationId, id });
    if (!row) return null;
    await repo.delete({ organizationId, id });
    return row;
  }

  /** The organization's products among `ids` (ids that are not products are left out). */
  byIds(organizationId: string, ids: string[], manager?: EntityManager): Promise<ProductEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return (manager ?? this.dataSource.manager)
      .getRepository(ProductEntity)
      .findBy({ organizationId, id: In(ids) });
  }

  /** The organization's products linked to any of these Stripe prices or products. */
  byStripeIds(organizationId: string, priceIds: string[], productIds: string[]): Promise<ProductEntity[]> {
    if (priceIds.length === 0 && productIds.length === 0) return Promise.resolve([]);
    return this.dataSource
      .getRepository(ProductEntity)
      .createQueryBuilder('p')
      .where('p.organization_id = :organizationId', { organizationId })
      .andWhere('(p.stripe_price_id = ANY(:priceIds) OR p.stripe_product_id = ANY(:productIds))', {
        priceIds,
        productIds,
      })
      .orderBy('p.created_at')
      .addOrderBy('p.id')
      .getMany();
  }
}
