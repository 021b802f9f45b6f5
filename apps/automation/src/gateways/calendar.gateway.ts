import { Injectable } from '@nestjs/common';
import { COMMANDS, nullIfNotFound, type Calendar } from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';

/** What automation asks of calendar, which owns calendars. */
@Injectable()
export class CalendarGateway {
  constructor(private readonly rpc: RpcClient) {}

  calendar(organizationId: string, id: string, traceparent: string | null = null): Promise<Calendar | null> {
    return nullIfNotFound(this.rpc.request(COMMANDS.calendarsGet, { organizationId, id }, { traceparent }));
  }
}
