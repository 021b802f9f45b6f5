import { Injectable } from '@nestjs/common';
import { COMMANDS, nullIfNotFound, type Actor, type Booking, type Calendar } from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';

/** What leads asks of calendar for forms: that a booking calendar exists, and a form's appointment. */
@Injectable()
export class CalendarGateway {
  constructor(private readonly rpc: RpcClient) {}

  calendar(organizationId: string, id: string, traceparent: string | null): Promise<Calendar | null> {
    return nullIfNotFound(this.rpc.request(COMMANDS.calendarsGet, { organizationId, id }, { traceparent }));
  }

  /**
   * Books the slot for the entry. `entryVouched`: the entry is stored by leads right after, in this request
   * (calendar cannot see it yet). A taken slot of an exclusive calendar fails with CONFLICT.
   */
  book(
    actor: Actor,
    booking: { calendarId: string; start: Date; end: Date; entryId: string; title: string },
    entryVouched: boolean,
  ): Promise<Booking> {
    return this.rpc.request(
      COMMANDS.bookingsCreate,
      {
        actor,
        calendarId: booking.calendarId,
        startDateTime: booking.start.toISOString(),
        endDateTime: booking.end.toISOString(),
        tableEntryId: booking.entryId,
        title: booking.title,
        entryVouched,
      },
      { traceparent: actor.traceparent },
    );
  }

  /** Undoes a booking whose entry could not be stored after all. */
  async unbook(actor: Actor, id: string): Promise<void> {
    await this.rpc.request(COMMANDS.bookingsDelete, { actor, id }, { traceparent: actor.traceparent });
  }
}
