import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Matches,
  Min,
} from 'class-validator';
import { COMMANDS } from '../names';
import {
  FIELD_TYPES,
  MILESTONES,
  type Milestone,
  type CustomField,
  type EntryData,
  type EntryValue,
  type FieldType,
  type LeadPool,
  type LeadState,
  type OrganizationSettings,
  type Page,
  type TableEntry,
  type TableSchema,
} from '../models';
import { IsTableSchema, NestedMessage } from '../message-validation';
import { ActorMessage } from './actor.message';
import { OrganizationScoped, PAGE_LIMIT_MAX, PageCommand } from './page.command';
import { UUID_PATTERN } from '../uuid';

// Messages of the `leads` service. Each HTTP body is defined once here; the command it becomes extends it
// with what ingress adds (organization, actor, ids from the path), so ingress and leads validate alike.

export const NAME_MAX = 200;
export const LIST_LIMIT_MAX = PAGE_LIMIT_MAX;
/** Data keys one pool may compare for duplicate detection. */
export const DEDUPE_KEYS_MAX = 10;

// ---- HTTP bodies (Connect API) ----

/** `dedupe` of a pool: the data keys that identify a contact, and the region of numbers without a country code. */
export class DedupeBody {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(DEDUPE_KEYS_MAX)
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  keys: string[];

  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: 'phoneRegion must be an ISO 3166 region code such as DE' })
  phoneRegion?: string | null;
}

/** A pool's settings: what a POST may bring with the new pool and a PATCH may change. */
class LeadPoolSettingsBody {
  @IsOptional()
  @IsTableSchema()
  tableSchema?: TableSchema;

  // null turns duplicate detection off (the default).
  @IsOptional()
  @IsObject()
  @NestedMessage(() => DedupeBody)
  dedupe?: DedupeBody | null;

  // The data key holding birthdays (`YYYY-MM-DD` or `MM-DD`); null turns birthday events off.
  @IsOptional()
  @IsString()
  @Length(1, 200)
  birthdayField?: string | null;
}

export class CreateLeadPoolBody extends LeadPoolSettingsBody {
  @IsString()
  @Length(1, NAME_MAX)
  name: string;
}

export class UpdateLeadPoolBody extends LeadPoolSettingsBody {
  @IsOptional()
  @IsString()
  @Length(1, NAME_MAX)
  name?: string;

  // null clears the default; entries then need an explicit leadStateId.
  @IsOptional()
  @IsUUID()
  defaultLeadStateId?: string | null;
}

/** PATCH /connect/organization. */
export class UpdateOrganizationSettingsBody {
  /** An IANA time zone name (`Europe/Berlin`); checked by the service. */
  @IsOptional()
  @IsString()
  @Length(1, 100)
  timezone?: string;
}

/** POST /api/v1/sweeps/birthday: the organization's birthday sweep for its local today, or `date`. */
export class SweepBirthdayBody {
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must be a date YYYY-MM-DD' })
  date?: string;
}

/** What a sweep did: the local date it swept and the birthday events it emitted (0 when already swept). */
export interface BirthdaySweepResult {
  date: string;
  emitted: number;
}

const MILESTONE_MESSAGE = `milestone must be one of ${MILESTONES.join(', ')}`;

export class CreateLeadStateBody {
  @IsString()
  @Length(1, NAME_MAX)
  name: string;

  @IsOptional()
  @IsBoolean()
  isDefault?: boolean;

  @IsOptional()
  @IsIn(MILESTONES, { message: MILESTONE_MESSAGE })
  milestone?: Milestone | null;
}

export class UpdateLeadStateBody {
  @IsOptional()
  @IsString()
  @Length(1, NAME_MAX)
  name?: string;

  // true makes it the pool's default; false is refused (set another state as the default instead).
  @IsOptional()
  @IsBoolean()
  isDefault?: boolean;

  // null removes the milestone; milestones already reached stay reached.
  @IsOptional()
  @IsIn(MILESTONES, { message: MILESTONE_MESSAGE })
  milestone?: Milestone | null;
}

export class CreateCustomFieldBody {
  @IsString()
  @Length(1, NAME_MAX)
  name: string;

  @IsIn(FIELD_TYPES, { message: `type must be one of ${FIELD_TYPES.join(', ')}` })
  type: FieldType;
}

/** A custom field is renamed only: its type is fixed once values of it are stored. */
export class UpdateCustomFieldBody {
  @IsString()
  @Length(1, NAME_MAX)
  name: string;
}

export class CreateTableEntryBody {
  @IsUUID()
  tableId: string;

  @IsObject()
  data: EntryData;

  @IsOptional()
  @IsUUID()
  leadStateId?: string;

  @IsOptional()
  @IsObject()
  customFieldData?: Record<string, EntryValue>;
}

export class UpdateTableEntryBody {
  @IsOptional()
  @IsUUID()
  leadStateId?: string;

