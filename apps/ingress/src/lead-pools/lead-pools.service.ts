import { Injectable } from '@nestjs/common';
import {
  COMMANDS,
  type LeadPool,
  type LeadState,
  type CreateLeadPoolBody,
  type UpdateLeadPoolBody,
  type CreateLeadStateBody,
} from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';
import type { Principal } from '../auth/principal';
import type { RequestContext } from '../http/request-context';

/** Lead pools and their states live in `leads`; ingress authorizes and forwards. */
@Injectable()
export class LeadPoolsService {
  constructor(private readonly rpc: RpcClient) {}

  create(principal: Principal, dto: CreateLeadPoolBody, request: RequestContext): Promise<LeadPool> {
    return this.rpc.request(
      COMMANDS.poolsCreate,
      { organizationId: principal.organizationId, name: dto.name },
      { traceparent: request.traceparent },
    );
  }

  get(principal: Principal, id: string, request: RequestContext): Promise<LeadPool> {
    return this.rpc.request(
      COMMANDS.poolsGet,
      { organizationId: principal.organizationId, id },
      { traceparent: request.traceparent },
    );
  }

  update(
    principal: Principal,
    id: string,
    dto: UpdateLeadPoolBody,
    request: RequestContext,
  ): Promise<LeadPool> {
    return this.rpc.request(
      COMMANDS.poolsUpdate,
      { organizationId: principal.organizationId, id, ...dto },
      { traceparent: request.traceparent },
    );
  }

  createState(
    principal: Principal,
    tableId: string,
    dto: CreateLeadStateBody,
    request: RequestContext,
  ): Promise<LeadState> {
    return this.rpc.request(
      COMMANDS.leadStatesCreate,
      { organizationId: principal.organizationId, tableId, ...dto },
      { traceparent: request.traceparent },
    );
  }

  listStates(principal: Principal, tableId: string, request: RequestContext): Promise<LeadState[]> {
    return this.rpc.request(
      COMMANDS.leadStatesList,
      { organizationId: principal.organizationId, tableId },
      { traceparent: request.traceparent },
    );
  }
}
