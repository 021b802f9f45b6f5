import { Injectable } from '@nestjs/common';
import {
  COMMANDS,
  type LeadPool,
  type LeadState,
  type Page,
  type CreateLeadPoolBody,
  type UpdateLeadPoolBody,
  type CreateLeadStateBody,
  type UpdateLeadStateBody,
} from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';
import type { Principal } from '../auth/principal';
import { given } from '../http/given-fields';
import { pageFields, type PageQuery } from '../http/page.query';
import type { RequestContext } from '../http/request-context';

const STATE_FIELDS = ['name', 'isDefault', 'milestone'] as const;

/** Lead pools and their states live in `leads`; ingress authorizes and forwards. */
@Injectable()
export class LeadPoolsService {
  constructor(private readonly rpc: RpcClient) {}

  create(principal: Principal, dto: CreateLeadPoolBody, request: RequestContext): Promise<LeadPool> {
    return this.rpc.request(
      COMMANDS.poolsCreate,
      { organizationId: principal.organizationId, ...dto },
      { traceparent: request.traceparent },
    );
  }

  list(principal: Principal, query: PageQuery, request: RequestContext): Promise<Page<LeadPool>> {
    return this.rpc.request(
      COMMANDS.poolsList,
      { organizationId: principal.organizationId, ...pageFields(query) },
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

  // Milestones already reached stay reached whatever the state becomes (leads keeps them per entry).
  updateState(
    principal: Principal,
    tableId: string,
    id: string,
    dto: UpdateLeadStateBody,
    request: RequestContext,
  ): Promise<LeadState> {
    return this.rpc.request(
      COMMANDS.leadStatesUpdate,
      { organizationId: principal.organizationId, tableId, id, ...given(dto, STATE_FIELDS) },
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
