import { Injectable } from '@nestjs/common';
import {
  COMMANDS,
  nullIfNotFound,
  type EntriesUpdateRequest,
  type LeadPool,
  type LeadState,
  type TableEntry,
} from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';

/** What automation asks of leads, which owns pools, states and entries. */
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

  /** Applies a change once per `idempotencyKey`; errors keep their code (VALIDATION_FAILED is permanent). */
  updateEntry(request: EntriesUpdateRequest): Promise<TableEntry> {
    return this.rpc.request(COMMANDS.entriesUpdate, request, { traceparent: request.actor.traceparent });
  }
}
