import type { DeliveryKind, WebhookFormat } from '../events/automation.events';
import type { DeliveryStatus } from '../events/delivery.events';
import type { Milestone } from '../models';

/** A registered webhook receiver of an organization. Its signing secret is never part of it. */
export interface WebhookEndpoint {
  id: string;
  url: string;
  format: WebhookFormat;
  /** Event types it is subscribed to (`table.entry.added`, `calendar.appointment.*`); empty = none. */
  eventTypes: string[];
  description: string | null;
  timeoutMs: number;
  enabled: boolean;
  /** Why the platform disabled it (e.g. the receiver answered 410 Gone); null when a user did, or enabled. */
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The create (and rotate) answer: the only time the secret is shown. */
export interface WebhookEndpointWithSecret extends WebhookEndpoint {
  secret: string;
}

export const ATTEMPT_STATUSES = ['succeeded', 'failed'] as const;
export type AttemptStatus = (typeof ATTEMPT_STATUSES)[number];

export interface DeliveryAttempt {
  id: string;
  deliveryId: string;
  eventType: string;
  attemptedAt: string;
  durationMs: number;
  status: AttemptStatus;
  /** HTTP status (webhook, SMS API) or SMTP reply code (email); null when no answer came. */
  responseStatus: number | null;
  error: string | null;
  /** When the next try is due; null after the last one. */
  nextAttemptAt: string | null;
  /** The first 1 KiB of the answer's body. */
  responseBody: string | null;
}

export interface Delivery {
  id: string;
  kind: DeliveryKind;
  status: DeliveryStatus;
  eventType: string;
  entryId: string | null;
  endpointId: string | null;
  /** Where it goes: the URL (without its query string), the email address or the phone number. */
  destination: string;
  runId: string | null;
  automationId: string | null;
  stepIndex: number | null;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  createdAt: string;
  completedAt: string | null;
}

export interface DeliveryWithAttempts extends Delivery {
  attemptLog: DeliveryAttempt[];
}

/**
 * The Lead Actions Guide's `eventtype` codes of the form webhook format. Every code it documents may be
 * named by a `send_webhook` action; events that have a code send it, the others send their own type name.
 */
export const FORM_EVENT_CODES = [
  'deliverydupe',
  'deliveryndupe',
  'deliveryref',
  'delivery',
  'deliveryall',
  'deliveryass',
  'deliveryna',
  'updatedall',
  'updatedass',
  'updatedna',
  'status',
  'user',
  'progvalidated',
  'proginvalidate',
  'progcontacted',
  'progqualified',
  'progconverted',
  'progclosed',
  'referral',
  'emailfailed',
  'emailopened',
  'emailclicked',
  'emailreplied',
  'emailunsub',
  'emailspam',
  'smsfailed',
  'smsreplied',
] as const;
export type FormEventCode = (typeof FORM_EVENT_CODES)[number];

/** The one mapping of platform event types to form codes, for the events that exist. */
export const FORM_EVENT_CODE_BY_TYPE: Readonly<Record<string, FormEventCode>> = {
  'table.entry.added': 'deliveryall',
  'table.entry.duplicate.detected': 'deliverydupe',
  'table.entry.updated': 'updatedall',
  'table.entry.assigned': 'user',
  'table.entry.leadState.changed': 'status',
  'email.failed': 'emailfailed',
  'email.opened': 'emailopened',
  'email.clicked': 'emailclicked',
  'email.unsubscribed': 'emailunsub',
  'sms.failed': 'smsfailed',
  'sms.replied': 'smsreplied',
};

/** Milestone events send the code of their milestone. */
export const FORM_EVENT_CODE_BY_MILESTONE: Readonly<Record<Milestone, FormEventCode>> = {
  validated: 'progvalidated',
  invalidated: 'proginvalidate',
  contacted: 'progcontacted',
  qualified: 'progqualified',
  converted: 'progconverted',
  closed: 'progclosed',
};

/** The `eventtype` a form webhook sends for an event (its type, and `data` for milestone events). */
export function formEventCode(eventType: string, data?: unknown): string {
  if (eventType === 'table.entry.milestone.reached') {
    const milestone = (data as { milestone?: unknown } | undefined)?.milestone;
    if (
      typeof milestone === 'string' &&
      Object.prototype.hasOwnProperty.call(FORM_EVENT_CODE_BY_MILESTONE, milestone)
    )
      return FORM_EVENT_CODE_BY_MILESTONE[milestone as Milestone];
  }
  return Object.prototype.hasOwnProperty.call(FORM_EVENT_CODE_BY_TYPE, eventType)
    ? FORM_EVENT_CODE_BY_TYPE[eventType]!
    : eventType;
}

export const DELIVERY_LIMITS = {
  /** Endpoints one organization may register. */
  endpointsPerOrganization: 100,
  /** Event type patterns one endpoint may subscribe to. */
  eventTypesPerEndpoint: 50,
  urlLength: 2048,
  descriptionLength: 1000,
  timeoutMsDefault: 10_000,
  timeoutMsMax: 30_000,
  timeoutMsMin: 100,
  /** Bytes of a receiver's answer kept in the attempt log. */
  responseBodyBytes: 1024,
  /** Characters of an email link token (`/public/e/o|c|u/:token`); longer cannot be one. */
  trackingTokenLength: 4096,
  /** Characters of an `X-Twilio-Signature` header. */
  smsSignatureLength: 1000,
  /** How long the previous secret still signs after a rotation. */
  rotationOverlapMs: 24 * 60 * 60 * 1000,
} as const;
