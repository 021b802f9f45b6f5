import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JsonLogger } from '@rocketlead/observability';
import { TimerRunner, type FiredTimer } from '@rocketlead/timers';
import { MetricsRegistry } from '@rocketlead/messaging';
import { DELIVERY_CONFIG } from '../config.token';
import type { DeliveryConfig } from '../config';
import { DELIVERY_SCHEMA } from '../database/entities';
import { DeliveriesRepository, type DeliveryRef } from '../deliveries/deliveries.repository';
import { Dispatcher } from '../deliveries/dispatcher';

/**
 * Fires delivery timers: a retry that came due, or the lease of an attempt a crashed process never recorded.
 * The firing renews the lease (so a crash now is covered too) and the attempt runs once it commits; the
 * timer is claimed by one replica, so a retry is attempted once across replicas.
 */
@Injectable()
export class RetryTimersService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly runner: TimerRunner;
  private due: DeliveryRef[] = [];

  constructor(
    dataSource: DataSource,
    logger: JsonLogger,
    @Inject(DELIVERY_CONFIG) config: DeliveryConfig,
    private readonly deliveries: DeliveriesRepository,
    private readonly dispatcher: Dispatcher,
    metrics: MetricsRegistry,
  ) {
    this.runner = new TimerRunner({
      dataSource,
      url: config.DATABASE_URL,
      schema: DELIVERY_SCHEMA,
      logger,
      handler: (timer, manager) => this.fire(timer, manager),
      // Firing writes no events (it only renews leases): nothing for the outbox relay.
      onCommitted: () => {
        const due = this.due;
        this.due = [];
        void this.dispatcher.resume(due).catch((error: Error) =>
          logger.event('warn', 'due deliveries could not be loaded; their leases will retry', {
            error: error.message,
          }),
        );
      },
      retention: { doneMs: config.TIMERS_RETENTION, deadMs: config.DEAD_LETTER_RETENTION },
    });
    metrics.register(this.runner);
  }

  private async fire(
    timer: FiredTimer,
    manager: Parameters<DeliveriesRepository['renewLease']>[0],
  ): Promise<void> {
    const ref = timer.payload as DeliveryRef;
    const pending = await this.deliveries.renewLease(manager, ref);
    if (pending) this.due.push(ref);
  }

  onApplicationBootstrap(): Promise<void> {
    return this.runner.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.runner.stop();
  }
}
