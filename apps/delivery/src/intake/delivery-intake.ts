import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { DataSource } from 'typeorm';
import {
  CONSUMERS,
  DELIVERY_REQUESTED,
  NOTIFICATION_REQUESTED,
  TRIGGER_STREAMS,
  WireNames,
  type CloudEvent,
  type DeliveryRequestData,
  type NotificationRequestedData,
} from '@rocketlead/contracts';
import { EventConsumer, NATS_CONNECTION } from '@rocketlead/messaging';
import { JsonLogger } from '@rocketlead/observability';
import { DELIVERY_CONFIG } from '../config.token';
import type { DeliveryConfig } from '../config';
import { DELIVERY_SCHEMA } from '../database/entities';
import { DeliveriesService } from '../deliveries/deliveries.service';

/**
 * Three kinds of intake, each a durable consumer: delivery requests from automation runs, notifications
 * other services ask for (through the same inbox path), and the domain
 * events of every stream endpoints may subscribe to (the streams with `triggers: true`). Each event's
 * deliveries are stored with its inbox row, so a redelivered event never makes a second delivery, and are
 * sent once that transaction commits.
 */
@Injectable()
export class DeliveryIntake implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumers: EventConsumer[] = [];

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly names: WireNames,
    private readonly dataSource: DataSource,
    private readonly logger: JsonLogger,
    @Inject(DELIVERY_CONFIG) private readonly config: DeliveryConfig,
    private readonly deliveries: DeliveriesService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const common = {
      nc: this.nc,
      names: this.names,
      dataSource: this.dataSource,
      schema: DELIVERY_SCHEMA,
      logger: this.logger,
      concurrency: this.config.DELIVERY_CONCURRENCY,
      afterCommit: (event: CloudEvent) => this.deliveries.sendCreated(event),
    };
    this.consumers.push(
      new EventConsumer({
        ...common,
        stream: 'AUTOMATION',
        durable: CONSUMERS.deliveryRequests,
        types: [DELIVERY_REQUESTED],
        relevant: (event) => this.deliveries.prepareRequest(event as CloudEvent<DeliveryRequestData>),
        handler: (event, manager) => this.deliveries.store(event, manager),
      }),
      new EventConsumer({
        ...common,
        stream: 'NOTIFICATIONS',
        durable: CONSUMERS.deliveryNotifications,
        types: [NOTIFICATION_REQUESTED],
        relevant: (event) =>
          this.deliveries.prepareNotification(event as CloudEvent<NotificationRequestedData>),
        handler: (event, manager) => this.deliveries.store(event, manager),
      }),
    );
    const subscriptions = {
      ...common,
      relevant: (event: CloudEvent) => this.deliveries.prepareSubscribed(event),
      // Subscribed events make only pending deliveries, written by one idempotent statement.
      inbox: false,
      handler: (event: CloudEvent) => this.deliveries.storePending(event),
    };
    // DELIVERY among them: its delivery.* outcomes match no subscription (prepareSubscribed).
    for (const stream of TRIGGER_STREAMS)
      this.consumers.push(
        new EventConsumer({ ...subscriptions, stream, durable: CONSUMERS.deliverySubscriptions(stream) }),
      );
    for (const consumer of this.consumers) await consumer.start();
  }

  /** Stops pulling and lets the events in hand finish before NATS and Postgres close. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.consumers.splice(0).map((consumer) => consumer.stop()));
  }
}
