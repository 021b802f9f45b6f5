import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  validationFailed,
  APPOINTMENT_BOOKED,
  APPOINTMENT_CANCELLED,
  APPOINTMENT_COMPLETED,
  APPOINTMENT_DELETED,
  APPOINTMENT_UPDATED,
  createEvent,
  DomainError,
  type Actor,
  type Booking,
  type BookingsActionRequest,
  type BookingsCreateRequest,
  type BookingsGetRequest,
  type BookingsListRequest,
  type BookingsUpdateRequest,
  type BookingUpdatedData,
  type CloudEvent,
  type Page,
} from '@rocketlead/contracts';
import { currentTraceparent } from '@rocketlead/observability';
import { decodeCursor, pageOf, TRANSACTION, type Transactional } from '@rocketlead/persistence';
import { CalendarsRepository } from '../calendars/calendars.repository';
import { calendarNotFound } from '../calendars/calendars.service';
import { ServiceOutbox } from '@rocketlead/messaging';
import { BookingTimers } from './booking-timers';
import { BookingsRepository, isDeadlock, isOverlap, toBooking } from './bookings.repository';
import type { BookingEntity } from './booking.entity';
import { checkTimeOrder, parseDateTimes } from './date-time';
import { LeadsGateway } from '../gateways/leads.gateway';

// A deadlock between overlapping inserts is retried this many times in all (each retry sees the other's outcome).
const PLACING_ATTEMPTS = 3;
const SOURCE = '/calendar';

export const bookingNotFound = (): DomainError => new DomainError('NOT_FOUND', 'Booking not found');

/** A booking ends after it starts (a zero-length booking is refused too). */
export const checkOrder = (startAt: Date, endAt: Date): void =>
  checkTimeOrder(startAt, endAt, { start: 'startDateTime', end: 'endDateTime' });

/** Where a change that may overlap wants its booking: filled in inside the transaction. */
interface Placement {
  organizationId: string;
  calendarId: string;
  startAt: Date;
  endAt: Date;
  exceptId?: string;
}

@Injectable()
export class BookingsService {
  constructor(
    private readonly bookings: BookingsRepository,
    private readonly calendars: CalendarsRepository,
    private readonly timers: BookingTimers,
    private readonly leads: LeadsGateway,
    private readonly outbox: ServiceOutbox,
    @Inject(TRANSACTION) private readonly transaction: Transactional,
  ) {}

  async create(request: BookingsCreateRequest): Promise<Booking> {
    const { actor } = request;
    const times = parseDateTimes({ startDateTime: request.startDateTime, endDateTime: request.endDateTime });
    const startAt = times.startDateTime!;
    const endAt = times.endDateTime!;
    checkOrder(startAt, endAt);
    const calendar = await this.calendars.find(actor.organizationId, request.calendarId);
    if (!calendar) throw calendarNotFound();
    // Entries belong to leads: ask it, scoped to the caller's organization. An entry leads vouches for is
    // one it is storing in this very request (a form's new contact): not there yet, so not asked about.
    if (
      request.tableEntryId &&
      request.entryVouched !== true &&
      !(await this.leads.entryExists(actor.organizationId, request.tableEntryId, actor.traceparent))
    ) {
      throw validationFailed([{ field: 'tableEntryId', message: 'is not an entry of this organization' }]);
    }
    const placement: Placement = {
      organizationId: actor.organizationId,
      calendarId: calendar.id,
      startAt,
      endAt,
    };
    return this.placing(placement, async (manager) => {
      // Read again under a share lock: the flag may have changed since, and must not change until the commit.
      const exclusive = await this.calendars.exclusiveForPlacing(manager, actor.organizationId, calendar.id);
      if (exclusive === null) throw calendarNotFound();
      if (exclusive) await this.bookings.lockPlacing(manager, calendar.id);
      const row = await this.bookings.insert(manager, {
        organizationId: actor.organizationId,
        calendarId: calendar.id,
        exclusive,
        tableEntryId: request.tableEntryId ?? null,
        title: request.title ?? null,
        attendees: request.attendees ?? [],
        startAt,
        endAt,
      });
      await this.timers.sync(manager, row);
      const booking = toBooking(row);
      await this.outbox.append(manager, [this.event(actor, APPOINTMENT_BOOKED, booking)]);
      return booking;
    });
  }

  async get(request: BookingsGetRequest): Promise<Booking> {
    const row = await this.bookings.find(request.organizationId, request.id);
    if (!row) throw bookingNotFound();
    return toBooking(row);
  }

  async list(request: BookingsListRequest): Promise<Page<Booking>> {
    const { from, to } = parseDateTimes({ from: request.from, to: request.to });
    const after = request.cursor === undefined ? undefined : decodeCursor(request.cursor);
    if (after === null) throw validationFailed([{ field: 'cursor', message: 'is not a valid cursor' }]);
    if (request.calendarId && !(await this.calendars.find(request.organizationId, request.calendarId)))
      throw calendarNotFound();
    const rows = await this.bookings.list(
      request.organizationId,
      { calendarId: request.calendarId, from, to },
      request.limit + 1,
      after,
    );
    return pageOf(rows, request.limit, (b) => ({ at: b.startDateTime, id: b.id }));
  }

