import type { BeforeApplicationShutdown, OnApplicationBootstrap, Provider } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { DataSource, type EntityManager } from 'typeorm';
import { WireNames, type CloudEvent } from '@rocketlead/contracts';
import { JsonLogger } from '@rocketlead/observability';
import { NATS_CONNECTION } from '../tokens';
import {
  appendToOutbox,
  OutboxSignal,
  withEvents,
  type Statement,
  type WithEventsOptions,
} from './outbox-writer';
import { JetStreamOutboxPublisher, OutboxRelay } from './outbox-relay';
import type { EventRetention } from './outbox-retention';
import { MetricsRegistry } from '../health/metrics.registry';

/** Where a service writes the events of a change: inside the change's transaction, or as one statement with it. */
export class ServiceOutbox {
  readonly signal = new OutboxSignal();

  constructor(readonly schema: string) {}

  append(manager: EntityManager, events: CloudEvent[]): Promise<void> {
    return appendToOutbox(manager, this.schema, events, this.signal.shouldNotify());
  }

  /** The change and its events as one statement. */
  statement(change: Statement, events: CloudEvent[], options: WithEventsOptions = {}): Statement {
    return withEvents(this.schema, change, events, this.signal.shouldNotify(), options);
  }

  /** Call once the change that wrote events has committed: wakes this process's relay at once. */
  committed(): void {
    this.signal.committed();
  }
}

/** Runs the relay for the service's lifetime; stops it before NATS and Postgres close. */
export class OutboxRelayHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(private readonly relay: OutboxRelay) {}

  onApplicationBootstrap(): Promise<void> {
    return this.relay.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.relay.stop();
  }
}

export interface OutboxProvidersOptions {
  schema: string;
  databaseUrl: string;
  /** Retention of published rows, inbox rows and dead letters (see `eventRetentionEnv`); defaults otherwise. */
  retention?: Partial<EventRetention>;
}

/** The outbox of a service (its own schema), the relay that publishes it, and its numbers on /metrics. */
export function outboxProviders(options: OutboxProvidersOptions): Provider[] {
  return [
    { provide: ServiceOutbox, useValue: new ServiceOutbox(options.schema) },
    {
      provide: OutboxRelayHost,
      inject: [DataSource, NATS_CONNECTION, WireNames, JsonLogger, ServiceOutbox, MetricsRegistry],
      useFactory: (
        dataSource: DataSource,
        nc: NatsConnection,
        names: WireNames,
        logger: JsonLogger,
        outbox: ServiceOutbox,
        metrics: MetricsRegistry,
      ) => {
        const relay = new OutboxRelay({
          dataSource,
          url: options.databaseUrl,
          schema: options.schema,
          publisher: new JetStreamOutboxPublisher(nc, names),
          logger,
          retention: options.retention,
        });
        outbox.signal.onCommitted(() => relay.kick());
        metrics.register(relay);
        return new OutboxRelayHost(relay);
      },
    },
  ];
}
