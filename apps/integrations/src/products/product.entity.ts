import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A product purchases are recorded for; linked to Stripe by price id and/or product id. */
@Entity({ name: 'products' })
@Index('products_org_created', ['organizationId', 'createdAt', 'id'])
@Index('products_org_price_key', ['organizationId', 'stripePriceId'], {
  unique: true,
  where: 'stripe_price_id IS NOT NULL',
})
@Index('products_org_stripe_product', ['organizationId', 'stripeProductId'], {
  where: 'stripe_product_id IS NOT NULL',
})
export class ProductEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'stripe_product_id', type: 'text', nullable: true })
  stripeProductId: string | null;

  @Column({ name: 'stripe_price_id', type: 'text', nullable: true })
  stripePriceId: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
