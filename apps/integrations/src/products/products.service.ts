import { Injectable } from '@nestjs/common';
import {
  DomainError,
  INTEGRATION_LIMITS,
  isUuid,
  uuidv7,
  type Page,
  type Product,
  type ProductsCreateCommand,
  type ProductsDeleteCommand,
  type ProductsGetCommand,
  type ProductsListCommand,
  type ProductsUpdateCommand,
} from '@rocketlead/contracts';
import { clientCursor, pageOf } from '@rocketlead/persistence';
import type { StripeLineItem } from '../providers';
import type { ProductEntity } from './product.entity';
import { isPriceIdConflict, ProductsRepository, type ProductChanges } from './products.repository';

export const productNotFound = (): DomainError => new DomainError('NOT_FOUND', 'Product not found');

const priceIdTaken = (): DomainError =>
  new DomainError('CONFLICT', 'Another product of this organization has this stripePriceId', {
    errors: [{ field: 'stripePriceId', message: 'is already linked to another product' }],
  });

export function toProduct(row: ProductEntity): Product {
  return {
    id: row.id,
    name: row.name,
    stripeProductId: row.stripeProductId,
    stripePriceId: row.stripePriceId,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** `work`, with a clash on the organization's Stripe price ids answered as a 409 naming stripePriceId. */
async function mapPriceConflict<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (isPriceIdConflict(error)) throw priceIdTaken();
    throw error;
  }
}

/**
 * The products a checkout session's line items buy: each item matched by its price id, else by its product
 * id; a product bought twice counts once.
 */
export function matchLineItems(products: ProductEntity[], items: StripeLineItem[]): ProductEntity[] {
  const matched = new Map<string, ProductEntity>();
  for (const item of items) {
    const product =
      (item.priceId !== null && products.find((p) => p.stripePriceId === item.priceId)) ||
      (item.productId !== null && products.find((p) => p.stripeProductId === item.productId)) ||
      undefined;
    if (product) matched.set(product.id, product);
  }
  return [...matched.values()];
}

/** Products of an organization: what a Stripe purchase is recorded for. */
@Injectable()
export class ProductsService {
  constructor(private readonly products: ProductsRepository) {}

  async create(command: ProductsCreateCommand): Promise<Product> {
    const { organizationId } = command;
    if ((await this.products.count(organizationId)) >= INTEGRATION_LIMITS.productsPerOrganization)
      throw new DomainError(
        'CONFLICT',
        `An organization may have at most ${INTEGRATION_LIMITS.productsPerOrganization} products; delete one first`,
      );
    const now = new Date();
    const row = await mapPriceConflict(
      this.products.insert({
        id: uuidv7(),
        organizationId,
        name: command.name,
        stripeProductId: command.stripeProductId ?? null,
        stripePriceId: command.stripePriceId ?? null,
        createdAt: now,
        updatedAt: now,
      }),
    );
    return toProduct(row);
  }

  async list(command: ProductsListCommand): Promise<Page<Product>> {
    const after = clientCursor(command.cursor);
    const rows = await this.products.list(command.organizationId, command.limit + 1, after);
    return pageOf(rows.map(toProduct), command.limit, (p) => ({ at: p.createdAt, id: p.id }));
  }

  async get(command: ProductsGetCommand): Promise<Product> {
    const row = await this.products.find(command.organizationId, command.id);
    if (!row) throw productNotFound();
    return toProduct(row);
  }

  async update(command: ProductsUpdateCommand): Promise<Product> {
    if (command.name === null)
      throw new DomainError('VALIDATION_FAILED', 'Validation failed', {
        errors: [{ field: 'name', message: 'must not be null' }],
      });
    const changes: ProductChanges = {};
    if (command.name !== undefined) changes.name = command.name;
    if (command.stripeProductId !== undefined) changes.stripeProductId = command.stripeProductId;
    if (command.stripePriceId !== undefined) changes.stripePriceId = command.stripePriceId;
    const row = await mapPriceConflict(this.products.update(command.organizationId, command.id, changes));
    if (!row) throw productNotFound();
    return toProduct(row);
  }

  async delete(command: ProductsDeleteCommand): Promise<Product> {
    const row = await this.products.delete(command.organizationId, command.id);
    if (!row) throw productNotFound();
    return toProduct(row);
  }

  /** The organization's product a session's metadata names, or null (also for an id that is no UUID). */
  async byMetadata(organizationId: string, productId: string): Promise<ProductEntity | null> {
    if (!isUuid(productId)) return null;
    return this.products.find(organizationId, productId);
  }

  /** The organization's products the line items buy (by price id, then product id). */
  async byLineItems(organizationId: string, items: StripeLineItem[]): Promise<ProductEntity[]> {
    const ids = (pick: (item: StripeLineItem) => string | null): string[] => [
      ...new Set(items.map(pick).filter((id): id is string => id !== null)),
    ];
    const candidates = await this.products.byStripeIds(
      organizationId,
      ids((i) => i.priceId),
      ids((i) => i.productId),
    );
    return matchLineItems(candidates, items);
  }
}
