import { validate, type Schema, type Validated } from '../validation';
import { validateEnvelope, type CloudEvent } from './envelope';
import {
  TABLE_ENTRY_ADDED,
  TABLE_ENTRY_ASSIGNED,
  TABLE_ENTRY_BIRTHDAY,
  TABLE_ENTRY_DELETED,
  BIRTHDAY_ANY_POOL,
  TABLE_ENTRY_DUPLICATE_DETECTED,
  TABLE_ENTRY_LEAD_STATE_CHANGED,
  TABLE_ENTRY_MILESTONE_REACHED,
  TABLE_ENTRY_TAG_APPLIED,
  TABLE_ENTRY_TAG_REMOVED,
  TABLE_ENTRY_UPDATED,
  tableEntryAddedSchema,
  tableEntryAssignedSchema,
  tableEntryBirthdaySchema,
  tableEntryDeletedSchema,
  tableEntryDuplicateDetectedSchema,
  tableEntryLeadStateChangedSchema,
  tableEntryMilestoneReachedSchema,
  tableEntryTagSchema,
  tableEntryUpdatedSchema,
  type TableEntryAddedData,
  type TableEntryAssignedData,
  type TableEntryBirthdayData,
  type TableEntryDeletedData,
  type TableEntryDuplicateDetectedData,
  type TableEntryLeadStateChangedData,
  type TableEntryMilestoneReachedData,
  type TableEntryTagData,
  type TableEntryUpdatedData,
} from './table-entry.events';

import {
  APPOINTMENT_AFTER,
  APPOINTMENT_BEFORE,
  APPOINTMENT_BOOKED,
  APPOINTMENT_CANCELLED,
  APPOINTMENT_COMPLETED,
  APPOINTMENT_DELETED,
  APPOINTMENT_HAS_ENDED,
  APPOINTMENT_HAS_STARTED,
  APPOINTMENT_UPDATED,
  bookingReminderSchema,
  bookingSchema,
  bookingUpdatedSchema,
  timedBookingSchema,
  type BookingReminderData,
  type BookingUpdatedData,
  type TimedBookingData,
} from './calendar.events';
import {
  AUTOMATION_RUN_COMPLETED,
  AUTOMATION_RUN_FAILED,
  AUTOMATION_RUN_STARTED,
  DELIVERY_REQUESTED,
  automationRunEventSchema,
  deliveryRequestSchema,
  type AutomationRunEventData,
  type DeliveryRequestData,
} from './automation.events';
import {
  DELIVERY_SUCCEEDED,
  DELIVERY_WEBHOOK_FAILED,
  EMAIL_CLICKED,
  EMAIL_FAILED,
  EMAIL_OPENED,
  EMAIL_UNSUBSCRIBED,
  SMS_FAILED,
  SMS_REPLIED,
  deliveryOutcomeSchema,
  emailInteractionSchema,
  smsRepliedSchema,
  type DeliveryOutcomeData,
  type EmailInteractionData,
  type SmsRepliedData,
} from './delivery.events';
import {
  DEAL_STAGE_CHANGED,
  DEAL_STATUS_CHANGED,
  dealStageChangedSchema,
  dealStatusChangedSchema,
  type DealStageChangedData,
  type DealStatusChangedData,
} from './deal.events';
import {
  FORM_SUBMITTED,
  NOTIFICATION_REQUESTED,
  formSubmittedSchema,
  notificationRequestedSchema,
  type FormSubmittedData,
  type NotificationRequestedData,
} from './form.events';
import {
  EVENT_REGISTRATION_CANCELLED,
  EVENT_REGISTRATION_CREATED,
  PRODUCT_PURCHASED,
  eventRegistrationSchema,
  productPurchasedSchema,
  type EventRegistrationData,
  type ProductPurchasedData,
} from './integration.events';
import type { Booking } from '../models';
import { isUuid } from '../uuid';

export * from './envelope';
export * from './calendar.events';
export * from './table-entry.events';
export * from './automation.events';
export * from './delivery.events';
export * from './deal.events';
export * from './form.events';
export * from './integration.events';

