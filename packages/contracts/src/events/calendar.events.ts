import { BOOKING_STATUSES, type Booking } from '../models';
import { s } from '../validation';

export const APPOINTMENT_BOOKED = 'calendar.appointment.booked';
export const APPOINTMENT_HAS_STARTED = 'calendar.appointment.hasStarted';
export const APPOINTMENT_HAS_ENDED = 'calendar.appointment.hasEnded';
export const APPOINTMENT_UPDATED = 'calendar.appointment.updated';
export const APPOINTMENT_CANCELLED = 'calendar.appointment.cancelled';
export const APPOINTMENT_COMPLETED = 'calendar.appointment.completed';
export const APPOINTMENT_DELETED = 'calendar.appointment.deleted';
/** Reminders: fired by automation for each booking at start − offset (before) or end + offset (after). */
export const APPOINTMENT_BEFORE = 'calendar.appointment.before';
export const APPOINTMENT_AFTER = 'calendar.appointment.after';

/** A timed event: the booking, when it was due, and when it actually fired. */
export type TimedBookingData = Booking & { scheduledFor: string; firedAt: string; late: boolean };

/** A reminder: the timed booking and the trigger's offset (ISO-8601 duration) it fired for. */
export type BookingReminderData = TimedBookingData & { offset: string };

export interface BookingUpdatedData {
  booking: Booking;
  previous: { startDateTime: string; endDateTime: string; title: string | null };
}

export const bookingSchema = s.object(bookingShape());

export const timedBookingSchema = s.object({
  ...bookingShape(),
  scheduledFor: s.isoDate(),
  firedAt: s.isoDate(),
  late: s.boolean(),
});

export const bookingReminderSchema = s.object({
  ...bookingShape(),
  scheduledFor: s.isoDate(),
  firedAt: s.isoDate(),
  late: s.boolean(),
  offset: s.string({ min: 1, max: 64 }),
});

export const bookingUpdatedSchema = s.object({
  booking: bookingSchema,
  previous: s.object({ startDateTime: s.isoDate(), endDateTime: s.isoDate(), title: s.nullable(s.string()) }),
});

function bookingShape() {
  return {
    id: s.uuid(),
    calendarId: s.uuid(),
    organizationId: s.uuid(),
    tableEntryId: s.nullable(s.uuid()),
    title: s.nullable(s.string()),
    attendees: s.array(s.record(s.string())),
    startDateTime: s.isoDate(),
    endDateTime: s.isoDate(),
    status: s.literal(...BOOKING_STATUSES),
    createdAt: s.isoDate(),
    updatedAt: s.isoDate(),
  };
}
