import { describe, expect, it } from '@jest/globals';
import {
  APPOINTMENT_AFTER,
  APPOINTMENT_BEFORE,
  APPOINTMENT_BOOKED,
  type Booking,
} from '@rocketlead/contracts';
import { buildIndex, type ActiveAutomation } from '../engine/matcher';
import {
  bookingsFrom,
  planBooking,
  reminderDue,
  reminderKey,
  reminderScope,
  reminderTrigger,
  remindersOf,
} from './reminder-plan';

const calendarId = '0190a000-0000-7000-8000-000000000001';
const otherCalendar = '0190a000-0000-7000-8000-000000000002';

const booking: Booking = {
  id: '0190a000-0000-7000-8000-0000000000b1',
  calendarId,
  organizationId: '0190a000-0000-7000-8000-0000000000a1',
  tableEntryId: null,
  title: null,
  attendees: [],
  startDateTime: '2026-03-10T10:00:00.000Z',
  endDateTime: '2026-03-10T11:00:00.000Z',
  status: 'booked',
  createdAt: '2026-03-01T09:00:00.000Z',
  updatedAt: '2026-03-01T09:00:00.000Z',
};

let seq = 0;
const automation = (trigger: ActiveAutomation['trigger']): ActiveAutomation => ({
  id: `0190a000-0000-7000-8000-00000000000${(seq += 1)}`,
  organizationId: booking.organizationId,
  seq,
  name: 'a',
  trigger,
  actions: [],
  sandbox: false,
  version: 1,
});

describe('reminder plan', () => {
  it('reads a reminder trigger: anchor and direction from the contracts, offset parsed', () => {
    expect(
      reminderTrigger({ event: APPOINTMENT_BEFORE, offset: 'PT24H', triggerId: calendarId }),
    ).toMatchObject({
      event: APPOINTMENT_BEFORE,
      offset: 'PT24H',
      calendarId,
      anchor: 'startDateTime',
      direction: -1,
    });
    expect(reminderTrigger({ event: APPOINTMENT_AFTER, offset: 'P1D' })).toMatchObject({
      calendarId: null,
      anchor: 'endDateTime',
      direction: 1,
    });
    expect(reminderTrigger({ event: APPOINTMENT_BOOKED })).toBeNull();
    expect(reminderTrigger({ event: APPOINTMENT_BEFORE, offset: 'soon' })).toBeNull();
  });

  it('is due at start − offset (before) or end + offset (after)', () => {
    const before = reminderTrigger({ event: APPOINTMENT_BEFORE, offset: 'PT24H' })!;
    const after = reminderTrigger({ event: APPOINTMENT_AFTER, offset: 'PT30M' })!;
    expect(reminderDue(booking, before).toISOString()).toBe('2026-03-09T10:00:00.000Z');
    expect(reminderDue(booking, after).toISOString()).toBe('2026-03-10T11:30:00.000Z');
  });

  it('plans the reminders due from `since` on; those already past are not planned', () => {
    const day = automation({ event: APPOINTMENT_BEFORE, offset: 'P1D', triggerId: calendarId });
    const hour = automation({ event: APPOINTMENT_BEFORE, offset: 'PT1H' });
    const reminders = [day, hour].map((a) => ({ automation: a, trigger: reminderTrigger(a.trigger)! }));
    const { due, passed } = planBooking(booking, reminders, new Date('2026-03-09T12:00:00Z'));
    expect(due.map((r) => [r.automationId, r.dueAt.toISOString()])).toEqual([
      [hour.id, '2026-03-10T09:00:00.000Z'],
    ]);
    expect(passed.map((r) => r.automationId)).toEqual([day.id]);
    expect(due[0]).toMatchObject({
      bookingId: booking.id,
      offset: 'PT1H',
      calendarId,
      eventType: APPOINTMENT_BEFORE,
      bookingUpdatedAt: new Date(booking.updatedAt),
    });
  });

  it('finds the automations reminding of a calendar: scoped to it or to every calendar', () => {
    const here = automation({ event: APPOINTMENT_BEFORE, offset: 'PT1H', triggerId: calendarId });
    const everywhere = automation({ event: APPOINTMENT_AFTER, offset: 'PT1H' });
    const elsewhere = automation({ event: APPOINTMENT_BEFORE, offset: 'PT1H', triggerId: otherCalendar });
    const notReminder = automation({ event: APPOINTMENT_BOOKED });
    const index = buildIndex([here, everywhere, elsewhere, notReminder]);
    expect(remindersOf(index, calendarId).map((r) => r.automation.id)).toEqual([here.id, everywhere.id]);
  });

  it('changes scope when the status, event, calendar or offset change, not the conditions', () => {
    const trigger = { event: APPOINTMENT_BEFORE, offset: 'PT1H', triggerId: calendarId };
    const scope = reminderScope({ status: 'active', trigger });
    expect(reminderScope({ status: 'paused', trigger })).toBeNull();
    expect(reminderScope({ status: 'active', trigger: { ...trigger, conditions: { x: 1 } } })).toBe(scope);
    expect(reminderScope({ status: 'active', trigger: { ...trigger, offset: 'PT2H' } })).not.toBe(scope);
    expect(reminderScope({ status: 'active', trigger: { ...trigger, triggerId: null } })).not.toBe(scope);
  });

  it('lists bookings that can still have a reminder due: a before one ends after `since`', () => {
    const since = new Date('2026-03-09T12:00:00Z');
    expect(bookingsFrom(reminderTrigger({ event: APPOINTMENT_BEFORE, offset: 'PT1H' })!, since)).toEqual(
      since,
    );
    // After: ends after since − offset, with a day of margin.
    expect(
      bookingsFrom(reminderTrigger({ event: APPOINTMENT_AFTER, offset: 'PT1H' })!, since).toISOString(),
    ).toBe('2026-03-08T11:00:00.000Z');
  });

  it('keys a reminder timer per (automation, booking, offset)', () => {
    expect(reminderKey({ automationId: 'a', bookingId: 'b', offset: 'PT1H' })).toBe('reminder:a:b:PT1H');
  });
});
