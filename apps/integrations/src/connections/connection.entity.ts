import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { IntegrationProvider } from '@rocketlead/contracts';

/**
 * A provider connection of an organization. Its secrets (Stripe: webhook secret and API key; Eventbrite: API
 * token) are needed in clear to verify and to call the provider, so they are sealed (AES-256-GCM, one JSON
 * object) rather than hashed; `has_api_key` answers "can line items be read" without opening them.
 */
@Entity({ name: 'connections' })
@Index('connections_org_created', ['organizationId', 'createdAt', 'id'])
export class ConnectionEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ type: 'text' })
  provider: IntegrationProvider;

  @Column({ name: 'table_id', type: 'uuid' })
  tableId: string;

  @Column({ type: 'bytea' })
  secrets: Buffer;

  @Column({ name: 'has_api_key', type: 'boolean' })
  hasApiKey: boolean;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
