import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  CONSUMERS,
  DELIVERY_SUCCEEDED,
  DELIVERY_WEBHOOK_FAILED,
  EMAIL_FAILED,
  SMS_FAILED,
  type CloudEvent,
  type DeliveryOutcomeData,
} from '@rocketlead/contracts';
import { AUTOMATION_SCHEMA } from '../database/entities';
import { AutomationConsumers } from '../engine/automation-consumers';

/** The outcome events delivery publishes for a delivery a run step asked for. */
export const DELIVERY_OUTCOME_TYPES = [DELIVERY_SUCCEEDED, DELIVERY_WEBHOOK_FAILED, EMAIL_FAILED, SMS_FAILED];

/** The step's output gains `delivery: {id, status, attempts}`; only a step of a run of that organization. */
export async function recordDeliveryOutcome(manager: EntityManager, event: CloudEvent): Promise<void> {
  const data = event.data as DeliveryOutcomeData;
  if (data.runId === null || data.stepIndex === null) return;
  const delivery = { id: data.deliveryId, status: data.status, attempts: data.attempts, error: data.error };
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
export class DeliveryOutcomes implements OnApplicationBootstrap {
  constructor(private readonly consumers: AutomationConsumers) {}

  onApplicationBootstrap(): Promise<void> {
    return this.consumers.start({
      stream: 'DELIVERY',
      durable: CONSUMERS.automationDeliveryOutcomes,
      types: DELIVERY_OUTCOME_TYPES,
      handler: (event, manager) => recordDeliveryOutcome(manager, event),
    });
  }
}
