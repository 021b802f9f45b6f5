import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { COMMANDS } from '../names';
import { EMAIL_MAX_LENGTH } from '../email';
import {
  ASSIGN_STRATEGIES,
  type AssignStrategy,
  type ContactResolution,
  type Member,
  type MemberGroup,
  type Page,
  type TableEntry,
  type Tag,
} from '../models';
import { IsNullable, NestedMessage } from '../message-validation';
import { ActorMessage } from './actor.message';
import { PageCommand } from './page.command';
import { ByIdQuery, NAME_MAX } from './leads.commands';

// Messages of the contact objects `leads` owns: members and their groups, tags, and what is done to an
// entry with them (assignment, tagging, its duplicates).

/** Bounds of contact objects (README, "Limits"). */
export const CONTACT_LIMITS = {
  emailLength: 320,
  tagNameLength: 100,
  /** Members one group may hold (its `memberIds`). */
  membersPerGroup: 500,
  /** Members, groups and tags one organization may have: each is picked from or listed whole at times. */
  membersPerOrganization: 10_000,
  groupsPerOrganization: 1_000,
  tagsPerOrganization: 1_000,
  /** Tags one entry may carry. */
  tagsPerEntry: 100,
} as const;

const COLOR = /^#[0-9a-fA-F]{6}$/;
const COLOR_MESSAGE = 'color must be a hex color such as #1e90ff';

// ---- HTTP bodies (Connect API) ----

export class CreateMemberBody {
  @IsString()
  @Length(1, NAME_MAX)
  name: string;

  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(CONTACT_LIMITS.emailLength)
  email: string;
}

export class UpdateMemberBody {
  @IsOptional()
  @IsString()
  @Length(1, NAME_MAX)
  name?: string;

  @IsOptional()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(CONTACT_LIMITS.emailLength)
  email?: string;

  // false deactivates (as DELETE does); true reactivates.
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class CreateMemberGroupBody {
  @IsString()
  @Length(1, NAME_MAX)
  name: string;

  @IsArray()
  @ArrayMaxSize(CONTACT_LIMITS.membersPerGroup)
  @IsUUID('all', { each: true })
  memberIds: string[];
}

export class UpdateMemberGroupBody {
  @IsOptional()
  @IsString()
  @Length(1, NAME_MAX)
  name?: string;

  // Replaces the group's members.
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(CONTACT_LIMITS.membersPerGroup)
  @IsUUID('all', { each: true })
  memberIds?: string[];
}

export class CreateTagBody {
  @IsString()
  @Length(1, CONTACT_LIMITS.tagNameLength)
  name: string;

  @IsOptional()
  @Matches(COLOR, { message: COLOR_MESSAGE })
  color?: string | null;
}

export class UpdateTagBody {
  @IsOptional()
  @IsString()
  @Length(1, CONTACT_LIMITS.tagNameLength)
  name?: string;

  @IsOptional()
  @Matches(COLOR, { message: COLOR_MESSAGE })
  color?: string | null;
}

export class ApplyTagBody {
  @IsUUID()
  tagId: string;
}

// ---- Commands ----

export class MembersCreateCommand extends CreateMemberBody {
  @IsUUID()
  organizationId: string;
}

export class MembersListCommand extends PageCommand {
  @IsOptional()
  @IsUUID()
  groupId?: string;

  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class MembersGetCommand extends ByIdQuery {}

export class MembersUpdateCommand extends UpdateMemberBody {
  @IsUUID()
  organizationId: string;

  @IsUUID()
  id: string;
}

export class MembersDeactivateCommand extends ByIdQuery {}

export class MemberGroupsCreateCommand extends CreateMemberGroupBody {
  @IsUUID()
  organizationId: string;
}

export class MemberGroupsListCommand extends PageCommand {}

export class MemberGroupsGetCommand extends ByIdQuery {}

export class MemberGroupsUpdateCommand extends UpdateMemberGroupBody {
  @IsUUID()
  organizationId: string;

  @IsUUID()
  id: string;
}

export class MemberGroupsDeleteCommand extends ByIdQuery {}

export class TagsCreateCommand extends CreateTagBody {
  @IsUUID()
  organizationId: string;
}

export class TagsListCommand extends PageCommand {}

export class TagsGetCommand extends ByIdQuery {}

export class TagsUpdateCommand extends UpdateTagBody {
  @IsUUID()
  organizationId: string;

  @IsUUID()
  id: string;
}

export class TagsDeleteCommand extends ByIdQuery {}

/** What an entry change made by an automation step carries: the key that applies it once, and its cause. */
export class EntryChangeCommand {
  @IsObject()
  @NestedMessage(() => ActorMessage)
  actor: ActorMessage;

  /** The entry. */
  @IsUUID()
  id: string;

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

export class EntriesTagApplyCommand extends EntryChangeCommand {
  @IsUUID()
  tagId: string;
}

export class EntriesTagRemoveCommand extends EntryChangeCommand {
  @IsUUID()
  tagId: string;
}

/**
 * Assigns an entry to `memberId`, or to an active member of `groupId` picked by `strategy` (round robin keeps
 * a turn per group, taken in one transaction, so concurrent assignments share evenly).
 */
export class EntriesAssignCommand extends EntryChangeCommand {
  @IsOptional()
  @IsUUID()
  memberId?: string;

