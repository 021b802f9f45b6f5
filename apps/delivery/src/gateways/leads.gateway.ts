import { Injectable } from '@nestjs/common';
import { COMMANDS, nullIfNotFound, type TableEntry } from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';

/** What delivery asks of leads: the lead a form webhook sends. */
@Injectable()
export class LeadsGateway {
  constructor(private readonly rpc: RpcClient) {}

  entry(organizationId: string, id: string, traceparent: string | null = null): Promise<TableEntry | null> {
    return nullIfNotFound(this.rpc.request(COMMANDS.entriesGet, { organizationId, id }, { traceparent }));
  }
}
