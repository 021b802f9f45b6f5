import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Idempotency keys of entry updates (automation steps send `<runId>:<step>`): written in the update's
 * transaction, so a retried or resumed step finds its key and changes nothing again.
 */
@Entity({ name: 'applied_updates' })
export class AppliedUpdateEntity {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @PrimaryColumn({ name: 'idempotency_key', type: 'text' })
  idempotencyKey: string;

  @Column({ name: 'entry_id', type: 'uuid' })
  entryId: string;

  @Column({ name: 'applied_at', type: 'timestamptz', default: () => 'now()' })
  appliedAt: Date;
}
