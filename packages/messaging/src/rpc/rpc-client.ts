import { Inject, Injectable } from '@nestjs/common';
import {
  ErrorCode as NatsErrorCode,
  headers as natsHeaders,
  type NatsConnection,
  type NatsError,
} from 'nats';
import {
  DomainError,
  WireNames,
  type CommandMap,
  type CommandRequest,
  type CommandResponse,
  type RpcReply,
} from '@rocketlead/contracts';
import { NATS_CONNECTION } from '../tokens';

// No replica answered in time, or the connection is down: the caller may retry later (503).
const UNAVAILABLE_CODES = new Set<string>([
  NatsErrorCode.NoResponders,
  NatsErrorCode.Timeout,
  NatsErrorCode.Disconnect,
  NatsErrorCode.ConnectionClosed,
  NatsErrorCode.ConnectionDraining,
]);

export interface RequestOptions {
  timeoutMs?: number;
  traceparent?: string | null;
}

/** Typed request/reply client: a failure comes back as the DomainError the handler threw. */
@Injectable()
export class RpcClient {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly names: WireNames,
  ) {}

  async request<K extends keyof CommandMap>(
    command: K,
    payload: CommandRequest<K>,
    options: RequestOptions = {},
  ): Promise<CommandResponse<K>> {
    const h = natsHeaders();
    if (options.traceparent) h.set('traceparent', options.traceparent);
    let reply: RpcReply<CommandResponse<K>>;
    try {
      const msg = await this.nc.request(this.names.command(command), JSON.stringify(payload), {
        timeout: options.timeoutMs ?? 10_000,
        headers: h,
      });
      reply = msg.json<RpcReply<CommandResponse<K>>>();
    } catch (error) {
      if (UNAVAILABLE_CODES.has((error as NatsError).code)) {
        throw new DomainError(
          'UNAVAILABLE',
          `The ${command.split('.')[0]} service is unavailable, retry later`,
        );
      }
      throw error;
    }
    if (reply.ok) return reply.result;
    throw DomainError.from(reply.error);
  }
}
