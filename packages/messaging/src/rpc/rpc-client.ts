import { Injectable } from '@nestjs/common';
import { firstValueFrom } from 'rxjs';
import type { CommandMap, CommandRequest, CommandResponse } from '@rocketlead/contracts';
import { CommandClientProxy, CommandRecord } from './command-client.proxy';

export interface RequestOptions {
  /** The trace the command belongs to; defaults to the active span (a handler's own request). */
  traceparent?: string | null;
}

/**
 * Typed facade over the command ClientProxy: `request(COMMANDS.x, payload)` resolves with the handler's
 * result type or rejects with the DomainError it threw (UNAVAILABLE after RPC_TIMEOUT_MS without a reply).
 */
@Injectable()
export class RpcClient {
  constructor(private readonly proxy: CommandClientProxy) {}

  request<K extends keyof CommandMap>(
    command: K,
    payload: CommandRequest<K>,
    options: RequestOptions = {},
  ): Promise<CommandResponse<K>> {
    return firstValueFrom(
      this.proxy.send<CommandResponse<K>>(command, new CommandRecord(payload, options.traceparent ?? null)),
    );
  }
}
