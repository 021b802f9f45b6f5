import { Injectable } from '@nestjs/common';
import {
  COMMANDS,
  type CreateCrmEventBody,
  type CrmEvent,
  type EventRegistration,
  type Page,
  type UpdateCrmEventBody,
} from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';
import type { Principal } from '../auth/principal';
import { given } from '../http/given-fields';
import { pageFields, type PageQuery } from '../http/page.query';
import { connectActor, type RequestContext } from '../http/request-context';
import type { ListRegistrationsQuery } from './dto/list-registrations.query';

const SETTINGS_FIELDS = ['endsAt', 'capacity', 'eventbriteEventId'] as const;

/** CRM events and their registrations live in `calendar`; ingress authorizes and forwards. */
@Injectable()
export class CrmEventsService {
  constructor(private readonly rpc: RpcClient) {}

  create(principal: Principal, dto: CreateCrmEventBody, request: RequestContext): Promise<CrmEvent> {
    return this.rpc.request(
      COMMANDS.crmEventsCreate,
      {
        actor: connectActor(principal, request),
        name: dto.name,
        tableId: dto.tableId,
        startsAt: dto.startsAt,
        ...given(dto, SETTINGS_FIELDS),
      },
      { traceparent: request.traceparent },
    );
  }

  list(principal: Principal, query: PageQuery, request: RequestContext): Promise<Page<CrmEvent>> {
    return this.rpc.request(
      COMMANDS.crmEventsList,
      { organizationId: principal.organizationId, ...pageFields(query) },
      { traceparent: request.traceparent },
    );
  }

  get(principal: Principal, id: string, request: RequestContext): Promise<CrmEvent> {
    return this.rpc.request(
      COMMANDS.crmEventsGet,
      { organizationId: principal.organizationId, id },
      { traceparent: request.traceparent },
    );
  }

  update(
    principal: Principal,
    id: string,
    dto: UpdateCrmEventBody,
    request: RequestContext,
  ): Promise<CrmEvent> {
    return this.rpc.request(
      COMMANDS.crmEventsUpdate,
      {
        actor: connectActor(principal, request),
        id,
        ...given(dto, ['name', 'tableId', 'startsAt', ...SETTINGS_FIELDS] as const),
      },
      { traceparent: request.traceparent },
    );
  }

  remove(principal: Principal, id: string, request: RequestContext): Promise<CrmEvent> {
    return this.rpc.request(
      COMMANDS.crmEventsDelete,
      { actor: connectActor(principal, request), id },
      { traceparent: request.traceparent },
    );
  }

  registrations(
    principal: Principal,
    id: string,
    query: ListRegistrationsQuery,
    request: RequestContext,
  ): Promise<Page<EventRegistration>> {
    return this.rpc.request(
      COMMANDS.registrationsList,
      {
        organizationId: principal.organizationId,
        id,
        ...pageFields(query),
        ...given(query, ['status'] as const),
      },
      { traceparent: request.traceparent },
    );
  }
}
