import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { RegistrationSource } from '@rocketlead/contracts';
import { CrmEventEntity } from './crm-event.entity';

export type RegistrationStatus = 'active' | 'cancelled';

/** The unique index that gives a contact at most one registration per event. */
export const REGISTRATION_UNIQUE = 'event_registrations_event_entry_unique';

@Entity({ name: 'event_registrations' })
@Index(REGISTRATION_UNIQUE, ['eventId', 'entryId'], { unique: true })
// Paging oldest first, and counting or finding the active registrations of an event (by email for a cancel).
@Index('event_registrations_page_idx', ['eventId', 'createdAt', 'id'])
@Index('event_registrations_email_idx', ['eventId', 'email'])
export class EventRegistrationEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'event_id', type: 'uuid' })
  eventId: string;

  // Deleting an event deletes its registrations.
  @ManyToOne(() => CrmEventEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id' })
  event?: CrmEventEntity;

  @Column({ name: 'entry_id', type: 'uuid' })
  entryId: string;

  /** Normalised (trimmed, lower-cased): an RSVP cancel finds the registration by it. */
  @Column({ type: 'text' })
  email: string;

  @Column({ type: 'text' })
  source: RegistrationSource;

  @Column({ type: 'text', default: 'active' })
  status: RegistrationStatus;

  /** The pool the contact lives in (the CRM event's, or an Eventbrite connection's); null before it was kept. */
  @Column({ name: 'table_id', type: 'uuid', nullable: true })
  tableId: string | null;

  @Column({ name: 'external_order_id', type: 'text', nullable: true })
  externalOrderId: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true })
  cancelledAt: Date | null;
}
