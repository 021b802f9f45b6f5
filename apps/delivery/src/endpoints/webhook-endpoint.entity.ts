import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { WebhookFormat } from '@rocketlead/contracts';

@Entity({ name: 'webhook_endpoints' })
@Index('webhook_endpoints_org_created', ['organizationId', 'createdAt', 'id'])
export class WebhookEndpointEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ type: 'text' })
  url: string;

  @Column({ type: 'text' })
  format: WebhookFormat;

  @Column({ name: 'event_types', type: 'jsonb', default: () => `'[]'` })
  eventTypes: string[];

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ name: 'timeout_ms', type: 'integer' })
  timeoutMs: number;

  @Column({ type: 'boolean' })
  enabled: boolean;

  @Column({ name: 'disabled_reason', type: 'text', nullable: true })
  disabledReason: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
