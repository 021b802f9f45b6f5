import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { DataSource } from 'typeorm';
import { CONSUMERS, TRIGGER_STREAMS, WireNames } from '@rocketlead/contracts';
import { EventConsumer, NATS_CONNECTION } from '@rocketlead/messaging';
import { JsonLogger } from '@rocketlead/observability';
import { AUTOMATION_CONFIG } from '../config.token';
import type { AutomationConfig } from '../config';
import { AUTOMATION_SCHEMA } from '../database/entities';
import { RunStarter, orderingKey } from './run-starter';

/**
 * One durable consumer per stream whose events may trigger automations (a stream added to the contracts with
 * `triggers: true` is consumed without a change here). Each event's runs are recorded with its inbox row (under
 * load, the runs of several events with one commit) and executed after that commit; events of one lead are
 * handled one at a time, in stream order.
 */
@Injectable()
export class EventIntake implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumers: EventConsumer[] = [];

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly names: WireNames,
    private readonly dataSource: DataSource,
    private readonly logger: JsonLogger,
    @Inject(AUTOMATION_CONFIG) private readonly config: AutomationConfig,
    private readonly starter: RunStarter,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const stream of TRIGGER_STREAMS) {
      const consumer = new EventConsumer({
        nc: this.nc,
        names: this.names,
        dataSource: this.dataSource,
        schema: AUTOMATION_SCHEMA,
        stream,
        durable: CONSUMERS.automationEvents(stream),
        logger: this.logger,
        relevant: (event) => this.starter.relevant(event),
        handler: (event, manager) => this.starter.start(event, manager),
        batchHandler: (events, manager) => this.starter.startMany(events, manager),
        afterCommit: (event) => this.starter.execute(event),
        settled: (event) => this.starter.forget(event.id),
        orderingKey,
        concurrency: this.config.AUTOMATION_CONCURRENCY,
      });
      await consumer.start();
      this.consumers.push(consumer);
    }
  }

  /** Stops pulling and lets the events in hand (and their runs) finish before NATS and Postgres close. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.consumers.splice(0).map((consumer) => consumer.stop()));
  }
}
