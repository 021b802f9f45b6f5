import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { DataSource } from 'typeorm';
import { WireNames } from '@rocketlead/contracts';
import { JetStreamOutboxPublisher, NATS_CONNECTION, OutboxRelay } from '@rocketlead/messaging';
import { JsonLogger } from '@rocketlead/observability';
import { LEADS_SCHEMA } from '../database/entities';
import { EventsOutbox } from './events.outbox';
import { LEADS_CONFIG } from '../config.token';
import type { LeadsConfig } from '../config';

/** Runs the outbox relay for the service's lifetime; stops it before NATS and Postgres close. */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly relay: OutboxRelay;

  constructor(
    dataSource: DataSource,
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    names: WireNames,
    logger: JsonLogger,
    @Inject(LEADS_CONFIG) config: LeadsConfig,
    outbox: EventsOutbox,
  ) {
    this.relay = new OutboxRelay({
      dataSource,
      url: config.DATABASE_URL,
      schema: LEADS_SCHEMA,
      publisher: new JetStreamOutboxPublisher(nc.jetstream(), names),
      logger,
    });
    outbox.signal.onCommitted(() => this.relay.kick());
  }

  onApplicationBootstrap(): Promise<void> {
    return this.relay.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.relay.stop();
  }
}
