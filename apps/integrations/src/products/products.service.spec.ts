import { describe, expect, it } from '@jest/globals';
import { uuidv7 } from '@rocketlead/contracts';
import type { ProductEntity } from './product.entity';
import { matchLineItems } from './products.service';

function product(name: string, ids: { price?: string; product?: string }): ProductEntity {
  const now = new Date();
  return {
    id: uuidv7(),
    organizationId: uuidv7(),
    name,
    stripePriceId: ids.price ?? null,
    stripeProductId: ids.product ?? null,
    createdAt: now,
    updatedAt: now,
  };
}

describe('matchLineItems', () => {
  const byPrice = product('By price', { price: 'price_1', product: 'prod_shared' });
  const byProduct = product('By product', { product: 'prod_shared' });
  const other = product('Other', { price: 'price_2' });

  it('matches an item by its price first, then by its product', () => {
    expect(
      matchLineItems([byProduct, byPrice, other], [{ priceId: 'price_1', productId: 'prod_shared' }]),
    ).toEqual([byPrice]);
    expect(matchLineItems([byProduct, byPrice], [{ priceId: 'price_9', productId: 'prod_shared' }])).toEqual([
      byProduct,
    ]);
  });

  it('counts a product bought twice once, and matches nothing for unknown items', () => {
    expect(
      matchLineItems(
        [byPrice, other],
        [
          { priceId: 'price_1', productId: null },
          { priceId: 'price_1', productId: null },
          { priceId: 'price_2', productId: null },
        ],
      ),
    ).toEqual([byPrice, other]);
    expect(
      matchLineItems(
        [byPrice],
        [
          { priceId: null, productId: null },
          { priceId: 'x', productId: 'y' },
        ],
      ),
    ).toEqual([]);
  });
});