/** Every event type the platform publishes, with the schema of its `data`. */
export interface EventDataMap {
  [TABLE_ENTRY_ADDED]: TableEntryAddedData;
  [TABLE_ENTRY_LEAD_STATE_CHANGED]: TableEntryLeadStateChangedData;
  [TABLE_ENTRY_ASSIGNED]: TableEntryAssignedData;
  [TABLE_ENTRY_TAG_APPLIED]: TableEntryTagData;
  [TABLE_ENTRY_TAG_REMOVED]: TableEntryTagData;
  [TABLE_ENTRY_DUPLICATE_DETECTED]: TableEntryDuplicateDetectedData;
  [TABLE_ENTRY_UPDATED]: TableEntryUpdatedData;
  [TABLE_ENTRY_MILESTONE_REACHED]: TableEntryMilestoneReachedData;
  [TABLE_ENTRY_BIRTHDAY]: TableEntryBirthdayData;
  [TABLE_ENTRY_DELETED]: TableEntryDeletedData;
  [DEAL_STAGE_CHANGED]: DealStageChangedData;
  [DEAL_STATUS_CHANGED]: DealStatusChangedData;
  [FORM_SUBMITTED]: FormSubmittedData;
  [NOTIFICATION_REQUESTED]: NotificationRequestedData;
  [PRODUCT_PURCHASED]: ProductPurchasedData;
  [EVENT_REGISTRATION_CREATED]: EventRegistrationData;
  [EVENT_REGISTRATION_CANCELLED]: EventRegistrationData;
  [APPOINTMENT_BOOKED]: Booking;
  [APPOINTMENT_HAS_STARTED]: TimedBookingData;
  [APPOINTMENT_HAS_ENDED]: TimedBookingData;
  [APPOINTMENT_UPDATED]: BookingUpdatedData;
  [APPOINTMENT_CANCELLED]: Booking;
  [APPOINTMENT_COMPLETED]: Booking;
  [APPOINTMENT_DELETED]: Booking;
  [APPOINTMENT_BEFORE]: BookingReminderData;
  [APPOINTMENT_AFTER]: BookingReminderData;
  [AUTOMATION_RUN_STARTED]: AutomationRunEventData;
  [AUTOMATION_RUN_COMPLETED]: AutomationRunEventData;
  [AUTOMATION_RUN_FAILED]: AutomationRunEventData;
  [DELIVERY_REQUESTED]: DeliveryRequestData;
  [DELIVERY_SUCCEEDED]: DeliveryOutcomeData;
  [DELIVERY_WEBHOOK_FAILED]: DeliveryOutcomeData;
  [EMAIL_FAILED]: DeliveryOutcomeData;
  [SMS_FAILED]: DeliveryOutcomeData;
  [EMAIL_OPENED]: EmailInteractionData;
  [EMAIL_CLICKED]: EmailInteractionData;
  [EMAIL_UNSUBSCRIBED]: EmailInteractionData;
  [SMS_REPLIED]: SmsRepliedData;
}

export type EventType = keyof EventDataMap;

/** Kinds of object a trigger's `triggerId` can name (Gordon CRM's `trigger_id` scoping). */
export const TRIGGER_KINDS = [
  'pool',
  'calendar',
  'tag',
  'stage',
  'pipelineStatus',
  'form',
  'product',
  'crmEvent',
] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

const UUID_SOURCE = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/** What a `triggerId` of each kind looks like, and how to say so when it does not. */
export const TRIGGER_ID_FORMATS: Record<TriggerKind, { test: (id: string) => boolean; message: string }> = {
  pool: { test: isUuid, message: 'must be a UUID' },
  calendar: { test: isUuid, message: 'must be a UUID' },
  tag: { test: isUuid, message: 'must be a UUID' },
  stage: { test: isUuid, message: 'must be a UUID' },
  form: { test: isUuid, message: 'must be a UUID' },
  product: { test: isUuid, message: 'must be a UUID' },
  crmEvent: { test: isUuid, message: 'must be a UUID' },
  // Gordon's composite id of a deal status trigger: the pipeline and the status, `<pipelineId>_won`.
  pipelineStatus: {
    test: (id) => new RegExp(`^${UUID_SOURCE}_(won|lost)$`).test(id),
    message: 'must be "<pipelineId>_won" or "<pipelineId>_lost"',
  },
};

