import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import {
  ErrorCode as NatsErrorCode,
  type Msg,
  type NatsConnection,
  type NatsError,
  type Subscription,
} from 'nats';
import {
  COMMANDS,
  DomainError,
  WireNames,
  type CommandName,
  type ErrorBody,
  type RpcReply,
} from '@rocketlead/contracts';
import { JsonLogger, traceIdOf, withSpan } from '@rocketlead/observability';
import { MESSAGING_OPTIONS, NATS_CONNECTION } from '../tokens';
import type { MessagingOptions } from '../messaging-options';
import { DEFAULT_RPC_TIMEOUT_MS } from './command-client.proxy';
import { CommandContext } from './command-context';
import { callerTimeoutMs, COMMAND_TIMEOUT_HEADER, CommandGate } from './command-gate';
import { isErrorBody } from './rpc-reply';
import { unavailableError } from './unavailable';

const KNOWN_COMMANDS = new Set<string>(Object.values(COMMANDS));
const encoder = new TextEncoder();
const INTERNAL: ErrorBody = { code: 'INTERNAL', message: 'Internal server error' };
const DEFAULT_COMMAND_CONCURRENCY = 20;

/**
 * The command transport of every service: a Nest microservice strategy serving `@MessagePattern(COMMANDS.x)`
 * handlers over core NATS request/reply on the service's existing connection. Subjects are namespaced
 * (WireNames), replicas share load through a queue group, the caller's traceparent header is continued,
 * and every request gets exactly one reply: the result, or a typed error (`DomainError` codes; anything
 * unexpected is logged with its stack and answered INTERNAL; a reply too large for NATS becomes
 * REPLY_TOO_LARGE). At most `commandConcurrency` requests execute at once (CommandGate); one whose caller
 * stopped waiting before its turn is dropped unanswered. On shutdown it stops taking requests and finishes
 * the ones in flight.
 */
