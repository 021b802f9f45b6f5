import { Injectable } from '@nestjs/common';
import {
  COMMANDS,
  nullIfNotFound,
  type EntriesAssignCommand,
  type EntriesTagApplyCommand,
  type EntriesTagRemoveCommand,
  type EntriesUpdateRequest,
  type LeadPool,
  type LeadState,
  type Member,
  type OrganizationSettings,
  type MemberGroup,
  type Form,
  type Pipeline,
  type TableEntry,
  type Tag,
} from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';

/** What automation asks of leads, which owns pools, states, entries, members, groups, tags and pipelines. */
@Injectable()
export class LeadsGateway {
  constructor(private readonly rpc: RpcClient) {}

  pool(organizationId: string, id: string, traceparent: string | null = null): Promise<LeadPool | null> {
    return nullIfNotFound(this.rpc.request(COMMANDS.poolsGet, { organizationId, id }, { traceparent }));
  }

  states(organizationId: string, tableId: string, traceparent: string | null = null): Promise<LeadState[]> {
    return this.rpc.request(COMMANDS.leadStatesList, { organizationId, tableId }, { traceparent });
  }

  entry(organizationId: string, id: string, traceparent: string | null = null): Promise<TableEntry | null> {
    return nullIfNotFound(this.rpc.request(COMMANDS.entriesGet, { organizationId, id }, { traceparent }));
  }

  /** The organization's settings (its time zone; UTC when never set). */
  organizationSettings(
    organizationId: string,
    traceparent: string | null = null,
  ): Promise<OrganizationSettings> {
    return this.rpc.request(COMMANDS.organizationSettingsGet, { organizationId }, { traceparent });
  }

  member(organizationId: string, id: string, traceparent: string | null = null): Promise<Member | null> {
    return nullIfNotFound(this.rpc.request(COMMANDS.membersGet, { organizationId, id }, { traceparent }));
  }

  group(organizationId: string, id: string, traceparent: string | null = null): Promise<MemberGroup | null> {
    return nullIfNotFound(
      this.rpc.request(COMMANDS.memberGroupsGet, { organizationId, id }, { traceparent }),
    );
  }

  tag(organizationId: string, id: string, traceparent: string | null = null): Promise<Tag | null> {
    return nullIfNotFound(this.rpc.request(COMMANDS.tagsGet, { organizationId, id }, { traceparent }));
  }

  form(organizationId: string, id: string, traceparent: string | null = null): Promise<Form | null> {
    return nullIfNotFound(this.rpc.request(COMMANDS.formsGet, { organizationId, id }, { traceparent }));
  }

  pipeline(organizationId: string, id: string, traceparent: string | null = null): Promise<Pipeline | null> {
    return nullIfNotFound(this.rpc.request(COMMANDS.pipelinesGet, { organizationId, id }, { traceparent }));
  }

  /** The pipeline holding the stage (with all its stages), or null when no pipeline of the org has it. */
  pipelineByStage(
    organizationId: string,
    stageId: string,
    traceparent: string | null = null,
  ): Promise<Pipeline | null> {
    return nullIfNotFound(
      this.rpc.request(COMMANDS.pipelinesByStage, { organizationId, stageId }, { traceparent }),
    );
  }

  /** Applies a change once per `idempotencyKey`; errors keep their code (VALIDATION_FAILED is permanent). */
  updateEntry(request: EntriesUpdateRequest): Promise<TableEntry> {
    return this.rpc.request(COMMANDS.entriesUpdate, request, { traceparent: request.actor.traceparent });
  }

  /** Assigns the entry to a member, or to one picked from a group; once per `idempotencyKey`. */
  assign(request: EntriesAssignCommand): Promise<TableEntry> {
    return this.rpc.request(COMMANDS.entriesAssign, request, { traceparent: request.actor.traceparent });
  }

  /** Applying a tag the entry has changes nothing (and emits nothing). */
  tagApply(request: EntriesTagApplyCommand): Promise<TableEntry> {
    return this.rpc.request(COMMANDS.entriesTagApply, request, { traceparent: request.actor.traceparent });
  }

  tagRemove(request: EntriesTagRemoveCommand): Promise<TableEntry> {
    return this.rpc.request(COMMANDS.entriesTagRemove, request, { traceparent: request.actor.traceparent });
  }
}
