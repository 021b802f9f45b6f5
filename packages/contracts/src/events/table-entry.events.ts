import type { TableEntry } from '../models';
import { s } from '../validation';

export const TABLE_ENTRY_ADDED = 'table.entry.added';
export const TABLE_ENTRY_LEAD_STATE_CHANGED = 'table.entry.leadState.changed';

export type TableEntryAddedData = TableEntry;

export interface TableEntryLeadStateChangedData {
  entryId: string;
  tableId: string;
  from: string | null;
  to: string;
}

const entryValue = s.unknown();

export const tableEntryAddedSchema = s.object({
  id: s.uuid(),
  tableId: s.uuid(),
  organizationId: s.uuid(),
  data: s.record(entryValue),
  customFieldData: s.record(entryValue),
  leadStateId: s.uuid(),
  createdAt: s.isoDate(),
  updatedAt: s.isoDate(),
});

export const tableEntryLeadStateChangedSchema = s.object({
  entryId: s.uuid(),
  tableId: s.uuid(),
  from: s.nullable(s.uuid()),
  to: s.uuid(),
});