  async update(request: BookingsUpdateRequest): Promise<Booking> {
    const { actor } = request;
    if (
      request.startDateTime === undefined &&
      request.endDateTime === undefined &&
      request.title === undefined
    ) {
      throw validationFailed([
        { field: '(body)', message: 'must contain at least one of startDateTime, endDateTime, title' },
      ]);
    }
    const requested = parseDateTimes({
      startDateTime: request.startDateTime,
      endDateTime: request.endDateTime,
    });
    let placement: Placement | undefined;
    return this.placing(
      () => placement,
      async (manager) => {
        const row = await this.lockBooking(manager, actor, request.id);
        // The times a PATCH leaves out are the booking's current ones, read under the lock.
        const startAt = requested.startDateTime ?? row.startAt;
        const endAt = requested.endDateTime ?? row.endAt;
        checkOrder(startAt, endAt);
        const timesChange =
          row.startAt.getTime() !== startAt.getTime() || row.endAt.getTime() !== endAt.getTime();
        const titleChanges = request.title !== undefined && request.title !== row.title;
        if (timesChange && row.status !== 'booked') {
          throw new DomainError('CONFLICT', `A ${row.status} booking cannot be moved`, {
            status: row.status,
          });
        }
        if (!timesChange && !titleChanges) return toBooking(row);
        if (timesChange && row.exclusive) await this.bookings.lockPlacing(manager, row.calendarId);
        placement = {
          organizationId: actor.organizationId,
          calendarId: row.calendarId,
          startAt,
          endAt,
          exceptId: row.id,
        };
        const previous = {
          startDateTime: row.startAt.toISOString(),
          endDateTime: row.endAt.toISOString(),
          title: row.title,
        };
        const saved = await this.bookings.update(manager, row, {
          ...(timesChange ? { startAt, endAt } : {}),
          ...(titleChanges ? { title: request.title } : {}),
        });
        // Moving the times moves the pending timers (and schedules again those now in the future).
        if (timesChange) await this.timers.sync(manager, saved);
        const booking = toBooking(saved);
        const data: BookingUpdatedData = { booking, previous };
        await this.outbox.append(manager, [this.event(actor, APPOINTMENT_UPDATED, data, booking.id)]);
        return booking;
      },
    );
  }

  cancel(request: BookingsActionRequest): Promise<Booking> {
    return this.finish(request, 'cancelled', APPOINTMENT_CANCELLED);
  }

  complete(request: BookingsActionRequest): Promise<Booking> {
    return this.finish(request, 'completed', APPOINTMENT_COMPLETED);
  }

  /** Hard delete; the event carries the booking as it was. Pending timers are cancelled with it. */
  async remove(request: BookingsActionRequest): Promise<Booking> {
    const { actor } = request;
    const booking = await this.transaction(async (manager) => {
      const row = await this.lockBooking(manager, actor, request.id);
      const deleted = toBooking(row);
      await this.timers.cancelAll(manager, row.id);
      await this.bookings.remove(manager, row);
      await this.outbox.append(manager, [this.event(actor, APPOINTMENT_DELETED, deleted)]);
      return deleted;
    });
    this.outbox.committed();
    return booking;
  }

  /** Cancel or complete: ends the booking and cancels whatever timers are still pending. */
  private async finish(
    request: BookingsActionRequest,
    status: 'cancelled' | 'completed',
    type: typeof APPOINTMENT_CANCELLED | typeof APPOINTMENT_COMPLETED,
  ): Promise<Booking> {
    const { actor } = request;
    const booking = await this.transaction(async (manager) => {
      const row = await this.lockBooking(manager, actor, request.id);
      if (row.status !== 'booked') {
        throw new DomainError('CONFLICT', `Booking is already ${row.status}`, { status: row.status });
      }
      const saved = await this.bookings.update(manager, row, { status });
      await this.timers.cancelAll(manager, saved.id);
      const result = toBooking(saved);
      await this.outbox.append(manager, [this.event(actor, type, result)]);
      return result;
    });
    this.outbox.committed();
    return booking;
  }

  private async lockBooking(manager: EntityManager, actor: Actor, id: string): Promise<BookingEntity> {
    const row = await this.bookings.lock(manager, actor.organizationId, id);
    if (!row) throw bookingNotFound();
    return row;
  }

  /**
   * Runs a change that may place a booking over another one. The exclusion constraint decides (so two
   * concurrent requests cannot both win); its violation becomes a 409 naming the booking in the way.
   */
  private async placing<T>(
    placement: Placement | (() => Placement | undefined),
    work: (manager: EntityManager) => Promise<T>,
  ): Promise<T> {
    try {
      const result = await this.transactionRetryingDeadlocks(work);
      this.outbox.committed();
      return result;
    } catch (error) {
      const where = typeof placement === 'function' ? placement() : placement;
      if (!where || !isOverlap(error)) throw error;
      // Read after the rollback: the winner has committed, so it is visible now.
      const conflicting = await this.bookings.findOverlapping(
        where.organizationId,
        where.calendarId,
        where.startAt,
        where.endAt,
        where.exceptId,
      );
      throw new DomainError(
        'CONFLICT',
        conflicting ? `Overlaps booking ${conflicting}` : 'Overlaps another booking',
        { conflictingBookingId: conflicting },
      );
    }
  }

  /**
   * Concurrent inserts checked by one exclusion constraint can wait for each other (each sees the other's
   * uncommitted row): Postgres then aborts one with a deadlock. Its work changed nothing, so it runs again; by
   * then the other has committed or rolled back, and the constraint answers plainly (usually: an overlap).
   */
  private async transactionRetryingDeadlocks<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.transaction(work);
      } catch (error) {
        if (attempt >= PLACING_ATTEMPTS || !isDeadlock(error)) throw error;
      }
    }
  }

  private event<T>(actor: Actor, type: string, data: T, subject?: string): CloudEvent<T> {
    return createEvent({
      type,
      source: SOURCE,
      subject: subject ?? (data as { id: string }).id,
      data,
      actor: { ...actor, traceparent: currentTraceparent(actor.traceparent) },
    });
  }
}
