import {
  EVENT_DEFINITIONS,
  REMINDER_EVENT_TYPES,
  addDuration,
  isKnownEventType,
  parseDuration,
  type AutomationStatus,
  type AutomationTrigger,
  type Booking,
  type Duration,
} from '@rocketlead/contracts';
import type { ActiveAutomation, AutomationIndex } from '../engine/matcher';

/** Timer kinds: a reminder's time came; one page of an activated automation's existing bookings to plan. */
export const REMINDER_DUE = 'automation.reminder.due';
export const REMINDER_SYNC = 'automation.reminder.sync';

/** What identifies a reminder (the table's primary key). */
export interface ReminderId {
  automationId: string;
  bookingId: string;
  offset: string;
}

/** A reminder as planned: its id, where it belongs and when it is due. */
export interface PlannedReminder extends ReminderId {
  organizationId: string;
  calendarId: string;
  eventType: string;
  dueAt: Date;
  bookingUpdatedAt: Date;
}

/** The timer of a reminder: one per (automation, booking, offset), as the reminder itself. */
export const reminderKey = (r: ReminderId): string => `reminder:${r.automationId}:${r.bookingId}:${r.offset}`;

/** The trigger key of the reminder's run: the run is unique per (automation, trigger key). */
export const reminderTriggerKey = (bookingId: string, offset: string): string =>
  `reminder:${bookingId}:${offset}`;

/** A reminder trigger, read: what it fires on and where its bookings are. */
export interface ReminderTrigger {
  event: string;
  offset: string;
  duration: Duration;
  /** The calendar it is scoped to; null = every calendar of the organization. */
  calendarId: string | null;
  anchor: 'startDateTime' | 'endDateTime';
  direction: -1 | 1;
}

/** The trigger as a reminder, or null when it is not one (or its offset does not parse). */
export function reminderTrigger(trigger: AutomationTrigger): ReminderTrigger | null {
  if (!isKnownEventType(trigger.event)) return null;
  const reminder = EVENT_DEFINITIONS[trigger.event].reminder;
  const duration = typeof trigger.offset === 'string' ? parseDuration(trigger.offset) : null;
  if (!reminder || !duration || trigger.offset === undefined) return null;
  return {
    event: trigger.event,
    offset: trigger.offset,
    duration,
    calendarId: trigger.triggerId ?? null,
    anchor: reminder.anchor,
    direction: reminder.direction,
  };
}

/** When the trigger's reminder of the booking is due: its start − offset, or its end + offset. */
export function reminderDue(
  booking: Pick<Booking, 'startDateTime' | 'endDateTime'>,
  trigger: ReminderTrigger,
): Date {
  return addDuration(new Date(booking[trigger.anchor]), trigger.duration, trigger.direction);
}

export const coversCalendar = (trigger: ReminderTrigger, calendarId: string): boolean =>
  trigger.calendarId === null || trigger.calendarId === calendarId;

/** What of an automation decides its planned reminders: active, and the trigger's event, scope and offset. */
export function reminderScope(automation: {
  status: AutomationStatus;
  trigger: AutomationTrigger;
}): string | null {
  if (automation.status !== 'active') return null;
  const trigger = reminderTrigger(automation.trigger);
  return trigger ? JSON.stringify([trigger.event, trigger.calendarId, trigger.offset]) : null;
}

/** The active automations of an index that remind of bookings of this calendar, with their trigger. */
export function remindersOf(
  index: AutomationIndex,
  calendarId: string,
): { automation: ActiveAutomation; trigger: ReminderTrigger }[] {
  return REMINDER_EVENT_TYPES.flatMap((type) => index.get(type) ?? []).flatMap((automation) => {
    const trigger = reminderTrigger(automation.trigger);
    return trigger && coversCalendar(trigger, calendarId) ? [{ automation, trigger }] : [];
  });
}

/**
 * The reminders of a booked booking for these automations, split by whether they are due at or after `since`
 * (planned) or before it (the booking was made or moved after that reminder's time: it never fires).
 */
export function planBooking(
  booking: Booking,
  reminders: { automation: { id: string }; trigger: ReminderTrigger }[],
  since: Date,
): { due: PlannedReminder[]; passed: PlannedReminder[] } {
  const due: PlannedReminder[] = [];
  const passed: PlannedReminder[] = [];
  for (const { automation, trigger } of reminders) {
    const reminder: PlannedReminder = {
      automationId: automation.id,
      bookingId: booking.id,
      offset: trigger.offset,
      organizationId: booking.organizationId,
      calendarId: booking.calendarId,
      eventType: trigger.event,
      dueAt: reminderDue(booking, trigger),
      bookingUpdatedAt: new Date(booking.updatedAt),
    };
    (reminder.dueAt.getTime() >= since.getTime() ? due : passed).push(reminder);
  }
  return { due, passed };
}

/**
 * The lower bound (bookings ending after it) of the bookings that may have a reminder due at or after `since`:
 * an after-reminder is due at end + offset; a before-reminder at start − offset, before the end. A day of margin
 * covers calendar arithmetic (months, days) of the offset.
 */
export function bookingsFrom(trigger: ReminderTrigger, since: Date): Date {
  if (trigger.direction === -1) return since;
  return new Date(addDuration(since, trigger.duration, -1).getTime() - 86_400_000);
}
