import { Injectable } from '@nestjs/common';
import {
  COMMANDS,
  type CreateMemberGroupBody,
  type MemberGroup,
  type Page,
  type UpdateMemberGroupBody,
} from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';
import type { Principal } from '../auth/principal';
import { given } from '../http/given-fields';
import { pageFields, type PageQuery } from '../http/page.query';
import type { RequestContext } from '../http/request-context';

const GROUP_FIELDS = ['name', 'memberIds'] as const;

/** Member groups live in `leads`; ingress authorizes and forwards. */
@Injectable()
export class MemberGroupsService {
  constructor(private readonly rpc: RpcClient) {}

  create(principal: Principal, dto: CreateMemberGroupBody, request: RequestContext): Promise<MemberGroup> {
    return this.rpc.request(
      COMMANDS.memberGroupsCreate,
      { organizationId: principal.organizationId, name: dto.name, memberIds: dto.memberIds },
      { traceparent: request.traceparent },
    );
  }

  list(principal: Principal, query: PageQuery, request: RequestContext): Promise<Page<MemberGroup>> {
    return this.rpc.request(
      COMMANDS.memberGroupsList,
      { organizationId: principal.organizationId, ...pageFields(query) },
      { traceparent: request.traceparent },
    );
  }

  get(principal: Principal, id: string, request: RequestContext): Promise<MemberGroup> {
    return this.rpc.request(
      COMMANDS.memberGroupsGet,
      { organizationId: principal.organizationId, id },
      { traceparent: request.traceparent },
    );
  }

  update(
    principal: Principal,
    id: string,
    dto: UpdateMemberGroupBody,
    request: RequestContext,
  ): Promise<MemberGroup> {
    return this.rpc.request(
      COMMANDS.memberGroupsUpdate,
      { organizationId: principal.organizationId, id, ...given(dto, GROUP_FIELDS) },
      { traceparent: request.traceparent },
    );
  }

  remove(principal: Principal, id: string, request: RequestContext): Promise<MemberGroup> {
    return this.rpc.request(
      COMMANDS.memberGroupsDelete,
      { organizationId: principal.organizationId, id },
      { traceparent: request.traceparent },
    );
  }
}
