import { Column, Entity, Exclusion, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { Attendee, BookingStatus } from '@rocketlead/contracts';
import { CalendarEntity } from '../calendars/calendar.entity';

/** The name of the exclusion constraint that refuses overlapping active bookings on exclusive calendars. */
export const NO_OVERLAP_CONSTRAINT = 'bookings_no_overlap_on_exclusive';

@Entity({ name: 'bookings' })
// Declared here (created in the migration, after `CREATE EXTENSION btree_gist`) so that a generated
// migration sees it as part of the model instead of dropping it.
@Exclusion(
  NO_OVERLAP_CONSTRAINT,
  `USING gist ("calendar_id" WITH =, tstzrange("start_at", "end_at", '[)') WITH &&) WHERE ("exclusive" AND "status" = 'booked')`,
)
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

  // Written without the ::jsonb cast: TypeORM strips casts from the defaults it reads back, so a cast here
  // would show up as a change in every generated migration.
  @Column({ type: 'jsonb', default: () => "'[]'" })
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
