import { Injectable } from '@nestjs/common';
import {
  COMMANDS,
  type Calendar,
  type CreateCalendarBody,
  type Page,
  type UpdateCalendarBody,
} from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';
import type { Principal } from '../auth/principal';
import { given } from '../http/given-fields';
import { pageFields, type PageQuery } from '../http/page.query';
import type { RequestContext } from '../http/request-context';

const CALENDAR_FIELDS = ['name', 'timezone', 'exclusive'] as const;

@Injectable()
export class CalendarsService {
  constructor(private readonly rpc: RpcClient) {}

  create(principal: Principal, dto: CreateCalendarBody, request: RequestContext): Promise<Calendar> {
    return this.rpc.request(
      COMMANDS.calendarsCreate,
      {
        organizationId: principal.organizationId,
        name: dto.name,
        timezone: dto.timezone ?? 'UTC',
        exclusive: dto.exclusive ?? false,
      },
      { traceparent: request.traceparent },
    );
  }

  get(principal: Principal, id: string, request: RequestContext): Promise<Calendar> {
    return this.rpc.request(
      COMMANDS.calendarsGet,
      { organizationId: principal.organizationId, id },
      { traceparent: request.traceparent },
    );
  }

  list(principal: Principal, query: PageQuery, request: RequestContext): Promise<Page<Calendar>> {
    return this.rpc.request(
      COMMANDS.calendarsList,
      { organizationId: principal.organizationId, ...pageFields(query) },
      { traceparent: request.traceparent },
    );
  }

  update(
    principal: Principal,
    id: string,
    dto: UpdateCalendarBody,
    request: RequestContext,
  ): Promise<Calendar> {
    return this.rpc.request(
      COMMANDS.calendarsUpdate,
      { organizationId: principal.organizationId, id, ...given(dto, CALENDAR_FIELDS) },
      { traceparent: request.traceparent },
    );
  }
}
