import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  APPOINTMENT_HAS_ENDED,
  APPOINTMENT_HAS_STARTED,
  createEvent,
  type TimedBookingData,
} from '@rocketlead/contracts';
import { Timers, type FiredTimer } from '@rocketlead/timers';
import { CALENDAR_SCHEMA } from '../database/entities';
import { ServiceOutbox } from '@rocketlead/messaging';
import { BookingsRepository, toBooking } from './bookings.repository';
import type { BookingEntity } from './booking.entity';

export const TIMED_EVENTS = [APPOINTMENT_HAS_STARTED, APPOINTMENT_HAS_ENDED] as const;
export type TimedEvent = (typeof TIMED_EVENTS)[number];

export interface TimerPayload {
  bookingId: string;
  organizationId: string;
  scheduledFor: string;
}

export const timerKey = (bookingId: string, type: TimedEvent): string => `booking:${bookingId}:${type}`;
const timeOf = (booking: Pick<BookingEntity, 'startAt' | 'endAt'>, type: TimedEvent): Date =>
  type === APPOINTMENT_HAS_STARTED ? booking.startAt : booking.endAt;

export type TimerStep =
  { action: 'schedule'; type: TimedEvent; dueAt: Date } | { action: 'cancel'; type: TimedEvent };

/** What the timers of a booking with these times should be: only times still in the future ever fire. */
export function timerPlan(booking: Pick<BookingEntity, 'startAt' | 'endAt'>, now: Date): TimerStep[] {
  return TIMED_EVENTS.map((type) => {
    const dueAt = timeOf(booking, type);
    return dueAt.getTime() > now.getTime()
      ? { action: 'schedule' as const, type, dueAt }
      : { action: 'cancel' as const, type };
  });
}

/** The hasStarted/hasEnded timers of bookings: kept in step with the booking in its own transaction. */
@Injectable()
export class BookingTimers {
  private readonly timers = new Timers(CALENDAR_SCHEMA);

  constructor(
    private readonly bookings: BookingsRepository,
    private readonly outbox: ServiceOutbox,
  ) {}

  /** Schedules each timed event still in the future (again, when moved), cancels the others. */
  async sync(manager: EntityManager, booking: BookingEntity, now = new Date()): Promise<void> {
    for (const step of timerPlan(booking, now)) {
      const key = timerKey(booking.id, step.type);
      if (step.action === 'cancel') {
        await this.timers.cancel(manager, key);
        continue;
      }
      // schedule, not reschedule: the payload's scheduledFor changes with the time.
      const payload: TimerPayload = {
        bookingId: booking.id,
        organizationId: booking.organizationId,
        scheduledFor: step.dueAt.toISOString(),
      };
      await this.timers.schedule(manager, { key, kind: step.type, dueAt: step.dueAt, payload });
    }
  }

  async cancelAll(manager: EntityManager, bookingId: string): Promise<void> {
    for (const type of TIMED_EVENTS) await this.timers.cancel(manager, timerKey(bookingId, type));
  }

  /**
   * Runs when timers fire, in the transaction that marks them fired. Each booking is re-read: a deleted,
   * cancelled, completed or moved booking does not fire a stale timer. One read and one outbox write serve
   * a whole burst.
   *
   * A plain read, deliberately not FOR UPDATE: the runner already holds the timers' rows, and every change
   * that can make a timer stale (move, cancel, complete, delete) locks its booking first and then writes the
   * timer's row. Locking the bookings here would take the two locks in the opposite order (a deadlock);
   * without it, such a change waits for this firing to commit and then finds the timer fired.
   */
  async fireAll(timers: FiredTimer[], manager: EntityManager): Promise<void> {
    const due = timers.filter((t) => (TIMED_EVENTS as readonly string[]).includes(t.kind));
    if (due.length === 0) return;
    const rows = await this.bookings.findMany(
      due.map((t) => (t.payload as TimerPayload).bookingId),
      manager,
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    const events = [];
    for (const timer of due) {
      const kind = timer.kind as TimedEvent;
      const payload = timer.payload as TimerPayload;
      const row = byId.get(payload.bookingId);
      if (!row || row.organizationId !== payload.organizationId || row.status !== 'booked') continue;
      if (timeOf(row, kind).getTime() !== Date.parse(payload.scheduledFor)) continue;
      const data: TimedBookingData = {
        ...toBooking(row),
        scheduledFor: payload.scheduledFor,
        firedAt: timer.firedAt.toISOString(),
        late: timer.late,
      };
      events.push(
        createEvent({
          type: kind,
          source: '/calendar',
          subject: row.id,
          data,
          // Timed events are caused by the clock, not by a caller: each firing is its own trace.
          actor: {
            organizationId: row.organizationId,
            channel: 'system',
            apiTokenId: null,
            memberId: null,
            correlationId: row.id,
            traceparent: timer.traceparent,
          },
        }),
      );
    }
    await this.outbox.append(manager, events);
  }

  fire(timer: FiredTimer, manager: EntityManager): Promise<void> {
    return this.fireAll([timer], manager);
  }
}
