import { Injectable } from '@nestjs/common';
import {
  COMMANDS,
  type CreateMemberBody,
  type Member,
  type Page,
  type UpdateMemberBody,
} from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';
import type { Principal } from '../auth/principal';
import { given } from '../http/given-fields';
import { pageFields } from '../http/page.query';
import type { RequestContext } from '../http/request-context';
import type { ListMembersQuery } from './dto/list-members.query';

const MEMBER_FIELDS = ['name', 'email', 'active'] as const;

/** Members live in `leads`; ingress authorizes and forwards. */
@Injectable()
export class MembersService {
  constructor(private readonly rpc: RpcClient) {}

  create(principal: Principal, dto: CreateMemberBody, request: RequestContext): Promise<Member> {
    return this.rpc.request(
      COMMANDS.membersCreate,
      { organizationId: principal.organizationId, name: dto.name, email: dto.email },
      { traceparent: request.traceparent },
    );
  }

  list(principal: Principal, query: ListMembersQuery, request: RequestContext): Promise<Page<Member>> {
    return this.rpc.request(
      COMMANDS.membersList,
      {
        organizationId: principal.organizationId,
        ...pageFields(query),
        ...given(query, ['groupId', 'active'] as const),
      },
      { traceparent: request.traceparent },
    );
  }

  get(principal: Principal, id: string, request: RequestContext): Promise<Member> {
    return this.rpc.request(
      COMMANDS.membersGet,
      { organizationId: principal.organizationId, id },
      { traceparent: request.traceparent },
    );
  }

  update(principal: Principal, id: string, dto: UpdateMemberBody, request: RequestContext): Promise<Member> {
    return this.rpc.request(
      COMMANDS.membersUpdate,
      { organizationId: principal.organizationId, id, ...given(dto, MEMBER_FIELDS) },
      { traceparent: request.traceparent },
    );
  }

  /** Members are deactivated, never removed: entries assigned to them keep pointing to them. */
  deactivate(principal: Principal, id: string, request: RequestContext): Promise<Member> {
    return this.rpc.request(
      COMMANDS.membersDeactivate,
      { organizationId: principal.organizationId, id },
      { traceparent: request.traceparent },
    );
  }
}
