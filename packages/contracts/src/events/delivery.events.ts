import { s } from '../validation';
import { DELIVERY_KINDS, type DeliveryKind } from './automation.events';

// Events published by the delivery service: the outcome of each delivery (picked up by the automation run
// that asked for it and by the lead's history) and what recipients do with an email or a text message.
export const DELIVERY_SUCCEEDED = 'delivery.succeeded';
export const DELIVERY_WEBHOOK_FAILED = 'delivery.webhook.failed';
export const EMAIL_FAILED = 'email.failed';
export const EMAIL_OPENED = 'email.opened';
export const EMAIL_CLICKED = 'email.clicked';
export const EMAIL_UNSUBSCRIBED = 'email.unsubscribed';
export const SMS_FAILED = 'sms.failed';
export const SMS_REPLIED = 'sms.replied';
/** Sent to an endpoint by `POST /connect/webhook_endpoints/:id/test`; never published on NATS. */
export const WEBHOOK_TEST = 'webhook.test';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** data of `delivery.succeeded`, `delivery.webhook.failed`, `email.failed` and `sms.failed`. */
export interface DeliveryOutcomeData {
  deliveryId: string;
  kind: DeliveryKind;
  status: DeliveryStatus;
  attempts: number;
  entryId: string | null;
  endpointId: string | null;
  /** The run step that asked for it (null for event subscriptions, tests and resends of those). */
  runId: string | null;
  automationId: string | null;
  stepIndex: number | null;
  error: string | null;
}

export const deliveryOutcomeSchema = s.object({
  deliveryId: s.uuid(),
  kind: s.literal(...DELIVERY_KINDS),
  status: s.literal(...DELIVERY_STATUSES),
  attempts: s.number({ int: true, min: 0 }),
  entryId: s.nullable(s.uuid()),
  endpointId: s.nullable(s.uuid()),
  runId: s.nullable(s.uuid()),
  automationId: s.nullable(s.uuid()),
  stepIndex: s.nullable(s.number({ int: true, min: 0 })),
  error: s.nullable(s.string()),
});

/** data of `email.opened`, `email.clicked` (with the link) and `email.unsubscribed`. */
export interface EmailInteractionData {
  deliveryId: string;
  entryId: string | null;
  email: string;
  url: string | null;
}

export const emailInteractionSchema = s.object({
  deliveryId: s.uuid(),
  entryId: s.nullable(s.uuid()),
  email: s.string({ min: 1 }),
  url: s.nullable(s.string()),
});

/** data of `sms.replied`: an inbound text from a number the platform texted. */
export interface SmsRepliedData {
  entryId: string | null;
  deliveryId: string | null;
  from: string;
  body: string;
  messageSid: string;
}

export const smsRepliedSchema = s.object({
  entryId: s.nullable(s.uuid()),
  deliveryId: s.nullable(s.uuid()),
  from: s.string({ min: 1 }),
  body: s.string(),
  messageSid: s.string(),
});
