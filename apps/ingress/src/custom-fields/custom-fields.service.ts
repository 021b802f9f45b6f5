import { Injectable } from '@nestjs/common';
import { COMMANDS, type CustomField } from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';
import type { Principal } from '../auth/principal';
import type { RequestContext } from '../http/request-context';
import type { CreateCustomFieldDto } from './dto/create-custom-field.dto';

@Injectable()
export class CustomFieldsService {
  constructor(private readonly rpc: RpcClient) {}

  create(principal: Principal, dto: CreateCustomFieldDto, request: RequestContext): Promise<CustomField> {
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
