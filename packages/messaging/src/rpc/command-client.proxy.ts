import { Inject, Injectable } from '@nestjs/common';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { headers as natsHeaders, type NatsConnection } from 'nats';
import { DomainError, WireNames, type CommandName, type RpcReply } from '@rocketlead/contracts';
import { currentTraceparent } from '@rocketlead/observability';
import { MESSAGING_OPTIONS, NATS_CONNECTION } from '../tokens';
import type { MessagingOptions } from '../messaging-options';
import { COMMAND_TIMEOUT_HEADER } from './command-gate';
import { requestFailure } from './rpc-reply';
import { RequestMux } from './request-mux';

export const DEFAULT_RPC_TIMEOUT_MS = 10_000;

/** A command payload with the trace it belongs to (like Nest's NatsRecord, for our transport). */
export class CommandRecord<T = unknown> {
  constructor(
    readonly data: T,
    readonly traceparent: string | null = null,
  ) {}
}

/**
 * The caller's side of the command transport, as a Nest `ClientProxy`: `send(COMMANDS.x, payload)` makes a
 * NATS request on the namespaced subject over the service's own connection, with a traceparent header and
 * the RPC_TIMEOUT_MS deadline. The observable yields the result or errors with the handler's DomainError;
 * no reply in time (or no replica) is UNAVAILABLE.
 */
@Injectable()
export class CommandClientProxy extends ClientProxy {
  private readonly timeoutMs: number;
  // Requests made in one turn of the event loop, published together (one socket write instead of one each).
  private queued: (() => void)[] = [];

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(MESSAGING_OPTIONS) options: MessagingOptions,
    private readonly names: WireNames,
  ) {
    super();
    this.timeoutMs = options.rpcTimeoutMs ?? DEFAULT_RPC_TIMEOUT_MS;
  }

  /** The connection belongs to the messaging module; there is nothing to open. */
  connect(): Promise<NatsConnection> {
    return Promise.resolve(this.nc);
  }

  /** The messaging module drains the shared connection on shutdown. */
  close(): void {}

  unwrap<T>(): T {
    return this.nc as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const command = this.normalizePattern(packet.pattern as string);
    const record = packet.data instanceof CommandRecord ? packet.data : new CommandRecord(packet.data);
    let cancelled = false;
    const h = natsHeaders();
    h.set('traceparent', currentTraceparent(record.traceparent));
    // The server drops the request unexecuted if its turn comes after this caller stopped waiting.
    h.set(COMMAND_TIMEOUT_HEADER, String(this.timeoutMs));
    void this.atEndOfTurn(() =>
      RequestMux.of(this.nc).request(
        this.names.command(command as CommandName),
        JSON.stringify(record.data),
        {
          timeoutMs: this.timeoutMs,
          headers: h,
        },
      ),
    ).then(
      (msg) => {
        if (cancelled) return;
        let reply: RpcReply<unknown>;
        try {
          reply = msg.json<RpcReply<unknown>>();
        } catch {
          return callback({ err: new DomainError('INTERNAL', 'Internal server error') });
        }
        if (reply.ok) callback({ response: reply.result ?? null, isDisposed: true });
        else callback({ err: DomainError.from(reply.error) });
      },
      (error: unknown) => {
        if (!cancelled) callback({ err: requestFailure(command, error) });
      },
    );
    return () => {
      cancelled = true;
    };
  }

  /**
   * Runs `request` at the end of this turn of the event loop together with the other requests made in it:
   * nats.js writes what is queued in the same microtask as one frame. A synchronous throw (e.g. a payload
   * over max_payload) becomes this request's rejection.
   */
  private atEndOfTurn<T>(request: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queued.push(() => {
        // Promise.resolve().then keeps a synchronous throw inside the promise.
        Promise.resolve().then(request).then(resolve, reject);
      });
      if (this.queued.length > 1) return;
      setImmediate(() => {
        const batch = this.queued;
        this.queued = [];
        for (const run of batch) run();
      });
    });
  }

  /** Events travel through the outbox and JetStream, never through the command transport. */
  protected dispatchEvent(): Promise<never> {
    return Promise.reject(
      new Error('The command transport carries commands only; publish events via the outbox'),
    );
  }
}
