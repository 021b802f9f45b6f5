import { Injectable } from '@nestjs/common';
import { COMMANDS, nullIfNotFound, type Actor, type ContactResolution } from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';

export interface ContactDetails {
  email: string;
  name: string | null;
  phone: string | null;
}

/** What integrations asks of leads, which owns pools and contacts. */
@Injectable()
export class LeadsGateway {
  constructor(private readonly rpc: RpcClient) {}

  /** Whether the organization has a lead pool with this id. */
  async poolExists(organizationId: string, id: string, traceparent: string | null): Promise<boolean> {
    const pool = await nullIfNotFound(
      this.rpc.request(COMMANDS.poolsGet, { organizationId, id }, { traceparent }),
    );
    return pool !== null;
  }

  /** The contact of pool `tableId` with this email (normalised by leads), created there when there is none. */
  resolveContact(actor: Actor, tableId: string, contact: ContactDetails): Promise<ContactResolution> {
    return this.rpc.request(
      COMMANDS.contactsResolve,
      { actor, tableId, ...contact },
      { traceparent: actor.traceparent },
    );
  }
}
