import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { Msg, NatsConnection, Subscription } from 'nats';
import {
  commandSchema,
  DomainError,
  validate,
  WireNames,
  type CommandMap,
  type RpcReply,
} from '@rocketlead/contracts';
import { JsonLogger, withSpan } from '@rocketlead/observability';
import { MESSAGING_OPTIONS, NATS_CONNECTION } from '../tokens';
import type { MessagingOptions } from '../messaging-options';
import { COMMAND_HANDLER } from './command-handler.decorator';

type Handler = (request: unknown) => Promise<unknown>;

/**
 * Serves `@CommandHandler` methods over core NATS request/reply, in a queue group so replicas share load.
 * Requests are validated against the contract before the handler runs; failures travel as typed codes.
 */
@Injectable()
export class RpcServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly subscriptions: Subscription[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly names: WireNames,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly logger: JsonLogger,
  ) {}

  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = (instance as Record<string, unknown>)[method];
        if (typeof fn !== 'function') continue;
        const command = this.reflector.get<keyof CommandMap | undefined>(COMMAND_HANDLER, fn);
        if (command) this.serve(command, (request) => (fn as Handler).call(instance, request));
      }
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.subscriptions.map((sub) => sub.drain().catch(() => undefined)));
    await Promise.all([...this.inFlight]);
  }

  private serve(command: keyof CommandMap, handler: Handler): void {
    const subject = this.names.command(command);
    const sub = this.nc.subscribe(subject, {
      queue: this.options.queueGroup ?? this.options.serviceName,
      callback: (error, msg) => {
        if (error)
          return this.logger.event('error', 'rpc subscription error', { subject, error: error.message });
        const work = this.dispatch(command, handler, msg).finally(() => this.inFlight.delete(work));
        this.inFlight.add(work);
      },
    });
    this.subscriptions.push(sub);
  }

  private async dispatch(command: keyof CommandMap, handler: Handler, msg: Msg): Promise<void> {
    const reply = await withSpan(`rpc ${command}`, msg.headers?.get('traceparent'), 'server', () =>
      this.execute(command, handler, msg),
    );
    if (msg.reply) msg.respond(JSON.stringify(reply));
  }

  private async execute(command: keyof CommandMap, handler: Handler, msg: Msg): Promise<RpcReply<unknown>> {
    try {
      let request: unknown;
      try {
        request = msg.json();
      } catch {
        throw new DomainError('BAD_REQUEST', 'Request is not valid JSON');
      }
      const checked = validate(commandSchema(command), request);
      if (!checked.ok)
        throw new DomainError('VALIDATION_FAILED', 'Validation failed', { errors: checked.errors });
      return { ok: true, result: await handler(checked.value) };
    } catch (error) {
      if (error instanceof DomainError) return { ok: false, error: error.toBody() };
      this.logger.event('error', 'command handler failed', { command, error });
      return { ok: false, error: { code: 'INTERNAL', message: 'Internal server error' } };
    }
  }
}