  // null unassigns; an unknown or inactive member is refused.
  @IsOptional()
  @IsUUID()
  assignedMemberId?: string | null;

  @IsOptional()
  @IsObject()
  data?: EntryData;

  @IsOptional()
  @IsObject()
  customFieldData?: Record<string, EntryValue>;
}

/** Body of POST /public/ingress_webhooks/:id; value types are checked against the pool schema by leads. */
export class IngressPayloadBody {
  @IsObject()
  data: EntryData;

  @IsOptional()
  @IsObject()
  customFieldData?: Record<string, EntryValue>;
}

// ---- Commands ----

export class ByIdQuery extends OrganizationScoped {
  @IsUUID()
  id: string;
}

export class PoolsCreateCommand extends CreateLeadPoolBody {
  @IsUUID()
  organizationId: string;
}

export class PoolsGetCommand extends ByIdQuery {}

export class PoolsListCommand extends PageCommand {}

export class PoolsUpdateCommand extends UpdateLeadPoolBody {
  @IsUUID()
  organizationId: string;

  @IsUUID()
  id: string;
}

export class LeadStatesCreateCommand extends CreateLeadStateBody {
  @IsUUID()
  organizationId: string;

  @IsUUID()
  tableId: string;
}

export class LeadStatesListCommand extends OrganizationScoped {
  @IsUUID()
  tableId: string;
}

export class OrganizationSettingsGetCommand extends OrganizationScoped {}

export class OrganizationSettingsUpdateCommand extends UpdateOrganizationSettingsBody {
  @IsUUID()
  organizationId: string;
}

export class BirthdaySweepCommand extends SweepBirthdayBody {
  @IsUUID()
  organizationId: string;
}

export class LeadStatesUpdateCommand extends UpdateLeadStateBody {
  @IsUUID()
  organizationId: string;

  @IsUUID()
  tableId: string;

  @IsUUID()
  id: string;
}

export class CustomFieldsCreateCommand extends CreateCustomFieldBody {
  @IsUUID()
  organizationId: string;
}

export class CustomFieldsListCommand extends OrganizationScoped {}

export class CustomFieldsGetCommand extends ByIdQuery {}

export class CustomFieldsUpdateCommand extends UpdateCustomFieldBody {
  @IsUUID()
  organizationId: string;

  @IsUUID()
  id: string;
}

export const SCHEMA_MODES = ['infer', 'strict'] as const;
export type SchemaMode = (typeof SCHEMA_MODES)[number];

export class EntriesCreateCommand extends CreateTableEntryBody {
  @IsObject()
  @NestedMessage(() => ActorMessage)
  actor: ActorMessage;

  /** `infer`: new keys lock their type (ingress webhooks); `strict`: unknown keys are rejected (Connect API). */
  @IsIn(SCHEMA_MODES)
  schemaMode: SchemaMode;

  /** Same key, same organization: the first entry is returned and nothing new is created. */
  @IsOptional()
  @IsString()
  @Length(1, 300)
  idempotencyKey?: string;
}

export class EntriesGetCommand extends ByIdQuery {}

/** Deletes the entry; the actor's organization must own it. */
export class EntriesDeleteCommand {
  @IsObject()
  @NestedMessage(() => ActorMessage)
  actor: ActorMessage;

  @IsUUID()
  id: string;
}

/** `assignedMemberId` of the entries list: a member's id, or `none` for the unassigned. */
export const UNASSIGNED = 'none';
const MEMBER_FILTER = new RegExp(`^(?:${UNASSIGNED}|${UUID_PATTERN.source.slice(1, -1)})$`, 'i');

/** The filters of the entries list, as the query string names them (ingress) and the command carries them. */
export class EntriesFilterBody {
  @IsOptional()
  @IsUUID()
  tableId?: string;

  /** Only entries that carry this tag. */
  @IsOptional()
  @IsUUID()
  tagId?: string;

  /** Only entries in this lead state. */
  @IsOptional()
  @IsUUID()
  leadStateId?: string;

  /** Only entries assigned to this member, or with `none` only the unassigned. */
  @IsOptional()
  @Matches(MEMBER_FILTER, { message: `assignedMemberId must be a UUID or "${UNASSIGNED}"` })
  assignedMemberId?: string;
}

export class EntriesListCommand extends EntriesFilterBody {
  @IsUUID()
  organizationId: string;

  @IsInt()
  @Min(1)
  @Max(LIST_LIMIT_MAX)
  limit: number;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

export class EntriesUpdateCommand extends UpdateTableEntryBody {
  @IsObject()
  @NestedMessage(() => ActorMessage)
  actor: ActorMessage;

  @IsUUID()
  id: string;

  /** `strict` (default, Connect API): unknown data keys are refused; `infer` (automations): they are added. */
  @IsOptional()
  @IsIn(SCHEMA_MODES)
  schemaMode?: SchemaMode;

