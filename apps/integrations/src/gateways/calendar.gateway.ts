import { Injectable } from '@nestjs/common';
import {
  COMMANDS,
  nullIfNotFound,
  type Actor,
  type CrmEvent,
  type RegistrationResult,
} from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';

/** What integrations asks of calendar, which owns CRM events and their registrations. */
@Injectable()
export class CalendarGateway {
  constructor(private readonly rpc: RpcClient) {}

  /** The organization's CRM event linked to this Eventbrite event, or null when none is. */
  eventByEventbriteId(
    organizationId: string,
    eventbriteEventId: string,
    traceparent: string | null,
  ): Promise<CrmEvent | null> {
    return nullIfNotFound(
      this.rpc.request(
        COMMANDS.crmEventsByEventbriteId,
        { organizationId, eventbriteEventId },
        { traceparent },
      ),
    );
  }

  /**
   * Registers a resolved contact for the event (calendar emits event.registration.created when new);
   * `tableId` is the pool the contact lives in (the connection's), which the event names.
   */
  register(
    actor: Actor,
    registration: {
      eventId: string;
      entryId: string;
      email: string;
      tableId: string;
      externalOrderId: string;
    },
  ): Promise<RegistrationResult> {
    return this.rpc.request(
      COMMANDS.registrationsRegister,
      { actor, source: 'eventbrite', ...registration },
      { traceparent: actor.traceparent },
    );
  }
}
