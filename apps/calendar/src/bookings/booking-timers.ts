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
import { EventsOutbox } from '../outbox/events.outbox';
import { BookingsRepository, toBooking } from './bookings.repository';
import type { BookingEntity } from './booking.entity';

export const TIMED_EVENTS = [APPOINTMENT_HAS_STARTED, APPOINTMENT_HAS_ENDED] as const;
type TimedEvent = (typeof TIMED_EVENTS)[number];

interface TimerPayload {
  bookingId: string;
  organizationId: string;
  scheduledFor: string;
}

const keyOf = (bookingId: string, type: TimedEvent): string => `booking:${bookingId}:${type}`;
const timeOf = (booking: Pick<BookingEntity, 'startAt' | 'endAt'>, type: TimedEvent): Date =>
  type === APPOINTMENT_HAS_STARTED ? booking.startAt : booking.endAt;

/** The hasStarted/hasEnded timers of bookings: kept in step with the booking in its own transaction. */
@Injectable()
export class BookingTimers {
  private readonly timers = new Timers(CALENDAR_SCHEMA);

  constructor(
    private readonly bookings: BookingsRepository,
    private readonly outbox: EventsOutbox,
  ) {}

  /** Schedules each timed event still in the future, cancels the others (times in the past never fire). */
  async sync(manager: EntityManager, booking: BookingEntity, now = new Date()): Promise<void> {
    for (const type of TIMED_EVENTS) {
      const at = timeOf(booking, type);
      if (at.getTime() > now.getTime()) {
        const payload: TimerPayload = {
          bookingId: booking.id,
          organizationId: booking.organizationId,
          scheduledFor: at.toISOString(),
        };
        await this.timers.schedule(manager, { key: keyOf(booking.id, type), kind: type, dueAt: at, payload });
      } else {
        await this.timers.cancel(manager, keyOf(booking.id, type));
      }
    }
  }

  async cancelAll(manager: EntityManager, bookingId: string): Promise<void> {
    for (const type of TIMED_EVENTS) await this.timers.cancel(manager, keyOf(bookingId, type));
  }

  pending(manager: EntityManager, bookingId: string, type: TimedEvent) {
    return this.timers.pending(manager, keyOf(bookingId, type));
  }

  /**
   * Runs when timers fire, in the transaction that marks them fired. Each booking is re-read: a deleted,
   * cancelled, completed or moved booking does not fire a stale timer. (A plain read, not a lock: a change
   * that commits meanwhile waits for the timer's row, so it happens after this firing.) One read and one
   * outbox write serve a whole burst.
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
          // Timed events are caused by the clock, not by a caller.
          actor: {
            organizationId: row.organizationId,
            channel: 'system',
            apiTokenId: null,
            memberId: null,
            correlationId: row.id,
            traceparent: null,
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