  /** Same key, same organization: applied once; a repeat answers the entry as it is now. */
  @IsOptional()
  @IsString()
  @Length(1, 300)
  idempotencyKey?: string;

  /** Set by automation runs: the run id and the depth of the events this change causes. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  causationId?: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  depth?: number;
}

// Request type names the services were written against.
export type PoolsCreateRequest = PoolsCreateCommand;
export type PoolsGetRequest = PoolsGetCommand;
export type PoolsListRequest = PoolsListCommand;
export type PoolsUpdateRequest = PoolsUpdateCommand;
export type LeadStatesCreateRequest = LeadStatesCreateCommand;
export type LeadStatesListRequest = LeadStatesListCommand;
export type LeadStatesUpdateRequest = LeadStatesUpdateCommand;
export type CustomFieldsCreateRequest = CustomFieldsCreateCommand;
export type CustomFieldsListRequest = CustomFieldsListCommand;
export type EntriesCreateRequest = EntriesCreateCommand;
export type EntriesGetRequest = EntriesGetCommand;
export type EntriesListRequest = EntriesListCommand;
export type EntriesUpdateRequest = EntriesUpdateCommand;

/** Maps each command to its request class and response type, so callers and handlers agree. */
export interface LeadsCommandMap {
  [COMMANDS.poolsCreate]: [PoolsCreateCommand, LeadPool];
  [COMMANDS.poolsGet]: [PoolsGetCommand, LeadPool];
  [COMMANDS.poolsList]: [PoolsListCommand, Page<LeadPool>];
  [COMMANDS.poolsUpdate]: [PoolsUpdateCommand, LeadPool];
  [COMMANDS.leadStatesCreate]: [LeadStatesCreateCommand, LeadState];
  [COMMANDS.leadStatesList]: [LeadStatesListCommand, LeadState[]];
  [COMMANDS.leadStatesUpdate]: [LeadStatesUpdateCommand, LeadState];
  [COMMANDS.organizationSettingsGet]: [OrganizationSettingsGetCommand, OrganizationSettings];
  [COMMANDS.organizationSettingsUpdate]: [OrganizationSettingsUpdateCommand, OrganizationSettings];
  [COMMANDS.birthdaySweep]: [BirthdaySweepCommand, BirthdaySweepResult];
  [COMMANDS.customFieldsCreate]: [CustomFieldsCreateCommand, CustomField];
  [COMMANDS.customFieldsList]: [CustomFieldsListCommand, CustomField[]];
  [COMMANDS.customFieldsGet]: [CustomFieldsGetCommand, CustomField];
  [COMMANDS.customFieldsUpdate]: [CustomFieldsUpdateCommand, CustomField];
  [COMMANDS.entriesCreate]: [EntriesCreateCommand, TableEntry];
  [COMMANDS.entriesGet]: [EntriesGetCommand, TableEntry];
  [COMMANDS.entriesList]: [EntriesListCommand, Page<TableEntry>];
  [COMMANDS.entriesUpdate]: [EntriesUpdateCommand, TableEntry];
  [COMMANDS.entriesDelete]: [EntriesDeleteCommand, TableEntry];
}

export const LEADS_COMMAND_CLASSES = {
  [COMMANDS.poolsCreate]: PoolsCreateCommand,
  [COMMANDS.poolsGet]: PoolsGetCommand,
  [COMMANDS.poolsList]: PoolsListCommand,
  [COMMANDS.poolsUpdate]: PoolsUpdateCommand,
  [COMMANDS.leadStatesCreate]: LeadStatesCreateCommand,
  [COMMANDS.leadStatesList]: LeadStatesListCommand,
  [COMMANDS.leadStatesUpdate]: LeadStatesUpdateCommand,
  [COMMANDS.organizationSettingsGet]: OrganizationSettingsGetCommand,
  [COMMANDS.organizationSettingsUpdate]: OrganizationSettingsUpdateCommand,
  [COMMANDS.birthdaySweep]: BirthdaySweepCommand,
  [COMMANDS.customFieldsCreate]: CustomFieldsCreateCommand,
  [COMMANDS.customFieldsList]: CustomFieldsListCommand,
  [COMMANDS.customFieldsGet]: CustomFieldsGetCommand,
  [COMMANDS.customFieldsUpdate]: CustomFieldsUpdateCommand,
  [COMMANDS.entriesCreate]: EntriesCreateCommand,
  [COMMANDS.entriesGet]: EntriesGetCommand,
  [COMMANDS.entriesList]: EntriesListCommand,
  [COMMANDS.entriesUpdate]: EntriesUpdateCommand,
  [COMMANDS.entriesDelete]: EntriesDeleteCommand,
} satisfies { [K in keyof LeadsCommandMap]: new () => LeadsCommandMap[K][0] };
