import { Injectable } from '@nestjs/common';
import { COMMANDS, type CustomField, type CreateCustomFieldBody } from '@rocketlead/contracts';
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
}
