import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JsonLogger } from '@rocketlead/observability';
import { MetricsRegistry, ServiceOutbox } from '@rocketlead/messaging';
import { TimerRunner } from '@rocketlead/timers';
import { LEADS_SCHEMA } from '../database/entities';
import { LEADS_CONFIG } from '../config.token';
import type { LeadsConfig } from '../config';
import { BirthdayTimers } from './birthday-timers';

/** Fires the daily birthday sweeps for the service's lifetime; any number of replicas may run one. */
@Injectable()
export class BirthdayTimerRunnerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly runner: TimerRunner;

  constructor(
    dataSource: DataSource,
    logger: JsonLogger,
    @Inject(LEADS_CONFIG) config: LeadsConfig,
    timers: BirthdayTimers,
    outbox: ServiceOutbox,
    metrics: MetricsRegistry,
  ) {
    this.runner = new TimerRunner({
      dataSource,
      url: config.DATABASE_URL,
      schema: LEADS_SCHEMA,
      logger,
      handler: (timer, manager) => timers.fire(timer, manager),
      onCommitted: () => outbox.committed(),
      retention: { deadMs: config.DEAD_LETTER_RETENTION },
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
