import { createHash } from 'node:crypto';
import {
  DELIVERY_REQUESTED,
  createEvent,
  type CloudEvent,
  type DeliveryKind,
  type DeliveryRequestData,
} from '@rocketlead/contracts';
import { EVENT_SOURCE } from '../engine/run-context';
import type { StepInput, StepResult } from './action-handler';

export type DeliveryPayload = Partial<Pick<DeliveryRequestData, 'webhook' | 'email' | 'sms'>>;

/** A UUID (version 8, RFC 9562) derived from a key: the same step always asks with the same event id. */
export function uuidFromKey(key: string): string {
  const hex = createHash('sha256').update(key).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The delivery request of a send_* step, as an outbox event written with the step's completion: it exists
 * once or not at all. Its id and `idempotencyKey` come from `<runId>:<index>`, so delivery sends it once.
 */
export function deliveryRequest(input: StepInput, kind: DeliveryKind, payload: DeliveryPayload): CloudEvent {
  const { run, step } = input;
  const data: DeliveryRequestData = {
    idempotencyKey: input.idempotencyKey,
    runId: run.id,
    automationId: run.automationId,
    stepIndex: step.index,
    entryId: run.entryId,
    kind,
    webhook: payload.webhook ?? null,
    email: payload.email ?? null,
    sms: payload.sms ?? null,
  };
  const event = createEvent({
    type: DELIVERY_REQUESTED,
    source: EVENT_SOURCE,
    subject: run.id,
    data,
    actor: input.actor,
    causationId: run.id,
    depth: run.depth + 1,
  });
  return { ...event, id: uuidFromKey(`delivery:${input.idempotencyKey}`) };
}

/** What a send_* step does: hand the request to the outbox; the step completes when it is committed there. */
export function requestDelivery(input: StepInput, kind: DeliveryKind, payload: DeliveryPayload): StepResult {
  return { output: { requested: true, kind }, events: [deliveryRequest(input, kind, payload)] };
}
