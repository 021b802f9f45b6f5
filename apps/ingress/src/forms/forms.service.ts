import { Injectable } from '@nestjs/common';
import {
  COMMANDS,
  type CreateFormBody,
  type Form,
  type Page,
  type UpdateFormBody,
} from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';
import type { Principal } from '../auth/principal';
import { given } from '../http/given-fields';
import { pageFields } from '../http/page.query';
import type { RequestContext } from '../http/request-context';
import type { ListFormsQuery } from './dto/list-forms.query';

const CREATE_OPTIONAL_FIELDS = [
  'dedupeKey',
  'doubleOptIn',
  'bookingCalendarId',
  'redirectUrl',
  'webhookUrl',
] as const;
const UPDATE_FIELDS = ['name', 'tableId', 'fields', ...CREATE_OPTIONAL_FIELDS] as const;

/** Forms live in `leads`, which checks their fields against the pool and calendar; ingress authorizes and forwards. */
@Injectable()
export class FormsService {
  constructor(private readonly rpc: RpcClient) {}

  create(principal: Principal, dto: CreateFormBody, request: RequestContext): Promise<Form> {
    return this.rpc.request(
      COMMANDS.formsCreate,
      {
        organizationId: principal.organizationId,
        name: dto.name,
        tableId: dto.tableId,
        fields: dto.fields,
        ...given(dto, CREATE_OPTIONAL_FIELDS),
        // leads looks up the booking calendar with it.
        traceparent: request.traceparent,
      },
      { traceparent: request.traceparent },
    );
  }

  list(principal: Principal, query: ListFormsQuery, request: RequestContext): Promise<Page<Form>> {
    return this.rpc.request(
      COMMANDS.formsList,
      {
        organizationId: principal.organizationId,
        ...pageFields(query),
        ...given(query, ['tableId'] as const),
      },
      { traceparent: request.traceparent },
    );
  }

  get(principal: Principal, id: string, request: RequestContext): Promise<Form> {
    return this.rpc.request(
      COMMANDS.formsGet,
      { organizationId: principal.organizationId, id },
      { traceparent: request.traceparent },
    );
  }

  update(principal: Principal, id: string, dto: UpdateFormBody, request: RequestContext): Promise<Form> {
    return this.rpc.request(
      COMMANDS.formsUpdate,
      {
        organizationId: principal.organizationId,
        id,
        ...given(dto, UPDATE_FIELDS),
        traceparent: request.traceparent,
      },
      { traceparent: request.traceparent },
    );
  }

  remove(principal: Principal, id: string, request: RequestContext): Promise<Form> {
    return this.rpc.request(
      COMMANDS.formsDelete,
      { organizationId: principal.organizationId, id },
      { traceparent: request.traceparent },
    );
  }
}
