import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { Attendee, BookingStatus } from '@rocketlead/contracts';
import { CalendarEntity } from '../calendars/calendar.entity';

@Entity({ name: 'bookings' })
@Index('bookings_calendar_page_idx', ['organizationId', 'calendarId', 'startAt', 'id'])
@Index('bookings_org_page_idx', ['organizationId', 'startAt', 'id'])
export class BookingEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'calendar_id', type: 'uuid' })
  calendarId: string;

  @ManyToOne(() => CalendarEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'calendar_id' })
  calendar?: CalendarEntity;

  @Column({ name: 'table_entry_id', type: 'uuid', nullable: true })
  tableEntryId: string | null;

  @Column({ type: 'text', nullable: true })
  title: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'::jsonb" })
  attendees: Attendee[];

  @Column({ name: 'start_at', type: 'timestamptz' })
  startAt: Date;

  @Column({ name: 'end_at', type: 'timestamptz' })
  endAt: Date;

  @Column({ type: 'text', default: 'booked' })
  status: BookingStatus;

  // Copied from the calendar so the exclusion constraint can apply to exclusive calendars only.
  @Column({ type: 'boolean', default: false })
  exclusive: boolean;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
