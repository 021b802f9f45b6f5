import {
  createEvent,
  TABLE_ENTRY_ASSIGNED,
  type Actor,
  type CloudEvent,
  type TableEntry,
  type TableEntryAssignedData,
} from '@rocketlead/contracts';
import { currentTraceparent } from '@rocketlead/observability';

const SOURCE = '/leads';

/** What caused a change made for an automation run: the run, and the depth of the events it causes. */
export interface Cause {
  causationId: string | null;
  depth: number;
}

/** The cause of a command's change: its run and depth when an automation step sent it. */
export const causeOf = (request: { causationId?: string; depth?: number }): Cause => ({
  causationId: request.causationId ?? null,
  depth: request.depth ?? 0,
});

/** An event of the leads domain about one entry (`subject`), made by `actor`. */
export function entryEvent<T>(
  actor: Actor,
  type: string,
  subject: string,
  data: T,
  cause?: Cause,
): CloudEvent<T> {
  return createEvent({
    type,
    source: SOURCE,
    subject,
    data,
    actor: { ...actor, traceparent: currentTraceparent(actor.traceparent) },
    causationId: cause?.causationId ?? null,
    depth: cause?.depth ?? 0,
  });
}

/** `table.entry.assigned`; only for an actual change of the assigned member. */
export function assignedEvent(
  actor: Actor,
  entry: TableEntry,
  from: string | null,
  cause?: Cause,
): CloudEvent<TableEntryAssignedData> {
  return entryEvent(
    actor,
    TABLE_ENTRY_ASSIGNED,
    entry.id,
    { entryId: entry.id, tableId: entry.tableId, from, to: entry.assignedMemberId },
    cause,
  );
}