/**
 * What the automation engine needs to know of an event type. Adding a trigger type is an entry here: the
 * engine reads these fields and nothing else of the type.
 */
export interface EventDefinition {
  /** Validator of `data`. */
  schema: Schema<unknown>;
  /** Whether automations may be triggered by it (never for events automation itself emits). */
  triggerable: boolean;
  /** Whether a webhook endpoint may subscribe to it although it is no trigger (default: only triggers). */
  subscribable?: boolean;
  /**
   * The object a trigger's `triggerId` is matched against: its kind and the path of its id in `data` (several
   * paths for a composite id, their values joined by `_`: `<pipelineId>_<status>`), and
   * where the event carries the object's name itself (`nameField`), the path of that name (the run's trigger
   * name, with no lookup).
   */
  scope: {
    kind: TriggerKind;
    field: string | readonly string[];
    nameField?: string;
    /** A `triggerId` that stands for every object of the kind (`__birthday__`: every pool). */
    anyId?: string;
    /** The trigger's name whatever the object ("Contact's Birthday"). */
    name?: string;
  } | null;
  /** The run's trigger name for an event with no scope ("Email opened"). */
  name?: string;
  /** Path in `data` of the lead (table entry) the event is about; runs of one lead keep event order. */
  entryIdField: string | null;
  /** Path in `data` of the booking for calendar events (`''` = `data` itself). */
  bookingField: string | null;
  /** Paths of the state transition that a trigger's `from` / `to` narrow. */
  transition: { from: string; to: string } | null;
  /**
   * A reminder, planned by automation rather than published by a service: it fires for each booking at the
   * booking's `anchor` moved by the trigger's `offset` (−1 before, +1 after). Its trigger requires `offset`.
   */
  reminder: { anchor: 'startDateTime' | 'endDateTime'; direction: -1 | 1 } | null;
}

const poolEvent = (entryIdField: string, transition: EventDefinition['transition'] = null) => ({
  triggerable: true,
  scope: { kind: 'pool' as const, field: 'tableId' },
  entryIdField,
  bookingField: null,
  transition,
  reminder: null,
});

// Gordon's tag triggers: `triggerId` is the tag, its name the trigger's name.
const tagEvent = {
  triggerable: true,
  scope: { kind: 'tag' as const, field: 'tagId', nameField: 'tagName' },
  entryIdField: 'entryId',
  bookingField: null,
  transition: null,
  reminder: null,
};

// Events about one contact scoped by another object (a deal's stage or pipeline, a form).
const entryEvent = (scope: EventDefinition['scope']) => ({
  triggerable: true,
  scope,
  entryIdField: 'entryId',
  bookingField: null,
  transition: null,
  reminder: null,
});

const bookingEvent = (bookingField: string) => {
  const at = (field: string) => (bookingField ? `${bookingField}.${field}` : field);
  return {
    triggerable: true,
    scope: { kind: 'calendar' as const, field: at('calendarId') },
    entryIdField: at('tableEntryId'),
    bookingField,
    transition: null,
    reminder: null,
  };
};

const internal = {
  triggerable: false,
  scope: null,
  entryIdField: 'entryId',
  bookingField: null,
  transition: null,
  reminder: null,
};

// What became of an email or a text and what its recipient did: a trigger about its lead, scoped by nothing
// (no triggerId), since the events carry no pool.
const recipientEvent = (name: string) => ({ ...internal, triggerable: true, name });

