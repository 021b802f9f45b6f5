import {
  EVENT_DEFINITIONS,
  TABLE_ENTRY_ADDED,
  dataAt,
  isKnownEventType,
  type Booking,
  type CloudEvent,
  type RunContextRef,
  type StepStatus,
  type TableEntry,
} from '@rocketlead/contracts';
import type { RunSnapshot } from '../runs/run.entity';

/** `source` of the events automation publishes. */
export const EVENT_SOURCE = '/automation';

/** The triggering event as conditions and templates see it. */
export interface ContextEvent {
  type: string;
  id: string;
  time: string;
  channel: string;
  apiTokenId: string | null;
  memberId: string | null;
  data: Record<string, unknown>;
  correlationId: string;
  depth: number;
}

export interface ContextStep {
  index: number;
  type: string;
  status: StepStatus;
  output: unknown;
}

/** What conditions, `match` and templates are evaluated over. */
export interface RunContext {
  event: ContextEvent;
  entry: TableEntry | null;
  booking: Booking | null;
  steps: ContextStep[];
  automation: { id: string; name: string; version: number };
}

/**
 * What a run keeps of its trigger (runs.snapshot): the event (with its traceparent, so the run's calls
 * continue the trace), the lead and the booking as they were when the run started.
 */
export interface StoredSnapshot {
  event: ContextEvent & { traceparent: string | null };
  entry: TableEntry | null;
  booking: Booking | null;
}

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

export function contextEvent(event: CloudEvent): StoredSnapshot['event'] {
  return {
    type: event.type,
    id: event.id,
    time: event.time,
    channel: event.channel,
    apiTokenId: event.apitokenid,
    memberId: event.memberid,
    data: asRecord(event.data),
    correlationId: event.correlationid,
    depth: event.depth,
    traceparent: event.traceparent,
  };
}

/** Where the event says its lead and booking are (EVENT_DEFINITIONS), read from its data. */
export function eventSubjects(
  type: string,
  data: unknown,
): { entryId: string | null; booking: Booking | null } {
  if (!isKnownEventType(type)) return { entryId: null, booking: null };
  const definition = EVENT_DEFINITIONS[type];
  const entryId = definition.entryIdField === null ? undefined : dataAt(data, definition.entryIdField);
  const booking = definition.bookingField === null ? undefined : dataAt(data, definition.bookingField);
  return {
    entryId: typeof entryId === 'string' ? entryId : null,
    booking: typeof booking === 'object' && booking !== null ? (booking as Booking) : null,
  };
}

/** The lead carried by the event itself (table.entry.added), so it need not be fetched. */
export function entryInEvent(event: { type: string; data: unknown }): TableEntry | null {
  return event.type === TABLE_ENTRY_ADDED ? (event.data as TableEntry) : null;
}

export function buildSnapshot(
  event: CloudEvent,
  entry: TableEntry | null,
  booking: Booking | null,
): StoredSnapshot {
  return { event: contextEvent(event), entry, booking };
}

export function runContext(
  snapshot: StoredSnapshot,
  automation: RunContext['automation'],
  steps: ContextStep[] = [],
): RunContext {
  const e = snapshot.event;
  const event: ContextEvent = {
    type: e.type,
    id: e.id,
    time: e.time,
    channel: e.channel,
    apiTokenId: e.apiTokenId,
    memberId: e.memberId,
    data: e.data,
    correlationId: e.correlationId,
    depth: e.depth,
  };
  return { event, entry: snapshot.entry, booking: snapshot.booking, steps, automation };
}

export function contextRef(snapshot: StoredSnapshot, entryId: string | null, depth: number): RunContextRef {
  const { event, booking } = snapshot;
  return {
    eventId: event.id,
    eventType: event.type,
    entryId,
    bookingId: booking?.id ?? null,
    channel: event.channel,
    apiTokenId: event.apiTokenId,
    memberId: event.memberId,
    correlationId: event.correlationId,
    depth,
  };
}

/** The stored column's type is looser (the entity is shared); this is what the engine writes there. */
export const toRunSnapshot = (snapshot: StoredSnapshot): RunSnapshot => snapshot as unknown as RunSnapshot;
export const fromRunSnapshot = (snapshot: RunSnapshot): StoredSnapshot =>
  snapshot as unknown as StoredSnapshot;
