import { COMMANDS } from '../names';
import {
  CHANNELS,
  FIELD_TYPES,
  type Actor,
  type CustomField,
  type EntryData,
  type EntryValue,
  type FieldType,
  type LeadPool,
  type LeadState,
  type Page,
  type TableEntry,
  type TableSchema,
} from '../models';
import { s, type Schema } from '../validation';

// Request and response contracts of the `leads` service, with the schemas its handlers validate against.

export const NAME_MAX = 200;
export const LIST_LIMIT_MAX = 100;

const actor = s.object({
  organizationId: s.uuid(),
  channel: s.literal(...CHANNELS),
  apiTokenId: s.nullable(s.uuid()),
  memberId: s.nullable(s.string()),
  correlationId: s.string({ min: 1, max: 200 }),
  traceparent: s.nullable(s.string({ max: 200 })),
});
const scoped = { organizationId: s.uuid() };
const name = s.string({ min: 1, max: NAME_MAX });
const fieldType = s.literal(...FIELD_TYPES);
const anyRecord = s.record(s.unknown());

export interface PoolsCreateRequest {
  organizationId: string;
  name: string;
}
export interface PoolsGetRequest {
  organizationId: string;
  id: string;
}
export interface PoolsUpdateRequest {
  organizationId: string;
  id: string;
  name?: string;
  defaultLeadStateId?: string | null;
  tableSchema?: TableSchema;
}
export interface LeadStatesCreateRequest {
  organizationId: string;
  tableId: string;
  name: string;
  isDefault?: boolean;
}
export interface LeadStatesListRequest {
  organizationId: string;
  tableId: string;
}
export interface CustomFieldsCreateRequest {
  organizationId: string;
  name: string;
  type: FieldType;
}
export interface CustomFieldsListRequest {
  organizationId: string;
}
export interface EntriesCreateRequest {
  actor: Actor;
  tableId: string;
  data: EntryData;
  customFieldData?: Record<string, EntryValue>;
  leadStateId?: string;
  /** `infer`: new keys lock their type (ingress webhooks); `strict`: unknown keys are rejected (Connect API). */
  schemaMode: 'infer' | 'strict';
  /** Same key, same organization: the first entry is returned and nothing new is created. */
  idempotencyKey?: string;
}
export interface EntriesGetRequest {
  organizationId: string;
  id: string;
}
export interface EntriesListRequest {
  organizationId: string;
  tableId?: string;
  limit: number;
  cursor?: string;
}
export interface EntriesUpdateRequest {
  actor: Actor;
  id: string;
  leadStateId?: string;
  data?: EntryData;
  customFieldData?: Record<string, EntryValue>;
}

/** Maps each command to its request and response types, so the client and handlers agree. */
export interface LeadsCommandMap {
  [COMMANDS.poolsCreate]: [PoolsCreateRequest, LeadPool];
  [COMMANDS.poolsGet]: [PoolsGetRequest, LeadPool];
  [COMMANDS.poolsUpdate]: [PoolsUpdateRequest, LeadPool];
  [COMMANDS.leadStatesCreate]: [LeadStatesCreateRequest, LeadState];
  [COMMANDS.leadStatesList]: [LeadStatesListRequest, LeadState[]];
  [COMMANDS.customFieldsCreate]: [CustomFieldsCreateRequest, CustomField];
  [COMMANDS.customFieldsList]: [CustomFieldsListRequest, CustomField[]];
  [COMMANDS.entriesCreate]: [EntriesCreateRequest, TableEntry];
  [COMMANDS.entriesGet]: [EntriesGetRequest, TableEntry];
  [COMMANDS.entriesList]: [EntriesListRequest, Page<TableEntry>];
  [COMMANDS.entriesUpdate]: [EntriesUpdateRequest, TableEntry];
}

export const LEADS_COMMAND_SCHEMAS: { [K in keyof LeadsCommandMap]: Schema<unknown> } = {
  [COMMANDS.poolsCreate]: s.object({ ...scoped, name }),
  [COMMANDS.poolsGet]: s.object({ ...scoped, id: s.uuid() }),
  [COMMANDS.poolsUpdate]: s.object({
    ...scoped,
    id: s.uuid(),
    name: s.optional(name),
    defaultLeadStateId: s.optional(s.nullable(s.uuid())),
    tableSchema: s.optional(s.record(fieldType, { maxKeys: 500 })),
  }),
  [COMMANDS.leadStatesCreate]: s.object({
    ...scoped,
    tableId: s.uuid(),
    name,
    isDefault: s.optional(s.boolean()),
  }),
  [COMMANDS.leadStatesList]: s.object({ ...scoped, tableId: s.uuid() }),
  [COMMANDS.customFieldsCreate]: s.object({ ...scoped, name, type: fieldType }),
  [COMMANDS.customFieldsList]: s.object(scoped),
  [COMMANDS.entriesCreate]: s.object({
    actor,
    tableId: s.uuid(),
    data: anyRecord,
    customFieldData: s.optional(anyRecord),
    leadStateId: s.optional(s.uuid()),
    schemaMode: s.literal('infer', 'strict'),
    idempotencyKey: s.optional(s.string({ min: 1, max: 300 })),
  }),
  [COMMANDS.entriesGet]: s.object({ ...scoped, id: s.uuid() }),
  [COMMANDS.entriesList]: s.object({
    ...scoped,
    tableId: s.optional(s.uuid()),
    limit: s.number({ int: true, min: 1, max: LIST_LIMIT_MAX }),
    cursor: s.optional(s.string({ max: 500 })),
  }),
  [COMMANDS.entriesUpdate]: s.object({
    actor,
    id: s.uuid(),
    leadStateId: s.optional(s.uuid()),
    data: s.optional(anyRecord),
    customFieldData: s.optional(anyRecord),
  }),
};
