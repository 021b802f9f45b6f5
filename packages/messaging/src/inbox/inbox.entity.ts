import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Records that a consumer handled an event; written in the handler's transaction so redeliveries are no-ops.
 * Deleted after the inbox retention period (by `handled_at`, hence its index).
 */
@Entity({ name: 'inbox' })
@Index('inbox_handled_at_idx', ['handledAt'])
export class InboxEntity {
  @PrimaryColumn({ type: 'text' })
  consumer: string;

  @PrimaryColumn({ name: 'event_id', type: 'uuid' })
  eventId: string;

  @Column({ name: 'handled_at', type: 'timestamptz', default: () => 'now()' })
  handledAt: Date;
}
