import { Injectable } from '@nestjs/common';
import {
  COMMANDS,
  type CustomField,
  type CreateCustomFieldBody,
  type UpdateCustomFieldBody,
} from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';
import type { Principal } from '../auth/principal';
import type { RequestContext } from '../http/request-context';

@Injectable()
export class CustomFieldsService {
  constructor(private readonly rpc: RpcClient) {}

  create(principal: Principal, dto: CreateCustomFieldBody, request: RequestContext): Promise<CustomField> {
    return this.rpc.request(
      COMMANDS.customFieldsCreate,
      { organizationId: principal.organizationId, name: dto.name, type: dto.type },
      { traceparent: request.traceparent },
    );
  }

  list(principal: Principal, request: RequestContext): Promise<CustomField[]> {
    return this.rpc.request(
      COMMANDS.customFieldsList,
      { organizationId: principal.organizationId },
      { traceparent: request.traceparent },
    );
  }

  get(principal: Principal, id: string, request: RequestContext): Promise<CustomField> {
    return this.rpc.request(
      COMMANDS.customFieldsGet,
      { organizationId: principal.organizationId, id },
      { traceparent: request.traceparent },
    );
  }

  update(
    principal: Principal,
    id: string,
    dto: UpdateCustomFieldBody,
    request: RequestContext,
  ): Promise<CustomField> {
    return this.rpc.request(
      COMMANDS.customFieldsUpdate,
      { organizationId: principal.organizationId, id, name: dto.name },
      { traceparent: request.traceparent },
    );
  }
}
