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
import { CALENDAR_SCHEMA } from '../database/entities';
import { EventsOutbox } from './events.outbox';
import { CALENDAR_CONFIG } from '../config.token';
import type { CalendarConfig } from '../config';

/** Runs the outbox relay for the service's lifetime; stops it before NATS and Postgres close. */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly relay: OutboxRelay;

  constructor(
    dataSource: DataSource,
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    names: WireNames,
    logger: JsonLogger,
    @Inject(CALENDAR_CONFIG) config: CalendarConfig,
    outbox: EventsOutbox,
  ) {
    this.relay = new OutboxRelay({
      dataSource,
      url: config.DATABASE_URL,
      schema: CALENDAR_SCHEMA,
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