export const EVENT_DEFINITIONS: { [K in EventType]: EventDefinition } = {
  [TABLE_ENTRY_ADDED]: { schema: tableEntryAddedSchema, ...poolEvent('id') },
  [TABLE_ENTRY_LEAD_STATE_CHANGED]: {
    schema: tableEntryLeadStateChangedSchema,
    ...poolEvent('entryId', { from: 'from', to: 'to' }),
  },
  [TABLE_ENTRY_ASSIGNED]: { schema: tableEntryAssignedSchema, ...poolEvent('entryId') },
  [TABLE_ENTRY_TAG_APPLIED]: { schema: tableEntryTagSchema, ...tagEvent },
  [TABLE_ENTRY_TAG_REMOVED]: { schema: tableEntryTagSchema, ...tagEvent },
  [TABLE_ENTRY_DUPLICATE_DETECTED]: { schema: tableEntryDuplicateDetectedSchema, ...poolEvent('entryId') },
  [TABLE_ENTRY_UPDATED]: { schema: tableEntryUpdatedSchema, ...poolEvent('entryId') },
  [TABLE_ENTRY_MILESTONE_REACHED]: { schema: tableEntryMilestoneReachedSchema, ...poolEvent('entryId') },
  [TABLE_ENTRY_BIRTHDAY]: {
    schema: tableEntryBirthdaySchema,
    ...poolEvent('entryId'),
    scope: { kind: 'pool', field: 'tableId', anyId: BIRTHDAY_ANY_POOL, name: "Contact's Birthday" },
  },
  // About no lead any more: no timeline takes it, no automation starts from it.
  [TABLE_ENTRY_DELETED]: {
    schema: tableEntryDeletedSchema,
    ...internal,
    entryIdField: null,
    // A CRM kept in sync is told, by webhook.
    subscribable: true,
  },
  [DEAL_STAGE_CHANGED]: {
    schema: dealStageChangedSchema,
    ...entryEvent({ kind: 'stage', field: 'stageId' }),
  },
  [DEAL_STATUS_CHANGED]: {
    schema: dealStatusChangedSchema,
    ...entryEvent({ kind: 'pipelineStatus', field: ['pipelineId', 'status'] }),
  },
  // The form is the trigger's object; its name travels with the event (the name when submitted).
  [FORM_SUBMITTED]: {
    schema: formSubmittedSchema,
    ...entryEvent({ kind: 'form', field: 'formId', nameField: 'formName' }),
  },
  [NOTIFICATION_REQUESTED]: { schema: notificationRequestedSchema, ...internal },
  [PRODUCT_PURCHASED]: {
    schema: productPurchasedSchema,
    ...entryEvent({ kind: 'product', field: 'productId', nameField: 'productName' }),
  },
  // The CRM event is the trigger's object for RSVPs and Eventbrite orders alike: one automation serves both.
  [EVENT_REGISTRATION_CREATED]: {
    schema: eventRegistrationSchema,
    ...entryEvent({ kind: 'crmEvent', field: 'eventId', nameField: 'eventName' }),
  },
  [EVENT_REGISTRATION_CANCELLED]: {
    schema: eventRegistrationSchema,
    ...entryEvent({ kind: 'crmEvent', field: 'eventId', nameField: 'eventName' }),
  },
  [APPOINTMENT_BOOKED]: { schema: bookingSchema, ...bookingEvent('') },
  [APPOINTMENT_HAS_STARTED]: { schema: timedBookingSchema, ...bookingEvent('') },
  [APPOINTMENT_HAS_ENDED]: { schema: timedBookingSchema, ...bookingEvent('') },
  [APPOINTMENT_UPDATED]: { schema: bookingUpdatedSchema, ...bookingEvent('booking') },
  [APPOINTMENT_CANCELLED]: { schema: bookingSchema, ...bookingEvent('') },
  [APPOINTMENT_COMPLETED]: { schema: bookingSchema, ...bookingEvent('') },
  [APPOINTMENT_DELETED]: { schema: bookingSchema, ...bookingEvent('') },
  [APPOINTMENT_BEFORE]: {
    schema: bookingReminderSchema,
    ...bookingEvent(''),
    reminder: { anchor: 'startDateTime', direction: -1 },
  },
  [APPOINTMENT_AFTER]: {
    schema: bookingReminderSchema,
    ...bookingEvent(''),
    reminder: { anchor: 'endDateTime', direction: 1 },
  },
  [AUTOMATION_RUN_STARTED]: { schema: automationRunEventSchema, ...internal },
  [AUTOMATION_RUN_COMPLETED]: { schema: automationRunEventSchema, ...internal },
  [AUTOMATION_RUN_FAILED]: { schema: automationRunEventSchema, ...internal },
  [DELIVERY_REQUESTED]: { schema: deliveryRequestSchema, ...internal },
  [DELIVERY_SUCCEEDED]: { schema: deliveryOutcomeSchema, ...internal },
  [DELIVERY_WEBHOOK_FAILED]: { schema: deliveryOutcomeSchema, ...internal },
  [EMAIL_FAILED]: { schema: deliveryOutcomeSchema, ...recipientEvent('Email failed') },
  [SMS_FAILED]: { schema: deliveryOutcomeSchema, ...recipientEvent('Text message failed') },
  [EMAIL_OPENED]: { schema: emailInteractionSchema, ...recipientEvent('Email opened') },
  [EMAIL_CLICKED]: { schema: emailInteractionSchema, ...recipientEvent('Email clicked') },
  [EMAIL_UNSUBSCRIBED]: { schema: emailInteractionSchema, ...recipientEvent('Email unsubscribed') },
  [SMS_REPLIED]: { schema: smsRepliedSchema, ...recipientEvent('Text message replied') },
};

