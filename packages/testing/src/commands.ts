import type { NatsConnection } from 'nats';
import {
  DomainError,
  type CommandMap,
  type CommandRequest,
  type CommandResponse,
  type RpcReply,
  type WireNames,
} from '@rocketlead/contracts';

/** The DomainError a promise rejects with; throws if it resolves or rejects with anything else. */
export async function failure(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

export type CommandSender = <K extends keyof CommandMap>(
  command: K,
  request: CommandRequest<K>,
) => Promise<CommandResponse<K>>;

/** Sends commands on a namespace's subjects over plain NATS; a failed reply throws its DomainError. */
export function commandSender(nc: NatsConnection, names: WireNames, timeoutMs = 10_000): CommandSender {
  return async (command, request) => {
    const msg = await nc.request(names.command(command), JSON.stringify(request), { timeout: timeoutMs });
    const reply = msg.json<RpcReply<CommandResponse<typeof command>>>();
    if (!reply.ok) throw DomainError.from(reply.error);
    return reply.result;
  };
}
