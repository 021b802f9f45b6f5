import { Injectable } from '@nestjs/common';
import { COMMANDS, type Calendar } from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';
import { orNull } from './not-found';

/** What automation asks of calendar, which owns calendars. */
@Injectable()
export class CalendarGateway {
  constructor(private readonly rpc: RpcClient) {}

  calendar(organizationId: string, id: string, traceparent: string | null = null): Promise<Calendar | null> {
    return orNull(this.rpc.request(COMMANDS.calendarsGet, { organizationId, id }, { traceparent }));
  }
}
