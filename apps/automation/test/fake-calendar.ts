import type { Msg, NatsConnection, Subscription } from 'nats';
import {
  APPOINTMENT_BOOKED,
  APPOINTMENT_CANCELLED,
  APPOINTMENT_UPDATED,
  COMMANDS,
  DomainError,
  createEvent,
  uuidv7,
  type Actor,
  type Booking,
  type BookingUpdatedData,
  type Calendar,
  type CommandName,
  type CrmEvent,
  type Page,
  type RpcReply,
  type WireNames,
} from '@rocketlead/contracts';
import { publishEvent } from './support';

type Handler = (request: Record<string, unknown>) => unknown;

const notFound = (what: string): never => {
  throw new DomainError('NOT_FOUND', `${what} not found`);
};

/**
 * A stand-in for the calendar service on a test namespace: answers calendars.get, crm-events.get, bookings.get and
 * bookings.list from memory (list: bookings ending after `from`, by start, paged with an index cursor), and books, moves and
 * cancels bookings publishing calendar.appointment.booked / updated / cancelled as calendar's outbox would.
 * `quietly` changes a booking without an event (one that existed before anything listened, or a change whose
 * event has not arrived yet).
 */
export class FakeCalendar {
  readonly calendars = new Map<string, Calendar>();
  readonly bookings = new Map<string, Booking>();
  readonly crmEvents = new Map<string, CrmEvent & { organizationId: string }>();
  /** How many bookings.list requests were answered. */
  listed = 0;
  private readonly subscriptions: Subscription[] = [];

  private constructor(
    private readonly nc: NatsConnection,
    private readonly names: WireNames,
  ) {}

  static start(nc: NatsConnection, names: WireNames): FakeCalendar {
    const calendar = new FakeCalendar(nc, names);
    calendar.serve(COMMANDS.calendarsGet, (r) => calendar.owned(calendar.calendars, r, 'Calendar'));
    calendar.serve(COMMANDS.crmEventsGet, (r) => calendar.owned(calendar.crmEvents, r, 'Event'));
    calendar.serve(COMMANDS.bookingsGet, (r) => calendar.owned(calendar.bookings, r, 'Booking'));
    calendar.serve(COMMANDS.bookingsList, (r) => calendar.list(r));
    return calendar;
  }

  addCalendar(organizationId: string, name: string): Calendar {
    const calendar: Calendar = {
      id: uuidv7(),
      organizationId,
      name,
      timezone: 'UTC',
      exclusive: false,
      createdAt: new Date().toISOString(),
    };
    this.calendars.set(calendar.id, calendar);
    return calendar;
  }

  /** A CRM event whose RSVP contacts land in the pool `tableId`. */
  addCrmEvent(organizationId: string, name: string, tableId: string): CrmEvent {
    const now = new Date().toISOString();
    const event = {
      id: uuidv7(),
      organizationId,
      name,
      tableId,
      startsAt: new Date(Date.now() + 86_400_000).toISOString(),
      endsAt: null,
      capacity: null,
      eventbriteEventId: null,
      registeredCount: 0,
      createdAt: now,
      updatedAt: now,
    };
    this.crmEvents.set(event.id, event);
    return event;
  }

  /** A booking from `start` for `minutes`, published as booked unless `quietly`. */
  async book(
    calendar: Calendar,
    start: Date,
    options: { entryId?: string | null; actor: Actor; quietly?: boolean; minutes?: number },
  ): Promise<Booking> {
    const now = new Date().toISOString();
    const booking: Booking = {
      id: uuidv7(),
      calendarId: calendar.id,
      organizationId: calendar.organizationId,
      tableEntryId: options.entryId ?? null,
      title: 'Consultation',
      attendees: [],
      startDateTime: start.toISOString(),
      endDateTime: new Date(start.getTime() + (options.minutes ?? 30) * 60_000).toISOString(),
      status: 'booked',
      createdAt: now,
      updatedAt: now,
    };
    this.bookings.set(booking.id, booking);
    if (!options.quietly) await this.publish(APPOINTMENT_BOOKED, booking, options.actor);
    return booking;
  }