  @IsOptional()
  @IsUUID()
  groupId?: string;

  @IsOptional()
  @IsIn(ASSIGN_STRATEGIES, { message: `strategy must be one of ${ASSIGN_STRATEGIES.join(', ')}` })
  strategy?: AssignStrategy;
}

/** The entries linked to one as duplicates: those pointing to it, and the original it points to. */
export class EntriesDuplicatesCommand extends PageCommand {
  @IsUUID()
  id: string;
}

/**
 * Finds the contact of pool `tableId` whose `email` matches once normalised (as duplicate detection does), or
 * creates it with `data` {email, name, phone} (the given ones) on the actor's channel. An existing contact is
 * not changed: a provider or a public form must not overwrite what the contact's owner stored. Calls about
 * one email are taken one at a time, so two simultaneous first purchases make one contact.
 */
export class ContactsResolveCommand {
  @IsObject()
  @NestedMessage(() => ActorMessage)
  actor: ActorMessage;

  @IsUUID()
  tableId: string;

  /** Refused with a 400 naming `email` when it is not an email address. */
  @IsString()
  @Length(3, EMAIL_MAX_LENGTH)
  email: string;

  @IsOptional()
  @IsNullable()
  @IsString()
  @MaxLength(200)
  name?: string | null;

  @IsOptional()
  @IsNullable()
  @IsString()
  @MaxLength(50)
  phone?: string | null;
}

/** Maps each command to its request class and response type, so callers and handlers agree. */
export interface ContactsCommandMap {
  [COMMANDS.membersCreate]: [MembersCreateCommand, Member];
  [COMMANDS.membersList]: [MembersListCommand, Page<Member>];
  [COMMANDS.membersGet]: [MembersGetCommand, Member];
  [COMMANDS.membersUpdate]: [MembersUpdateCommand, Member];
  [COMMANDS.membersDeactivate]: [MembersDeactivateCommand, Member];
  [COMMANDS.memberGroupsCreate]: [MemberGroupsCreateCommand, MemberGroup];
  [COMMANDS.memberGroupsList]: [MemberGroupsListCommand, Page<MemberGroup>];
  [COMMANDS.memberGroupsGet]: [MemberGroupsGetCommand, MemberGroup];
  [COMMANDS.memberGroupsUpdate]: [MemberGroupsUpdateCommand, MemberGroup];
  [COMMANDS.memberGroupsDelete]: [MemberGroupsDeleteCommand, MemberGroup];
  [COMMANDS.tagsCreate]: [TagsCreateCommand, Tag];
  [COMMANDS.tagsList]: [TagsListCommand, Page<Tag>];
  [COMMANDS.tagsGet]: [TagsGetCommand, Tag];
  [COMMANDS.tagsUpdate]: [TagsUpdateCommand, Tag];
  [COMMANDS.tagsDelete]: [TagsDeleteCommand, Tag];
  [COMMANDS.entriesTagApply]: [EntriesTagApplyCommand, TableEntry];
  [COMMANDS.entriesTagRemove]: [EntriesTagRemoveCommand, TableEntry];
  [COMMANDS.entriesAssign]: [EntriesAssignCommand, TableEntry];
  [COMMANDS.entriesDuplicates]: [EntriesDuplicatesCommand, Page<TableEntry>];
  [COMMANDS.contactsResolve]: [ContactsResolveCommand, ContactResolution];
}

export const CONTACTS_COMMAND_CLASSES = {
  [COMMANDS.membersCreate]: MembersCreateCommand,
  [COMMANDS.membersList]: MembersListCommand,
  [COMMANDS.membersGet]: MembersGetCommand,
  [COMMANDS.membersUpdate]: MembersUpdateCommand,
  [COMMANDS.membersDeactivate]: MembersDeactivateCommand,
  [COMMANDS.memberGroupsCreate]: MemberGroupsCreateCommand,
  [COMMANDS.memberGroupsList]: MemberGroupsListCommand,
  [COMMANDS.memberGroupsGet]: MemberGroupsGetCommand,
  [COMMANDS.memberGroupsUpdate]: MemberGroupsUpdateCommand,
  [COMMANDS.memberGroupsDelete]: MemberGroupsDeleteCommand,
  [COMMANDS.tagsCreate]: TagsCreateCommand,
  [COMMANDS.tagsList]: TagsListCommand,
  [COMMANDS.tagsGet]: TagsGetCommand,
  [COMMANDS.tagsUpdate]: TagsUpdateCommand,
  [COMMANDS.tagsDelete]: TagsDeleteCommand,
  [COMMANDS.entriesTagApply]: EntriesTagApplyCommand,
  [COMMANDS.entriesTagRemove]: EntriesTagRemoveCommand,
  [COMMANDS.entriesAssign]: EntriesAssignCommand,
  [COMMANDS.entriesDuplicates]: EntriesDuplicatesCommand,
  [COMMANDS.contactsResolve]: ContactsResolveCommand,
} satisfies { [K in keyof ContactsCommandMap]: new () => ContactsCommandMap[K][0] };
