import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { DataSource, type EntityManager } from 'typeorm';
import {
  CONSUMERS,
  DELIVERY_SUCCEEDED,
  DELIVERY_WEBHOOK_FAILED,
  EMAIL_FAILED,
  SMS_FAILED,
  WireNames,
  type CloudEvent,
  type DeliveryOutcomeData,
  type StepDelivery,
} from '@rocketlead/contracts';
import { EventConsumer, NATS_CONNECTION } from '@rocketlead/messaging';
import { JsonLogger } from '@rocketlead/observability';
import { AUTOMATION_SCHEMA } from '../database/entities';

/** The outcome events delivery publishes for a delivery a run step asked for. */
export const DELIVERY_OUTCOME_TYPES = [DELIVERY_SUCCEEDED, DELIVERY_WEBHOOK_FAILED, EMAIL_FAILED, SMS_FAILED];

/** The step's output gains `delivery: {id, status, attempts}`; only a step of a run of that organization. */
export async function recordDeliveryOutcome(manager: EntityManager, event: CloudEvent): Promise<void> {
  const data = event.data as DeliveryOutcomeData;
  if (data.runId === null || data.stepIndex === null) return;
  const delivery: StepDelivery = {
    id: data.deliveryId,
    status: data.status,
    attempts: data.attempts,
    error: data.error,
  };
  await manager.query(
    `UPDATE "${AUTOMATION_SCHEMA}".run_steps s
     SET output = jsonb_set(coalesce(s.output, '{}'::jsonb), '{delivery}', $4::jsonb)
     FROM "${AUTOMATION_SCHEMA}".runs r
     WHERE s.run_id = $2 AND s.index = $3 AND r.id = s.run_id AND r.organization_id = $1
       AND jsonb_typeof(coalesce(s.output, '{}'::jsonb)) = 'object'`,
    [event.organizationid, data.runId, data.stepIndex, JSON.stringify(delivery)],
  );
}

/**
 * Delivery outcomes flow back to the run step that asked for them. One durable consumer on the DELIVERY
 * stream; its other events (opens, clicks, replies) are acked unread.
 */
@Injectable()
export class DeliveryOutcomes implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private consumer: EventConsumer | undefined;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly names: WireNames,
    private readonly dataSource: DataSource,
    private readonly logger: JsonLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = new EventConsumer({
      nc: this.nc,
      names: this.names,
      dataSource: this.dataSource,
      schema: AUTOMATION_SCHEMA,
      stream: 'DELIVERY',
      durable: CONSUMERS.automationDeliveryOutcomes,
      types: DELIVERY_OUTCOME_TYPES,
      logger: this.logger,
      handler: (event, manager) => recordDeliveryOutcome(manager, event),
    });
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }
}