  /** Moves a booking to start at `start` (same length), published as updated unless `quietly`. */
  async move(bookingId: string, start: Date, actor: Actor, quietly = false): Promise<Booking> {
    const current = this.bookings.get(bookingId)!;
    const length = Date.parse(current.endDateTime) - Date.parse(current.startDateTime);
    const moved: Booking = {
      ...current,
      startDateTime: start.toISOString(),
      endDateTime: new Date(start.getTime() + length).toISOString(),
      updatedAt: later(current.updatedAt),
    };
    this.bookings.set(bookingId, moved);
    const data: BookingUpdatedData = {
      booking: moved,
      previous: {
        startDateTime: current.startDateTime,
        endDateTime: current.endDateTime,
        title: current.title,
      },
    };
    if (!quietly) await this.publish(APPOINTMENT_UPDATED, data, actor, bookingId);
    return moved;
  }

  /** Cancels a booking, published as cancelled unless `quietly`. */
  async cancel(bookingId: string, actor: Actor, quietly = false): Promise<Booking> {
    const current = this.bookings.get(bookingId)!;
    const cancelled: Booking = { ...current, status: 'cancelled', updatedAt: later(current.updatedAt) };
    this.bookings.set(bookingId, cancelled);
    if (!quietly) await this.publish(APPOINTMENT_CANCELLED, cancelled, actor);
    return cancelled;
  }

  stop(): void {
    for (const sub of this.subscriptions) sub.unsubscribe();
  }

  private async publish(type: string, data: unknown, actor: Actor, subject?: string): Promise<void> {
    const booking = (type === APPOINTMENT_UPDATED ? (data as BookingUpdatedData).booking : data) as Booking;
    await publishEvent(
      this.nc,
      this.names,
      createEvent({ type, source: '/calendar', subject: subject ?? booking.id, data, actor }),
    );
  }

  private owned<T extends { organizationId: string }>(
    items: Map<string, T>,
    request: Record<string, unknown>,
    what: string,
  ): T {
    const item = items.get(request.id as string);
    if (!item || item.organizationId !== request.organizationId) return notFound(what);
    return item;
  }

  private list(request: Record<string, unknown>): Page<Booking> {
    this.listed += 1;
    const calendarId = request.calendarId as string | undefined;
    if (calendarId && !this.calendars.has(calendarId)) return notFound('Calendar');
    const from = request.from ? Date.parse(request.from as string) : -Infinity;
    const matching = [...this.bookings.values()]
      .filter(
        (b) =>
          b.organizationId === request.organizationId &&
          (!calendarId || b.calendarId === calendarId) &&
          Date.parse(b.endDateTime) > from,
      )
      .sort((a, b) => a.startDateTime.localeCompare(b.startDateTime) || a.id.localeCompare(b.id));
    const offset = request.cursor ? Number(request.cursor) : 0;
    const limit = request.limit as number;
    const items = matching.slice(offset, offset + limit);
    const nextCursor = offset + limit < matching.length ? String(offset + limit) : null;
    return { items, nextCursor };
  }

  private serve(command: CommandName, handler: Handler): void {
    const sub = this.nc.subscribe(this.names.command(command), {
      callback: (error, msg) => {
        if (error) return;
        this.answer(msg, handler);
      },
    });
    this.subscriptions.push(sub);
  }

  private answer(msg: Msg, handler: Handler): void {
    let reply: RpcReply<unknown>;
    try {
      reply = { ok: true, result: handler(msg.json<Record<string, unknown>>()) };
    } catch (error) {
      const e = error instanceof DomainError ? error : new DomainError('INTERNAL', String(error));
      reply = { ok: false, error: e.toBody() };
    }
    msg.respond(JSON.stringify(reply));
  }
}

/** A booking's next updatedAt: strictly later, even within the same millisecond. */
const later = (previous: string): string =>
  new Date(Math.max(Date.now(), Date.parse(previous) + 1)).toISOString();
