import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
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
  type FieldError,
  type Page,
} from '@rocketlead/contracts';
import { currentTraceparent } from '@rocketlead/observability';
import { decodeCursor, encodeCursor, TRANSACTION, type Transactional } from '@rocketlead/persistence';
import { CalendarsRepository } from '../calendars/calendars.repository';
import { calendarNotFound } from '../calendars/calendars.service';
import { EventsOutbox } from '../outbox/events.outbox';
import { BookingTimers } from './booking-timers';
import { BookingsRepository, isOverlap, toBooking } from './bookings.repository';
import type { BookingEntity } from './booking.entity';
import { parseOffsetDateTime } from './date-time';
import { EntriesGateway } from './entries.gateway';

const validationFailed = (errors: FieldError[]): DomainError =>
  new DomainError('VALIDATION_FAILED', 'Validation failed', { errors });
export const bookingNotFound = (): DomainError => new DomainError('NOT_FOUND', 'Booking not found');

function parseTimes(
  fields: { startDateTime?: string; endDateTime?: string },
  current?: { startAt: Date; endAt: Date },
) {
  const errors: FieldError[] = [];
  const read = (field: 'startDateTime' | 'endDateTime', fallback?: Date): Date | undefined => {
    const raw = fields[field];
    if (raw === undefined) return fallback;
    const parsed = parseOffsetDateTime(field, raw);
    if (parsed instanceof Date) return parsed;
    errors.push(parsed);
    return undefined;
  };
  const startAt = read('startDateTime', current?.startAt);
  const endAt = read('endDateTime', current?.endAt);
  if (startAt && endAt && endAt.getTime() <= startAt.getTime()) {
    errors.push({ field: 'endDateTime', message: 'must be after startDateTime' });
  }
  if (errors.length || !startAt || !endAt) throw validationFailed(errors);
  return { startAt, endAt };
}

@Injectable()
export class BookingsService {
  constructor(
    private readonly bookings: BookingsRepository,
    private readonly calendars: CalendarsRepository,
    private readonly timers: BookingTimers,
    private readonly entries: EntriesGateway,
    private readonly outbox: EventsOutbox,
    @Inject(TRANSACTION) private readonly transaction: Transactional,
  ) {}

  async create(request: BookingsCreateRequest): Promise<Booking> {
    const { actor } = request;
    const { startAt, endAt } = parseTimes(request);
    const calendar = await this.calendars.find(actor.organizationId, request.calendarId);
    if (!calendar) throw calendarNotFound();
    if (
      request.tableEntryId &&
      !(await this.entries.exists(actor.organizationId, request.tableEntryId, actor.traceparent))
    ) {
      throw validationFailed([{ field: 'tableEntryId', message: 'is not an entry of this organization' }]);
    }
    return this.committing(calendar.id, startAt, endAt, undefined, async (manager) => {
      const row = await this.bookings.insert(manager, {
        organizationId: actor.organizationId,
        calendarId: calendar.id,
        exclusive: calendar.exclusive,
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
    const errors: FieldError[] = [];
    const bound = (field: 'from' | 'to'): Date | undefined => {
      const raw = request[field];
      if (raw === undefined) return undefined;
      const parsed = parseOffsetDateTime(field, raw);
      if (parsed instanceof Date) return parsed;
      errors.push(parsed);
      return undefined;
    };
    const from = bound('from');
    const to = bound('to');
    const after = request.cursor ? decodeCursor(request.cursor) : undefined;
    if (after === null) errors.push({ field: 'cursor', message: 'is not a valid cursor' });
    if (errors.length) throw validationFailed(errors);
    if (request.calendarId && !(await this.calendars.find(request.organizationId, request.calendarId)))
      throw calendarNotFound();
    const rows = await this.bookings.list(
      request.organizationId,
      { calendarId: request.calendarId, from, to },
      request.limit + 1,
      after ?? undefined,
    );
    const items = rows.slice(0, request.limit);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor:
        rows.length > request.limit && last ? encodeCursor({ at: last.startDateTime, id: last.id }) : null,
    };
  }

  async update(request: BookingsUpdateRequest): Promise<Booking> {
    const { actor } = request;
    const current = await this.bookings.find(actor.organizationId, request.id);
    if (!current) throw bookingNotFound();
    const { startAt, endAt } = parseTimes(request, current);
    return this.committing(current.calendarId, startAt, endAt, current.id, async (manager) => {
      const row = await this.lockBooking(manager, actor, request.id);
      const previous = {
        startDateTime: row.startAt.toISOString(),
        endDateTime: row.endAt.toISOString(),
        title: row.title,
      };
      const timesChange =
        row.startAt.getTime() !== startAt.getTime() || row.endAt.getTime() !== endAt.getTime();
      const titleChanges = request.title !== undefined && request.title !== row.title;
      if (timesChange && row.status !== 'booked') {
        throw new DomainError('CONFLICT', `A ${row.status} booking cannot be moved`, { status: row.status });
      }
      if (!timesChange && !titleChanges) return toBooking(row);
      const saved = await this.bookings.save(manager, row, {
        startAt,
        endAt,
        ...(request.title !== undefined ? { title: request.title } : {}),
      });
      if (timesChange) await this.timers.sync(manager, saved);
      const booking = toBooking(saved);
      const data: BookingUpdatedData = { booking, previous };
      await this.outbox.append(manager, [this.event(actor, APPOINTMENT_UPDATED, data, booking.id)]);
      return booking;
    });
  }

  cancel(request: BookingsActionRequest): Promise<Booking> {
    return this.finish(request, 'cancelled', APPOINTMENT_CANCELLED);
  }

  complete(request: BookingsActionRequest): Promise<Booking> {
    return this.finish(request, 'completed', APPOINTMENT_COMPLETED);
  }

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
    type: string,
  ): Promise<Booking> {
    const { actor } = request;
    const booking = await this.transaction(async (manager) => {
      const row = await this.lockBooking(manager, actor, request.id);
      if (row.status !== 'booked') {
        throw new DomainError('CONFLICT', `Booking is already ${row.status}`, { status: row.status });
      }
      const saved = await this.bookings.save(manager, row, { status });
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

  /** Runs a change that may create an overlap; the database's exclusion constraint turns one into a 409. */
  private async committing<T>(
    calendarId: string,
    startAt: Date,
    endAt: Date,
    exceptId: string | undefined,
    work: (manager: EntityManager) => Promise<T>,
  ): Promise<T> {
    try {
      const result = await this.transaction(work);
      this.outbox.committed();
      return result;
    } catch (error) {
      if (!isOverlap(error)) throw error;
      const conflicting = await this.bookings.findOverlapping(calendarId, startAt, endAt, exceptId);
      throw new DomainError(
        'CONFLICT',
        conflicting ? `Overlaps booking ${conflicting}` : 'Overlaps another booking',
        {
          conflictingBookingId: conflicting,
        },
      );
    }
  }

  private event<T>(actor: Actor, type: string, data: T, subject?: string) {
    return createEvent({
      type,
      source: '/calendar',
      subject: subject ?? (data as { id: string }).id,
      data,
      actor: { ...actor, traceparent: currentTraceparent(actor.traceparent) },
    });
  }
}
