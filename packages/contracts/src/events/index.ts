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

export * from './envelope';
export * from './table-entry.events';

/** Every event type the platform publishes, with the schema of its `data`. */
export interface EventDataMap {
  [TABLE_ENTRY_ADDED]: TableEntryAddedData;
  [TABLE_ENTRY_LEAD_STATE_CHANGED]: TableEntryLeadStateChangedData;
}

export type EventType = keyof EventDataMap;

const DATA_SCHEMAS: { [K in EventType]: Schema<unknown> } = {
  [TABLE_ENTRY_ADDED]: tableEntryAddedSchema,
  [TABLE_ENTRY_LEAD_STATE_CHANGED]: tableEntryLeadStateChangedSchema,
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
