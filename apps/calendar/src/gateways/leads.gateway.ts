import { Injectable } from '@nestjs/common';
import {
  COMMANDS,
  DomainError,
  nullIfNotFound,
  type Actor,
  type ContactResolution,
  type LeadPool,
} from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';

/** What calendar asks of leads, which owns pools, entries and contacts. */
@Injectable()
export class LeadsGateway {
  constructor(private readonly rpc: RpcClient) {}

  /** Whether an entry exists in the organization. */
  async entryExists(organizationId: string, id: string, traceparent: string | null): Promise<boolean> {
    try {
      await this.rpc.request(COMMANDS.entriesGet, { organizationId, id }, { traceparent });
      return true;
    } catch (error) {
      if (error instanceof DomainError && error.code === 'NOT_FOUND') return false;
      throw error;
    }
  }

  /** The organization's lead pool, or null when it has none with this id. */
  pool(organizationId: string, id: string, traceparent: string | null): Promise<LeadPool | null> {
    return nullIfNotFound(this.rpc.request(COMMANDS.poolsGet, { organizationId, id }, { traceparent }));
  }

  /** The contact of pool `tableId` with this email (normalised by leads), created there when there is none. */
  resolveContact(
    actor: Actor,
    tableId: string,
    contact: { email: string; name: string | null; phone: string | null },
  ): Promise<ContactResolution> {
    return this.rpc.request(
      COMMANDS.contactsResolve,
      { actor, tableId, ...contact },
      { traceparent: actor.traceparent },
    );
  }
}
