import { Injectable } from '@nestjs/common';
import { COMMANDS, type CreateTagBody, type Page, type Tag, type UpdateTagBody } from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';
import type { Principal } from '../auth/principal';
import { given } from '../http/given-fields';
import { pageFields, type PageQuery } from '../http/page.query';
import type { RequestContext } from '../http/request-context';

const TAG_FIELDS = ['name', 'color'] as const;

/** Tags live in `leads`; ingress authorizes and forwards. */
@Injectable()
export class TagsService {
  constructor(private readonly rpc: RpcClient) {}

  create(principal: Principal, dto: CreateTagBody, request: RequestContext): Promise<Tag> {
    return this.rpc.request(
      COMMANDS.tagsCreate,
      { organizationId: principal.organizationId, name: dto.name, ...given(dto, ['color'] as const) },
      { traceparent: request.traceparent },
    );
  }

  list(principal: Principal, query: PageQuery, request: RequestContext): Promise<Page<Tag>> {
    return this.rpc.request(
      COMMANDS.tagsList,
      { organizationId: principal.organizationId, ...pageFields(query) },
      { traceparent: request.traceparent },
    );
  }

  get(principal: Principal, id: string, request: RequestContext): Promise<Tag> {
    return this.rpc.request(
      COMMANDS.tagsGet,
      { organizationId: principal.organizationId, id },
      { traceparent: request.traceparent },
    );
  }

  update(principal: Principal, id: string, dto: UpdateTagBody, request: RequestContext): Promise<Tag> {
    return this.rpc.request(
      COMMANDS.tagsUpdate,
      { organizationId: principal.organizationId, id, ...given(dto, TAG_FIELDS) },
      { traceparent: request.traceparent },
    );
  }

  /** leads takes the tag off every entry too, emitting nothing (the entries did not change by a decision). */
  remove(principal: Principal, id: string, request: RequestContext): Promise<Tag> {
    return this.rpc.request(
      COMMANDS.tagsDelete,
      { organizationId: principal.organizationId, id },
      { traceparent: request.traceparent },
    );
  }
}
