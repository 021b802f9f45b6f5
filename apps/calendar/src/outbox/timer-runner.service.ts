import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JsonLogger } from '@rocketlead/observability';
import { TimerRunner } from '@rocketlead/timers';
import { CALENDAR_SCHEMA } from '../database/entities';
import { CALENDAR_CONFIG } from '../config.token';
import type { CalendarConfig } from '../config';
import { BookingTimers } from '../bookings/booking-timers';
import { MetricsRegistry, ServiceOutbox } from '@rocketlead/messaging';

/** Fires booking timers for the service's lifetime; any number of replicas may run one. */
@Injectable()
export class TimerRunnerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly runner: TimerRunner;

  constructor(
    dataSource: DataSource,
    logger: JsonLogger,
    @Inject(CALENDAR_CONFIG) config: CalendarConfig,
    timers: BookingTimers,
    outbox: ServiceOutbox,
    metrics: MetricsRegistry,
  ) {
    this.runner = new TimerRunner({
      dataSource,
      url: config.DATABASE_URL,
      schema: CALENDAR_SCHEMA,
      logger,
      handler: (timer, manager) => timers.fire(timer, manager),
      batchHandler: (batch, manager) => timers.fireAll(batch, manager),
      onCommitted: () => outbox.committed(),
      retention: { doneMs: config.TIMERS_RETENTION, deadMs: config.DEAD_LETTER_RETENTION },
    });
    metrics.register(this.runner);
  }

  onApplicationBootstrap(): Promise<void> {
    return this.runner.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.runner.stop();
  }
}
