import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * An outbox row that can never be published (larger than the NATS max payload, or refused by the stream
 * until its attempts ran out), moved aside so it does not hold up the rows behind it. Kept for inspection
 * and replay for the dead-letter retention period.
 */
@Entity({ name: 'outbox_dead_letter' })
@Index('outbox_dead_letter_dead_at_idx', ['deadAt'])
export class OutboxDeadLetterEntity {
  /** The id the row had in the outbox. */
  @PrimaryColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'event_id', type: 'uuid', unique: true })
  eventId: string;

  @Column({ type: 'text' })
  type: string;

  @Column({ name: 'organization_id', type: 'text', nullable: true })
  organizationId: string | null;

  @Column({ type: 'jsonb' })
  payload: unknown;

  @Column({ type: 'int' })
  attempts: number;

  @Column({ type: 'text' })
  reason: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'dead_at', type: 'timestamptz', default: () => 'now()' })
  deadAt: Date;
}
