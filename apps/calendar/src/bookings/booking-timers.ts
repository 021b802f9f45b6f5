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
   * Runs when a timer fires, in the transaction that marks it fired. The booking is re-read: a deleted,
   * cancelled, completed or moved booking does not fire a stale timer. (A plain read, not a lock: a change
   * that commits meanwhile waits for this timer's row, so it happens after this firing.)
   */
  async fire(timer: FiredTimer, manager: EntityManager): Promise<void> {
    const kind = timer.kind as TimedEvent;
    if (!TIMED_EVENTS.includes(kind)) return;
    const payload = timer.payload as TimerPayload;
    const row = await this.bookings.find(payload.organizationId, payload.bookingId, manager);
    if (!row || row.status !== 'booked' || timeOf(row, kind).getTime() !== Date.parse(payload.scheduledFor))
      return;
    const data: TimedBookingData = {
      ...toBooking(row),
      scheduledFor: payload.scheduledFor,
      firedAt: timer.firedAt.toISOString(),
      late: timer.late,
    };
    await this.outbox.append(manager, [
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
    ]);
  }
}
