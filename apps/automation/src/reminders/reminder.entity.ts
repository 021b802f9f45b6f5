import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * - `planned`: its timer is pending;
 * - `fired`: its time came and its run was recorded (`run_id`);
 * - `skipped`: its time came and the trigger's conditions were not met (no run);
 * - `cancelled`: it will not fire as planned (automation paused or changed, booking moved past its time);
 *   planned again when that changes back;
 * - `ended`: its booking was cancelled, completed or deleted; never planned again.
 */
export const REMINDER_STATES = ['planned', 'fired', 'skipped', 'cancelled', 'ended'] as const;
export type ReminderState = (typeof REMINDER_STATES)[number];

/**
 * One appointment reminder: an automation with a calendar.appointment.before / after trigger, a booking, the
 * trigger's offset. Unique per (automation, booking, offset), so it fires at most once; its timer is keyed the
 * same way (reminderKey).
 */
@Entity({ name: 'reminders' })
// A booking's reminders, when it moves or ends.
@Index('reminders_booking_idx', ['organizationId', 'bookingId'])
export class ReminderEntity {
  @PrimaryColumn({ name: 'automation_id', type: 'uuid' })
  automationId: string;

  @PrimaryColumn({ name: 'booking_id', type: 'uuid' })
  bookingId: string;

  /** The trigger's ISO-8601 offset as written (PT24H). */
  @PrimaryColumn({ type: 'text' })
  offset: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'calendar_id', type: 'uuid' })
  calendarId: string;

  /** calendar.appointment.before or calendar.appointment.after. */
  @Column({ name: 'event_type', type: 'text' })
  eventType: string;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt: Date;

  /** The booking version it was planned from: an older copy of the booking never overwrites a newer plan. */
  @Column({ name: 'booking_updated_at', type: 'timestamptz' })
  bookingUpdatedAt: Date;

  @Column({ type: 'text', default: 'planned' })
  state: ReminderState;

  /** Why it was skipped, cancelled or ended. */
  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ name: 'run_id', type: 'uuid', nullable: true })
  runId: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
