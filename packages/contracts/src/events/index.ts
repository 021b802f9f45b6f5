import { validate, type Schema, type Validated } from '../validation';
import { validateEnvelope, type CloudEvent } from './envelope';
import {
  TABLE_ENTRY_ADDED,
  TABLE_ENTRY_LEAD_STATE_CHANGED,
  tableEntryAddedSchema,
  tableEntryLeadStateChangedSchema,
  type TableEntryAddedData,
  type TableEntryLeadStateChangedData,
} from './table-entry.events';

import {
  APPOINTMENT_BOOKED,
  APPOINTMENT_CANCELLED,
  APPOINTMENT_COMPLETED,
  APPOINTMENT_DELETED,
  APPOINTMENT_HAS_ENDED,
  APPOINTMENT_HAS_STARTED,
  APPOINTMENT_UPDATED,
  bookingSchema,
  bookingUpdatedSchema,
  timedBookingSchema,
  type BookingUpdatedData,
  type TimedBookingData,
} from './calendar.events';
import type { Booking } from '../models';

export * from './envelope';
export * from './calendar.events';
export * from './table-entry.events';

/** Every event type the platform publishes, with the schema of its `data`. */
export interface EventDataMap {
  [TABLE_ENTRY_ADDED]: TableEntryAddedData;
  [TABLE_ENTRY_LEAD_STATE_CHANGED]: TableEntryLeadStateChangedData;
  [APPOINTMENT_BOOKED]: Booking;
  [APPOINTMENT_HAS_STARTED]: TimedBookingData;
  [APPOINTMENT_HAS_ENDED]: TimedBookingData;
  [APPOINTMENT_UPDATED]: BookingUpdatedData;
  [APPOINTMENT_CANCELLED]: Booking;
  [APPOINTMENT_COMPLETED]: Booking;
  [APPOINTMENT_DELETED]: Booking;
}

export type EventType = keyof EventDataMap;

const DATA_SCHEMAS: { [K in EventType]: Schema<unknown> } = {
  [TABLE_ENTRY_ADDED]: tableEntryAddedSchema,
  [TABLE_ENTRY_LEAD_STATE_CHANGED]: tableEntryLeadStateChangedSchema,
  [APPOINTMENT_BOOKED]: bookingSchema,
  [APPOINTMENT_HAS_STARTED]: timedBookingSchema,
  [APPOINTMENT_HAS_ENDED]: timedBookingSchema,
  [APPOINTMENT_UPDATED]: bookingUpdatedSchema,
  [APPOINTMENT_CANCELLED]: bookingSchema,
  [APPOINTMENT_COMPLETED]: bookingSchema,
  [APPOINTMENT_DELETED]: bookingSchema,
};

export const EVENT_TYPES = Object.keys(DATA_SCHEMAS) as EventType[];

export function isKnownEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(DATA_SCHEMAS, type);
}

/** Validates the envelope and, for known types, the data payload; consumers call this before acting. */
export function validateEvent(raw: unknown): Validated<CloudEvent> {
  const envelope = validateEnvelope(raw);
  if (!envelope.ok) return envelope;
  const type = envelope.value.type;
  if (!isKnownEventType(type))
    return { ok: false, errors: [{ field: 'type', message: `unknown event type ${type}` }] };
  const data = validate(DATA_SCHEMAS[type], envelope.value.data);
  if (!data.ok) return { ok: false, errors: data.errors.map((e) => ({ ...e, field: `data.${e.field}` })) };
  return envelope;
}
