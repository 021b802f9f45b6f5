import { Injectable } from '@nestjs/common';
import {
  COMMANDS,
  type Booking,
  type Page,
  type CreateBookingBody,
  type UpdateBookingBody,
} from '@rocketlead/contracts';
import { RpcClient, type RequestOptions } from '@rocketlead/messaging';
import type { Principal } from '../auth/principal';
import { connectActor, type RequestContext } from '../http/request-context';
import type { ListBookingsQuery } from './dto/list-bookings.query';

type BookingAction =
  typeof COMMANDS.bookingsCancel | typeof COMMANDS.bookingsComplete | typeof COMMANDS.bookingsDelete;

/** Bookings live in `calendar`; ingress authorizes and forwards. */
@Injectable()
export class CalendarBookingsService {
  constructor(private readonly rpc: RpcClient) {}

  create(principal: Principal, dto: CreateBookingBody, request: RequestContext): Promise<Booking> {
    return this.rpc.request(
      COMMANDS.bookingsCreate,
      {
        actor: connectActor(principal, request),
        calendarId: dto.calendarId,
        startDateTime: dto.startDateTime,
        endDateTime: dto.endDateTime,
        ...(dto.tableEntryId ? { tableEntryId: dto.tableEntryId } : {}),
        ...(dto.title !== undefined ? { title: dto.title } : {}),
        ...(dto.attendees ? { attendees: dto.attendees.map((a) => ({ ...a })) } : {}),
      },
      this.writeOptions(request),
    );
  }

  get(principal: Principal, id: string, request: RequestContext): Promise<Booking> {
    return this.rpc.request(
      COMMANDS.bookingsGet,
      { organizationId: principal.organizationId, id },
      { traceparent: request.traceparent },
    );
  }

  list(principal: Principal, query: ListBookingsQuery, request: RequestContext): Promise<Page<Booking>> {
    return this.rpc.request(
      COMMANDS.bookingsList,
      {
        organizationId: principal.organizationId,
        limit: query.limit ?? 50,
        ...(query.calendarId ? { calendarId: query.calendarId } : {}),
        ...(query.from ? { from: query.from } : {}),
        ...(query.to ? { to: query.to } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
      },
      { traceparent: request.traceparent },
    );
  }

  update(
    principal: Principal,
    id: string,
    dto: UpdateBookingBody,
    request: RequestContext,
  ): Promise<Booking> {
    return this.rpc.request(
      COMMANDS.bookingsUpdate,
      {
        actor: connectActor(principal, request),
        id,
        ...(dto.startDateTime !== undefined ? { startDateTime: dto.startDateTime } : {}),
        ...(dto.endDateTime !== undefined ? { endDateTime: dto.endDateTime } : {}),
        ...(dto.title !== undefined ? { title: dto.title } : {}),
      },
      this.writeOptions(request),
    );
  }

  act(principal: Principal, id: string, action: BookingAction, request: RequestContext): Promise<Booking> {
    return this.rpc.request(
      action,
      { actor: connectActor(principal, request), id },
      this.writeOptions(request),
    );
  }

  private writeOptions(request: RequestContext): RequestOptions {
    return { traceparent: request.traceparent };
  }
}
