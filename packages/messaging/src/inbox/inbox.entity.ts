import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Records that a consumer handled an event; written in the handler's transaction so redeliveries are no-ops. */
@Entity({ name: 'inbox' })
export class InboxEntity {
  @PrimaryColumn({ type: 'text' })
  consumer: string;

  @PrimaryColumn({ name: 'event_id', type: 'uuid' })
  eventId: string;

  @Column({ name: 'handled_at', type: 'timestamptz', default: () => 'now()' })
  handledAt: Date;
}
