import { Injectable } from '@nestjs/common';
import { COMMANDS, DomainError } from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';

/** Asks leads (which owns entries) whether an entry exists in the organization. */
@Injectable()
export class EntriesGateway {
  constructor(private readonly rpc: RpcClient) {}

  async exists(organizationId: string, id: string, traceparent: string | null): Promise<boolean> {
    try {
      await this.rpc.request(COMMANDS.entriesGet, { organizationId, id }, { traceparent });
      return true;
    } catch (error) {
      if (error instanceof DomainError && error.code === 'NOT_FOUND') return false;
      throw error;
    }
  }
}
