import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { InboundWebhookStatus, IntegrationProvider } from '@rocketlead/contracts';

/**
 * A provider webhook as received (verified), and what became of it. Stripe events are unique per connection
 * by event id, so a redelivery is recognised; Eventbrite notifications carry no id (registrations dedupe).
 */
@Entity({ name: 'inbound_webhooks' })
@Index('inbound_webhooks_connection_received', ['organizationId', 'connectionId', 'receivedAt', 'id'])
@Index('inbound_webhooks_stripe_event_key', ['connectionId', 'externalId'], {
  unique: true,
  where: "provider = 'stripe'",
})
export class InboundWebhookEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'connection_id', type: 'uuid' })
  connectionId: string;

  @Column({ type: 'text' })
  provider: IntegrationProvider;

  @Column({ name: 'external_id', type: 'text' })
  externalId: string;

  @Column({ name: 'event_type', type: 'text' })
  eventType: string;

  /** The raw body as received (Stripe's signed bytes), read again by each processing attempt. */
  @Column({ type: 'text' })
  payload: string;

  @Column({ type: 'text' })
  status: InboundWebhookStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt: Date | null;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;

  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt: Date | null;
}
