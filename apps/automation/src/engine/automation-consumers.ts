import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { DataSource } from 'typeorm';
import { WireNames } from '@rocketlead/contracts';
import { EventConsumer, NATS_CONNECTION, type EventConsumerOptions } from '@rocketlead/messaging';
import { JsonLogger } from '@rocketlead/observability';
import { AUTOMATION_SCHEMA } from '../database/entities';

/** What a consumer of automation says about itself; the connections, schema and logger are automation's. */
export type AutomationConsumerOptions = Omit<
  EventConsumerOptions,
  'nc' | 'names' | 'dataSource' | 'schema' | 'logger'
>;

/**
 * Starts automation's durable consumers (engine intake, reminders, activity, delivery outcomes) on its
 * connections and schema, and stops them all, letting the events in hand finish, before NATS and Postgres close.
 */
@Injectable()
export class AutomationConsumers implements BeforeApplicationShutdown {
  private readonly consumers: EventConsumer[] = [];

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly names: WireNames,
    private readonly dataSource: DataSource,
    private readonly logger: JsonLogger,
  ) {}

  async start(options: AutomationConsumerOptions): Promise<void> {
    const consumer = new EventConsumer({
      nc: this.nc,
      names: this.names,
      dataSource: this.dataSource,
      schema: AUTOMATION_SCHEMA,
      logger: this.logger,
      ...options,
    });
    await consumer.start();
    this.consumers.push(consumer);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.consumers.splice(0).map((consumer) => consumer.stop()));
  }
}
