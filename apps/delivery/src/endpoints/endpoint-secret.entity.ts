import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A signing secret of an endpoint, encrypted (AES-256-GCM) because signing needs it back. An endpoint has
 * one current secret (no expiry) and, for 24 h after a rotation, the previous one too.
 */
@Entity({ name: 'endpoint_secrets' })
@Index('endpoint_secrets_endpoint', ['endpointId'])
export class EndpointSecretEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'endpoint_id', type: 'uuid' })
  endpointId: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ type: 'bytea' })
  ciphertext: Buffer;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;
}
