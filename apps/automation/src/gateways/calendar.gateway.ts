import { Injectable } from '@nestjs/common';
import { COMMANDS, DomainError, type Booking, type Calendar } from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';

/** What automation asks of calendar, which owns calendars and bookings. */
@Injectable()
export class CalendarGateway {
  constructor(private readonly rpc: RpcClient) {}

  async calendar(
    organizationId: string,
    id: string,
    traceparent: string | null = null,
  ): Promise<Calendar | null> {
    try {
      return await this.rpc.request(COMMANDS.calendarsGet, { organizationId, id }, { traceparent });
    } catch (error) {
      if (error instanceof DomainError && error.code === 'NOT_FOUND') return null;
      throw error;
    }
  }

  async booking(
    organizationId: string,
    id: string,
    traceparent: string | null = null,
  ): Promise<Booking | null> {
    try {
      return await this.rpc.request(COMMANDS.bookingsGet, { organizationId, id }, { traceparent });
    } catch (error) {
      if (error instanceof DomainError && error.code === 'NOT_FOUND') return null;
      throw error;
    }
  }
}
