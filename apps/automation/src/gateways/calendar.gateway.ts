import { Injectable } from '@nestjs/common';
import {
  BOOKINGS_LIMIT_MAX,
  COMMANDS,
  nullIfNotFound,
  type Booking,
  type Calendar,
  type CrmEvent,
  type Page,
} from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';

/** What automation asks of calendar, which owns calendars and CRM events. */
@Injectable()
export class CalendarGateway {
  constructor(private readonly rpc: RpcClient) {}

  calendar(organizationId: string, id: string, traceparent: string | null = null): Promise<Calendar | null> {
    return nullIfNotFound(this.rpc.request(COMMANDS.calendarsGet, { organizationId, id }, { traceparent }));
  }

  crmEvent(organizationId: string, id: string, traceparent: string | null = null): Promise<CrmEvent | null> {
    return nullIfNotFound(this.rpc.request(COMMANDS.crmEventsGet, { organizationId, id }, { traceparent }));
  }

  booking(organizationId: string, id: string, traceparent: string | null = null): Promise<Booking | null> {
    return nullIfNotFound(this.rpc.request(COMMANDS.bookingsGet, { organizationId, id }, { traceparent }));
  }

  /**
   * One page of the organization's bookings (of one calendar, when given) that end after `from`, by start; null
   * when that calendar is gone.
   */
  bookings(
    organizationId: string,
    query: { calendarId: string | null; from: Date; cursor: string | null },
    traceparent: string | null = null,
  ): Promise<Page<Booking> | null> {
    return nullIfNotFound(
      this.rpc.request(
        COMMANDS.bookingsList,
        {
          organizationId,
          ...(query.calendarId ? { calendarId: query.calendarId } : {}),
          from: query.from.toISOString(),
          limit: BOOKINGS_LIMIT_MAX,
          ...(query.cursor ? { cursor: query.cursor } : {}),
        },
        { traceparent },
      ),
    );
  }
}
