import { MILESTONES, type Milestone, type TableEntry } from '../models';
import { s } from '../validation';

export const TABLE_ENTRY_ADDED = 'table.entry.added';
export const TABLE_ENTRY_LEAD_STATE_CHANGED = 'table.entry.leadState.changed';
/** The lead's assigned member changed (Lead Actions "User Changed"). */
export const TABLE_ENTRY_ASSIGNED = 'table.entry.assigned';
export const TABLE_ENTRY_TAG_APPLIED = 'table.entry.tag.applied';
export const TABLE_ENTRY_TAG_REMOVED = 'table.entry.tag.removed';
/** Emitted before `table.entry.added` of a lead matching an earlier entry of its pool ("Received & Duplicate"). */
export const TABLE_ENTRY_DUPLICATE_DETECTED = 'table.entry.duplicate.detected';
/** `data` or `customFieldData` changed (Lead Actions "Updated"). */
export const TABLE_ENTRY_UPDATED = 'table.entry.updated';
/** The contact's birthday, on the organization's local date; once per entry and year. */
export const TABLE_ENTRY_BIRTHDAY = 'table.entry.birthday';
/** The `triggerId` of a birthday trigger for every pool (Gordon's `__birthday__`). */
export const BIRTHDAY_ANY_POOL = '__birthday__';
/** The first time a lead enters a state with a milestone; once per lead and milestone, ever. */
export const TABLE_ENTRY_MILESTONE_REACHED = 'table.entry.milestone.reached';
/** The lead was deleted (`DELETE /connect/table_entries/:id`); not a trigger, as there is no lead to act on. */
export const TABLE_ENTRY_DELETED = 'table.entry.deleted';

export type TableEntryAddedData = TableEntry;

export interface TableEntryLeadStateChangedData {
  entryId: string;
  tableId: string;
  from: string | null;
  to: string;
}

export interface TableEntryAssignedData {
  entryId: string;
  tableId: string;
  from: string | null;
  to: string | null;
}

export interface TableEntryTagData {
  entryId: string;
  tableId: string;
  tagId: string;
  tagName: string;
}

export interface TableEntryDuplicateDetectedData {
  entryId: string;
  tableId: string;
  duplicateOfId: string;
  /** The pool's dedupe keys on which it matched, in the pool's order. */
  matchedOn: string[];
}

export interface TableEntryDeletedData {
  entryId: string;
  tableId: string;
}

export interface TableEntryBirthdayData {
  entryId: string;
  tableId: string;
  /** The local date celebrated, `YYYY-MM-DD` (Feb 28 for a Feb 29 birthday in a non-leap year). */
  date: string;
}

export interface FieldChange {
  from: unknown;
  to: unknown;
}

export interface TableEntryUpdatedData {
  entryId: string;
  tableId: string;
  /** By data key, and `customFieldData.<id>` for custom fields. */
  changes: Record<string, FieldChange>;
}

export interface TableEntryMilestoneReachedData {
  entryId: string;
  tableId: string;
  milestone: Milestone;
  leadStateId: string;
}

const entryValue = s.unknown();

export const tableEntryAddedSchema = s.object({
  id: s.uuid(),
  tableId: s.uuid(),
  organizationId: s.uuid(),
  data: s.record(entryValue),
  customFieldData: s.record(entryValue),
  leadStateId: s.uuid(),
  // Optional: events stored before leads had contacts lack them.
  assignedMemberId: s.optional(s.nullable(s.uuid())),
  duplicateOfId: s.optional(s.nullable(s.uuid())),
  tags: s.optional(s.array(s.object({ id: s.uuid(), name: s.string() }))),
  createdAt: s.isoDate(),
  updatedAt: s.isoDate(),
});

export const tableEntryLeadStateChangedSchema = s.object({
  entryId: s.uuid(),
  tableId: s.uuid(),
  from: s.nullable(s.uuid()),
  to: s.uuid(),
});

export const tableEntryAssignedSchema = s.object({
  entryId: s.uuid(),
  tableId: s.uuid(),
  from: s.nullable(s.uuid()),
  to: s.nullable(s.uuid()),
});

export const tableEntryTagSchema = s.object({
  entryId: s.uuid(),
  tableId: s.uuid(),
  tagId: s.uuid(),
  tagName: s.string({ min: 1 }),
});

export const tableEntryDuplicateDetectedSchema = s.object({
  entryId: s.uuid(),
  tableId: s.uuid(),
  duplicateOfId: s.uuid(),
  matchedOn: s.array(s.string({ min: 1 })),
});

export const tableEntryUpdatedSchema = s.object({
  entryId: s.uuid(),
  tableId: s.uuid(),
  changes: s.record(s.object({ from: s.unknown(), to: s.unknown() })),
});

export const tableEntryMilestoneReachedSchema = s.object({
  entryId: s.uuid(),
  tableId: s.uuid(),
  milestone: s.literal(...MILESTONES),
  leadStateId: s.uuid(),
});

export const tableEntryDeletedSchema = s.object({
  entryId: s.uuid(),
  tableId: s.uuid(),
});

export const tableEntryBirthdaySchema = s.object({
  entryId: s.uuid(),
  tableId: s.uuid(),
  date: s.string({ pattern: /^\d{4}-\d{2}-\d{2}$/ }),
});
