import { Injectable } from '@nestjs/common';
import {
  assertEntryFits,
  COMMANDS,
  type ActivityItem,
  type DeliveryWithAttempts,
  type Page,
  type TableEntry,
  type ApplyTagBody,
  type CreateTableEntryBody,
  type UpdateTableEntryBody,
} from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';
import type { Principal } from '../auth/principal';
import { given } from '../http/given-fields';
import { connectActor, type RequestContext } from '../http/request-context';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { pageOf, type DeliveryPageQuery } from '../deliveries/dto/delivery-page.query';
import { pageFields, type PageQuery } from '../http/page.query';
import type { ActivityQuery } from './dto/activity.query';
import type { ListTableEntriesQuery } from './dto/list-table-entries.query';

@Injectable()
export class TableEntriesService {
  constructor(
    private readonly rpc: RpcClient,
    private readonly idempotency: IdempotencyService,
  ) {}

  create(
    principal: Principal,
    dto: CreateTableEntryBody,
    idempotencyKey: string | undefined,
    request: RequestContext,
  ): Promise<TableEntry> {
    assertEntryFits(dto.data, dto.customFieldData);
    return this.idempotency.run({
      organizationId: principal.organizationId,
      credentialId: principal.tokenId,
      key: idempotencyKey,
      route: 'connect:table_entries',
      body: dto,
      work: (downstreamKey) =>
        this.rpc.request(
          COMMANDS.entriesCreate,
          {
            actor: connectActor(principal, request),
            tableId: dto.tableId,
            data: dto.data,
            ...(dto.customFieldData ? { customFieldData: dto.customFieldData } : {}),
            ...(dto.leadStateId ? { leadStateId: dto.leadStateId } : {}),
            schemaMode: 'strict',
            ...(downstreamKey ? { idempotencyKey: downstreamKey } : {}),
          },
          { traceparent: request.traceparent },
        ),
    });
  }

  get(principal: Principal, id: string, request: RequestContext): Promise<TableEntry> {
    return this.rpc.request(
      COMMANDS.entriesGet,
      { organizationId: principal.organizationId, id },
      { traceparent: request.traceparent },
    );
  }

  list(
    principal: Principal,
    query: ListTableEntriesQuery,
    request: RequestContext,
  ): Promise<Page<TableEntry>> {
    return this.rpc.request(
      COMMANDS.entriesList,
      {
        organizationId: principal.organizationId,
        ...given(query, ['tableId', 'tagId', 'leadStateId', 'assignedMemberId'] as const),
        ...pageFields(query),
      },
      { traceparent: request.traceparent },
    );
  }

  async remove(principal: Principal, id: string, request: RequestContext): Promise<void> {
    await this.rpc.request(
      COMMANDS.entriesDelete,
      { actor: connectActor(principal, request), id },
      { traceparent: request.traceparent },
    );
  }

  update(
    principal: Principal,
    id: string,
    dto: UpdateTableEntryBody,
    request: RequestContext,
  ): Promise<TableEntry> {
    // The merged entry is checked again by leads; a patch alone past the limit can only grow it further.
    assertEntryFits(dto.data, dto.customFieldData);
    return this.rpc.request(
      COMMANDS.entriesUpdate,
      {
        actor: connectActor(principal, request),
        id,
        ...(dto.leadStateId !== undefined ? { leadStateId: dto.leadStateId } : {}),
        // null is sent: it unassigns.
        ...(dto.assignedMemberId !== undefined ? { assignedMemberId: dto.assignedMemberId } : {}),
        ...(dto.data !== undefined ? { data: dto.data } : {}),
        ...(dto.customFieldData !== undefined ? { customFieldData: dto.customFieldData } : {}),
      },
      { traceparent: request.traceparent },
    );
  }

  /** Applying a tag the entry already carries changes nothing and emits nothing (leads decides). */
  applyTag(
    principal: Principal,
    id: string,
    dto: ApplyTagBody,
    request: RequestContext,
  ): Promise<TableEntry> {
    return this.rpc.request(
      COMMANDS.entriesTagApply,
      { actor: connectActor(principal, request), id, tagId: dto.tagId },
      { traceparent: request.traceparent },
    );
  }

  removeTag(principal: Principal, id: string, tagId: string, request: RequestContext): Promise<TableEntry> {
    return this.rpc.request(
      COMMANDS.entriesTagRemove,
      { actor: connectActor(principal, request), id, tagId },
      { traceparent: request.traceparent },
    );
  }

  /** The entries linked to this one as duplicates; leads answers 404 for another organization's entry. */
  duplicates(
    principal: Principal,
    id: string,
    query: PageQuery,
    request: RequestContext,
  ): Promise<Page<TableEntry>> {
    return this.rpc.request(
      COMMANDS.entriesDuplicates,
      { organizationId: principal.organizationId, id, ...pageFields(query) },
      { traceparent: request.traceparent },
    );
  }

  /**
   * The lead must be one of the caller's organization (leads answers 404 otherwise) before delivery is
   * asked: another organization's lead is a 404, not an empty list.
   */
  async deliveries(
    principal: Principal,
    entryId: string,
    query: DeliveryPageQuery,
    request: RequestContext,
  ): Promise<Page<DeliveryWithAttempts>> {
    await this.get(principal, entryId, request);
    return this.rpc.request(
      COMMANDS.entryDeliveries,
      { organizationId: principal.organizationId, entryId, ...pageOf(query) },
      { traceparent: request.traceparent },
    );
  }

  /** automation answers it, and asks leads whether the lead is the organization's (404 otherwise). */
  activity(
    principal: Principal,
    entryId: string,
    query: ActivityQuery,
    request: RequestContext,
  ): Promise<Page<ActivityItem>> {
    return this.rpc.request(
      COMMANDS.activityList,
      {
        organizationId: principal.organizationId,
        entryId,
        ...pageFields(query),
        ...(query.types?.length ? { types: query.types } : {}),
      },
      { traceparent: request.traceparent },
    );
  }
}