@Injectable()
export class CommandTransportServer
  extends Server
  implements CustomTransportStrategy, BeforeApplicationShutdown
{
  private readonly subscriptions: Subscription[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  // Replies ready in one turn of the event loop, sent together (one socket write instead of one each).
  private replies: { send: () => void; sent: () => void }[] = [];
  private closing: Promise<void> | undefined;
  private readonly gate: CommandGate;
  private lastDropReport = 0;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly names: WireNames,
    private readonly log: JsonLogger,
  ) {
    super();
    this.gate = new CommandGate(options.commandConcurrency ?? DEFAULT_COMMAND_CONCURRENCY);
  }

  listen(callback: (error?: unknown) => void): void {
    try {
      const queue = this.options.queueGroup ?? this.options.serviceName;
      for (const [pattern, handler] of this.messageHandlers) {
        if (handler.isEventHandler)
          throw new Error(`@EventPattern('${pattern}'): events are consumed from JetStream, not served here`);
        if (!KNOWN_COMMANDS.has(pattern))
          throw new Error(
            `@MessagePattern('${pattern}') is not a command of COMMANDS in @rocketlead/contracts`,
          );
        const subject = this.names.command(pattern as CommandName);
        this.subscriptions.push(
          this.nc.subscribe(subject, {
            queue,
            callback: (error, msg) => {
              if (error) return this.log.event('error', 'command subscription failed', { subject, error });
              this.track(this.handle(pattern, handler, msg));
            },
          }),
        );
      }
      // Ready only once the server has the subscriptions: a request right after start must find a responder.
      this.nc.flush().then(() => callback(), callback);
    } catch (error) {
      callback(error);
    }
  }

  /** Stops taking requests (queue-group peers get the next ones) and waits for those in flight. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all(this.subscriptions.map((sub) => sub.drain().catch(() => sub.unsubscribe())));
      // Draining may still dispatch messages that were already delivered; wait until nothing is left.
      while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    })();
    return this.closing;
  }

  /** Drains before other providers (database, outbox) stop, as the requests in flight still need them. */
  beforeApplicationShutdown(): Promise<void> {
    return this.close();
  }

  on(): never {
    throw new Error('The command transport has no events to listen to');
  }

  unwrap<T>(): T {
    return this.nc as T;
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** Never rejects: every failure becomes a reply or a log line. */
  private async handle(command: string, handler: MessageHandler, msg: Msg): Promise<void> {
    const traceparent = msg.headers?.get('traceparent');
    const trace = traceIdOf(traceparent);
    const waitMs = callerTimeoutMs(msg.headers?.get(COMMAND_TIMEOUT_HEADER), DEFAULT_RPC_TIMEOUT_MS);
    if (!(await this.gate.admit(Date.now() + waitMs, trace))) return this.reportDropped(command);
    let reply: RpcReply<unknown>;
    try {
      reply = await withSpan(`rpc ${command}`, traceparent, 'server', () =>
        this.execute(command, handler, msg),
      );
    } catch (error) {
      reply = this.failure(command, error);
    } finally {
      this.gate.release(trace);
    }
    if (msg.reply) await this.queueReply(() => this.respond(command, msg, reply));
  }

  /** At most one line a second: under overload every dropped request would otherwise log. */
  private reportDropped(command: string): void {
    const now = Date.now();
    if (now - this.lastDropReport < 1_000) return;
    this.lastDropReport = now;
    this.log.event('warn', 'commands dropped: their callers stopped waiting before their turn', {
      command,
      droppedTotal: this.gate.dropped,
      waiting: this.gate.waiting,
      concurrency: this.gate.limit,
    });
  }

  /** Sends at the end of this turn of the event loop, with the other replies ready by then. */
  private queueReply(send: () => void): Promise<void> {
    return new Promise<void>((sent) => {
      this.replies.push({ send, sent });
      if (this.replies.length > 1) return;
      setImmediate(() => {
        const batch = this.replies;
        this.replies = [];
        // nats.js writes what was queued in the same microtask as one frame.
        for (const reply of batch) reply.send();
        for (const reply of batch) reply.sent();
      });
    });
  }

  private async execute(command: string, handler: MessageHandler, msg: Msg): Promise<RpcReply<unknown>> {
    try {
      let payload: unknown;
      try {
        payload = msg.json();
      } catch {
        throw new DomainError('BAD_REQUEST', 'Request is not valid JSON');
      }
      const context = new CommandContext([msg.subject, msg.headers, command]);
      const result: unknown = await lastValueFrom(
        this.transformToObservable(await handler(payload, context)),
        { defaultValue: null },
      );
      return { ok: true, result };
    } catch (error) {
      return this.failure(command, error);
    }
  }

  private failure(command: string, error: unknown): RpcReply<never> {
    if (error instanceof DomainError) return { ok: false, error: error.toBody() };
    if (isErrorBody(error)) return { ok: false, error: DomainError.from(error).toBody() };
    const unavailable = unavailableError(error);
    if (unavailable) {
      this.log.event('warn', 'command failed: infrastructure unavailable', {
        command,
        error: (error as Error).message,
      });
      return { ok: false, error: unavailable.toBody() };
    }
    this.log.event('error', 'command handler failed', { command, error });
    return { ok: false, error: INTERNAL };
  }

  /** Sends the reply; one that cannot be sent (too large, unserializable) becomes a typed error reply. */
  private respond(command: string, msg: Msg, reply: RpcReply<unknown>): void {
    let data: Uint8Array;
    try {
      data = encoder.encode(JSON.stringify(reply));
    } catch (error) {
      this.log.event('error', 'command reply could not be serialized', { command, error });
      data = encoder.encode(JSON.stringify({ ok: false, error: INTERNAL }));
    }
    const limit = this.nc.info?.max_payload;
    if (limit !== undefined && data.byteLength > limit) {
      this.log.event('error', 'command reply larger than the NATS max_payload', {
        command,
        bytes: data.byteLength,
        limit,
      });
      data = this.tooLarge(command, data.byteLength, limit);
    }
    try {
      msg.respond(data);
    } catch (error) {
      this.log.event('error', 'command reply could not be sent', { command, error });
      try {
        const tooLarge = (error as Partial<NatsError>).code === NatsErrorCode.MaxPayloadExceeded;
        msg.respond(
          tooLarge
            ? this.tooLarge(command, data.byteLength, limit)
            : encoder.encode(JSON.stringify({ ok: false, error: INTERNAL })),
        );
      } catch (again) {
        this.log.event('error', 'command error reply could not be sent either', { command, error: again });
      }
    }
  }

  private tooLarge(command: string, bytes: number, limit: number | undefined): Uint8Array {
    const error = new DomainError(
      'REPLY_TOO_LARGE',
      `The reply to ${command} is ${bytes} bytes, more than a message may carry` +
        (limit ? ` (${limit} bytes)` : ''),
      { bytes, ...(limit ? { limit } : {}) },
    );
    return encoder.encode(JSON.stringify({ ok: false, error: error.toBody() }));
  }
}
