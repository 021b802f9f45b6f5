import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

// Postgres returns bigint as a string; Stripe amounts fit a JS number.
const bigintNumber = {
  to: (value: number | null): number | null => value,
  from: (value: string | null): number | null => (value === null ? null : Number(value)),
};

/**
 * A product bought in one Stripe checkout session. A session buys a product once, however many of its events
 * arrive (`completed` and `async_payment_succeeded`, redeliveries). `connection_id` is history: the
 * connection may be deleted since.
 */
@Entity({ name: 'purchases' })
@Index('purchases_session_product_key', ['organizationId', 'stripeSessionId', 'productId'], { unique: true })
@Index('purchases_org_product', ['organizationId', 'productId'])
export class PurchaseEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'connection_id', type: 'uuid' })
  connectionId: string;

  @Column({ name: 'product_id', type: 'uuid' })
  productId: string;

  @Column({ name: 'entry_id', type: 'uuid' })
  entryId: string;

  @Column({ name: 'stripe_session_id', type: 'text' })
  stripeSessionId: string;

  @Column({ name: 'stripe_event_id', type: 'text' })
  stripeEventId: string;

  @Column({ name: 'amount_total', type: 'bigint', nullable: true, transformer: bigintNumber })
  amountTotal: number | null;

  @Column({ type: 'text', nullable: true })
  currency: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
