import { Injectable } from '@nestjs/common';
import {
  COMMANDS,
  type CreateDealBody,
  type Deal,
  type Page,
  type UpdateDealBody,
} from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';
import type { Principal } from '../auth/principal';
import { given } from '../http/given-fields';
import { pageFields } from '../http/page.query';
import { connectActor, type RequestContext } from '../http/request-context';
import type { ListDealsQuery } from './dto/list-deals.query';

const CREATE_OPTIONAL_FIELDS = ['stageId', 'value', 'currency'] as const;
const UPDATE_FIELDS = ['stageId', 'status', 'title', 'value', 'currency'] as const;

/** Deals live in `leads`, which emits their stage and status events; ingress authorizes and forwards. */
@Injectable()
export class DealsService {
  constructor(private readonly rpc: RpcClient) {}

  create(principal: Principal, dto: CreateDealBody, request: RequestContext): Promise<Deal> {
    return this.rpc.request(
      COMMANDS.dealsCreate,
      {
        actor: connectActor(principal, request),
        entryId: dto.entryId,
        pipelineId: dto.pipelineId,
        title: dto.title,
        ...given(dto, CREATE_OPTIONAL_FIELDS),
      },
      { traceparent: request.traceparent },
    );
  }

  list(principal: Principal, query: ListDealsQuery, request: RequestContext): Promise<Page<Deal>> {
    return this.rpc.request(
      COMMANDS.dealsList,
      {
        organizationId: principal.organizationId,
        ...pageFields(query),
        ...given(query, ['entryId', 'pipelineId', 'status'] as const),
      },
      { traceparent: request.traceparent },
    );
  }

  get(principal: Principal, id: string, request: RequestContext): Promise<Deal> {
    return this.rpc.request(
      COMMANDS.dealsGet,
      { organizationId: principal.organizationId, id },
      { traceparent: request.traceparent },
    );
  }

  update(principal: Principal, id: string, dto: UpdateDealBody, request: RequestContext): Promise<Deal> {
    return this.rpc.request(
      COMMANDS.dealsUpdate,
      { actor: connectActor(principal, request), id, ...given(dto, UPDATE_FIELDS) },
      { traceparent: request.traceparent },
    );
  }
}
