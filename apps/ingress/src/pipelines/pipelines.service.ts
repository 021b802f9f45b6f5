import { Injectable } from '@nestjs/common';
import {
  COMMANDS,
  type CreatePipelineBody,
  type Page,
  type Pipeline,
  type UpdatePipelineBody,
} from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';
import type { Principal } from '../auth/principal';
import { given } from '../http/given-fields';
import { pageFields, type PageQuery } from '../http/page.query';
import type { RequestContext } from '../http/request-context';

const PIPELINE_FIELDS = ['name', 'stages'] as const;

/** Pipelines live in `leads`; ingress authorizes and forwards. */
@Injectable()
export class PipelinesService {
  constructor(private readonly rpc: RpcClient) {}

  create(principal: Principal, dto: CreatePipelineBody, request: RequestContext): Promise<Pipeline> {
    return this.rpc.request(
      COMMANDS.pipelinesCreate,
      { organizationId: principal.organizationId, name: dto.name, stages: dto.stages },
      { traceparent: request.traceparent },
    );
  }

  list(principal: Principal, query: PageQuery, request: RequestContext): Promise<Page<Pipeline>> {
    return this.rpc.request(
      COMMANDS.pipelinesList,
      { organizationId: principal.organizationId, ...pageFields(query) },
      { traceparent: request.traceparent },
    );
  }

  get(principal: Principal, id: string, request: RequestContext): Promise<Pipeline> {
    return this.rpc.request(
      COMMANDS.pipelinesGet,
      { organizationId: principal.organizationId, id },
      { traceparent: request.traceparent },
    );
  }

  update(
    principal: Principal,
    id: string,
    dto: UpdatePipelineBody,
    request: RequestContext,
  ): Promise<Pipeline> {
    return this.rpc.request(
      COMMANDS.pipelinesUpdate,
      { organizationId: principal.organizationId, id, ...given(dto, PIPELINE_FIELDS) },
      { traceparent: request.traceparent },
    );
  }

  /** leads refuses (409) while the pipeline has an open deal; its won and lost deals go with it. */
  remove(principal: Principal, id: string, request: RequestContext): Promise<Pipeline> {
    return this.rpc.request(
      COMMANDS.pipelinesDelete,
      { organizationId: principal.organizationId, id },
      { traceparent: request.traceparent },
    );
  }
}
