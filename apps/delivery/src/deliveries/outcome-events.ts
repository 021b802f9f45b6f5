import {
  DELIVERY_SUCCEEDED,
  DELIVERY_WEBHOOK_FAILED,
  EMAIL_FAILED,
  SMS_FAILED,
  createEvent,
  type Actor,
  type CloudEvent,
  type DeliveryKind,
  type DeliveryOutcomeData,
  type DeliveryStatus,
} from '@rocketlead/contracts';
import type { DeliveryEntity } from './delivery.entity';

export const EVENT_SOURCE = '/delivery';

const FAILED_EVENT: Record<DeliveryKind, string> = {
  webhook: DELIVERY_WEBHOOK_FAILED,
  email: EMAIL_FAILED,
  sms: SMS_FAILED,
};

/** Events of the platform caused by a delivery carry the cascade of what caused the delivery. */
export function deliveryActor(row: Pick<DeliveryEntity, 'organizationId' | 'correlationId'>): Actor {
  return {
    organizationId: row.organizationId,
    channel: 'system',
    apiTokenId: null,
    memberId: null,
    correlationId: row.correlationId,
    traceparent: null,
  };
}

/**
 * The event of a delivery's final outcome: `<kind> failed` always; `delivery.succeeded` only when a run
 * step waits to learn it (subscriptions and tests are read from the history instead).
 */
export function outcomeEvents(
  row: DeliveryEntity,
  status: Exclude<DeliveryStatus, 'pending'>,
  attempts: number,
  error: string | null,
  at: Date,
): CloudEvent[] {
  if (status === 'succeeded' && row.runId === null) return [];
  const data: DeliveryOutcomeData = {
    deliveryId: row.id,
    kind: row.kind,
    status,
    attempts,
    entryId: row.entryId,
    endpointId: row.endpointId,
    runId: row.runId,
    automationId: row.automationId,
    stepIndex: row.stepIndex,
    error,
  };
  return [
    createEvent({
      type: status === 'succeeded' ? DELIVERY_SUCCEEDED : FAILED_EVENT[row.kind],
      source: EVENT_SOURCE,
      subject: row.id,
      data,
      actor: deliveryActor(row),
      causationId: row.causationId,
      depth: row.depth + 1,
      time: at,
    }),
  ];
}