export const EVENT_TYPES = Object.keys(EVENT_DEFINITIONS) as EventType[];

/** Event types an automation's `trigger.event` may name. */
export const TRIGGER_EVENT_TYPES = EVENT_TYPES.filter((type) => EVENT_DEFINITIONS[type].triggerable);

/**
 * Event types a webhook endpoint's `eventTypes` may name: every trigger type (the email and SMS events among
 * them) and the few marked `subscribable` (`table.entry.deleted`). Delivery's own `delivery.*` outcomes are
 * not: a subscribed failure notice could fail and notify of itself.
 */
export const SUBSCRIBABLE_EVENT_TYPES: EventType[] = EVENT_TYPES.filter(
  (type) => EVENT_DEFINITIONS[type].triggerable || EVENT_DEFINITIONS[type].subscribable === true,
);

/** Event types automation plans itself per booking (reminders), rather than receiving from a stream. */
export const REMINDER_EVENT_TYPES = EVENT_TYPES.filter((type) => EVENT_DEFINITIONS[type].reminder !== null);

/** The value at a dotted path of `data` (`booking.calendarId`); `''` is `data` itself. */
export function dataAt(data: unknown, path: string): unknown {
  if (path === '') return data;
  let value: unknown = data;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.prototype.hasOwnProperty.call(value, key))
      return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** The value an event offers a trigger's `triggerId`: its scoped id, or the composite of its scope's paths. */
export function scopeIdOf(definition: EventDefinition, data: unknown): string | undefined {
  const field = definition.scope?.field;
  if (field === undefined) return undefined;
  const parts = (typeof field === 'string' ? [field] : field).map((path) => dataAt(data, path));
  return parts.every((part): part is string => typeof part === 'string') ? parts.join('_') : undefined;
}

export function isKnownEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(EVENT_DEFINITIONS, type);
}

/** Validates the envelope and, for known types, the data payload; consumers call this before acting. */
export function validateEvent(raw: unknown): Validated<CloudEvent> {
  const envelope = validateEnvelope(raw);
  if (!envelope.ok) return envelope;
  const type = envelope.value.type;
  if (!isKnownEventType(type))
    return { ok: false, errors: [{ field: 'type', message: `unknown event type ${type}` }] };
  const data = validate(EVENT_DEFINITIONS[type].schema, envelope.value.data);
  if (!data.ok) return { ok: false, errors: data.errors.map((e) => ({ ...e, field: `data.${e.field}` })) };
  return envelope;
}
