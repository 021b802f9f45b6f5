import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A client's Idempotency-Key (scoped to the organization and the credential that sent it): the request it was first used with and the response it got. */
@Entity({ name: 'idempotency_keys' })
@Index('idempotency_keys_expiry_idx', ['expiresAt'])
export class IdempotencyKeyEntity {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  /** The API token or ingress webhook that sent the key: each credential has its own keys. */
  @PrimaryColumn({ name: 'credential_id', type: 'uuid' })
  credentialId: string;

  @PrimaryColumn({ type: 'text' })
  key: string;

  /** SHA-256 of the route and canonical body; a different request with the same key is refused. */
  @Column({ name: 'request_hash', type: 'bytea' })
  requestHash: Buffer;

  /** Passed downstream so a retry after a crash finds the entry the first attempt created. */
  @Column({ name: 'reservation_id', type: 'uuid' })
  reservationId: string;

  @Column({ type: 'text' })
  state: 'pending' | 'completed';

  @Column({ name: 'response_status', type: 'int', nullable: true })
  responseStatus: number | null;

  @Column({ name: 'response_body', type: 'jsonb', nullable: true })
  responseBody: unknown;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'locked_until', type: 'timestamptz' })
  lockedUntil: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
