import { randomInt } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  CONTACT_LIMITS,
  DomainError,
  TABLE_ENTRY_TAG_APPLIED,
  TABLE_ENTRY_TAG_REMOVED,
  type AssignStrategy,
  type CloudEvent,
  type EntriesAssignCommand,
  type EntriesTagApplyCommand,
  type EntriesTagRemoveCommand,
  type EntryChangeCommand,
  type TableEntry,
  type TableEntryTagData,
} from '@rocketlead/contracts';
import { ServiceOutbox } from '@rocketlead/messaging';
import { TRANSACTION, type Transactional } from '@rocketlead/persistence';
import { MemberGroupsRepository } from '../member-groups/member-groups.repository';
import { MembersRepository } from '../members/members.repository';
import { TagsRepository } from '../tags/tags.repository';
import { EntriesRepository } from './entries.repository';
import { EntryContactsRepository } from './entry-contacts.repository';
import { assignedEvent, causeOf, entryEvent } from './entry-events';

const invalid = (field: string, message: string): DomainError =>
  new DomainError('VALIDATION_FAILED', 'Validation failed', { errors: [{ field, message }] });

const entryNotFound = (): DomainError => new DomainError('NOT_FOUND', 'Table entry not found');

/** What a change did: the entry as stored after it, and the events it caused (none for a no-op). */
interface Change {
  entry: TableEntry;
  events: CloudEvent[];
}

/**
 * What is done to an entry with the contact objects: tagging and assignment. Each command is one transaction
 * with the entry locked, so concurrent changes of one entry apply one after the other, each seeing the last.
 */
@Injectable()
export class EntryContactsService {
  constructor(
    private readonly entries: EntriesRepository,
    private readonly contacts: EntryContactsRepository,
    private readonly members: MembersRepository,
    private readonly groups: MemberGroupsRepository,
    private readonly tags: TagsRepository,
    private readonly outbox: ServiceOutbox,
    @Inject(TRANSACTION) private readonly transaction: Transactional,
  ) {}

  /** Applies the tag; an entry that has it already is answered as is, and nothing is emitted. */
  applyTag(request: EntriesTagApplyCommand): Promise<TableEntry> {
    return this.change(request, async (manager, current) => {
      const org = request.actor.organizationId;
      const tag = await this.tags.findForEntry(manager, org, request.tagId);
      if (!tag) throw invalid('tagId', 'is not a tag of this organization');
      // Read in a statement of its own: the tags `lock` returns may predate the change it waited for.
      const carried = await this.tags.idsOnEntry(manager, org, current.id);
      if (carried.includes(tag.id)) return { entry: await this.reread(manager, current), events: [] };
      if (carried.length >= CONTACT_LIMITS.tagsPerEntry) {
        throw invalid(
          'tagId',
          `an entry carries at most ${CONTACT_LIMITS.tagsPerEntry} tags; this one is full`,
        );
      }
      await this.tags.applyToEntry(manager, org, current.id, tag.id);
      await this.contacts.touch(manager, org, current.id);
      const entry = await this.reread(manager, current);
      const data: TableEntryTagData = {
        entryId: entry.id,
        tableId: entry.tableId,
        tagId: tag.id,
        tagName: tag.name,
      };
      return {
        entry,
        events: [entryEvent(request.actor, TABLE_ENTRY_TAG_APPLIED, entry.id, data, causeOf(request))],
      };
    });
  }

  /** Removes the tag; an entry without it is answered as is, and nothing is emitted. */
  removeTag(request: EntriesTagRemoveCommand): Promise<TableEntry> {
    return this.change(request, async (manager, current) => {
      const org = request.actor.organizationId;
      const tag = await this.tags.find(org, request.tagId, manager);
      if (!tag) throw invalid('tagId', 'is not a tag of this organization');
      if (!(await this.tags.removeFromEntry(manager, org, current.id, tag.id))) {
        return { entry: await this.reread(manager, current), events: [] };
      }
      await this.contacts.touch(manager, org, current.id);
      const entry = await this.reread(manager, current);
      const data: TableEntryTagData = {
        entryId: entry.id,
        tableId: entry.tableId,
        tagId: tag.id,
        tagName: tag.name,
      };
      return {
        entry,
        events: [entryEvent(request.actor, TABLE_ENTRY_TAG_REMOVED, entry.id, data, causeOf(request))],
      };
    });
  }

  /**
   * Assigns the entry to `memberId`, or to an active member of `groupId` picked by `strategy`. Assigning the
   * member it already has changes nothing and emits nothing.
   */
  assign(request: EntriesAssignCommand): Promise<TableEntry> {
    if ((request.memberId == null) === (request.groupId == null)) {
      throw invalid('memberId', 'give either memberId or groupId (with an optional strategy)');
    }
    if (request.memberId != null && request.strategy != null) {
      throw invalid('strategy', 'applies to groupId only');
    }
    return this.change(request, async (manager, current) => {
      const org = request.actor.organizationId;
      const memberId =
        request.memberId != null
          ? await this.activeMember(manager, org, request.memberId)
          : await this.pick(manager, org, request.groupId!, request.strategy ?? 'round_robin');
      if (memberId === current.assignedMemberId)
        return { entry: await this.reread(manager, current), events: [] };
      await this.contacts.assign(manager, org, current.id, memberId);
      const entry = await this.reread(manager, current);
      return {
        entry,
        events: [assignedEvent(request.actor, entry, current.assignedMemberId, causeOf(request))],
      };
    });
  }

  private async activeMember(manager: EntityManager, org: string, memberId: string): Promise<string> {
    if (!(await this.members.findActive(manager, org, memberId))) {
      throw invalid('memberId', 'is not an active member of this organization');
    }
    return memberId;
  }

  /**
   * An active member of the group. Round robin takes the group's turn under its row lock (held until
   * commit), so concurrent assignments each get the next member and share evenly.
   */
  private async pick(
    manager: EntityManager,
    org: string,
    groupId: string,
    strategy: AssignStrategy,
  ): Promise<string> {
    if (!(await this.groups.lock(manager, org, groupId))) {
      throw invalid('groupId', 'is not a member group of this organization');
    }
    const active = await this.members.activeInGroup(manager, org, groupId);
    if (active.length === 0) throw invalid('groupId', 'has no active member');
    const index =
      strategy === 'random'
        ? randomInt(active.length)
        : (await this.groups.takeTurn(manager, org, groupId)) % active.length;
    return active[index]!;
  }

  /**
   * The locked entry as committed now. `lockForChange` waits for a concurrent change of the entry, but its
   * `tags` come from the snapshot taken before that wait (READ COMMITTED), so they are read again in a new
   * statement.
   */
  private async reread(manager: EntityManager, locked: TableEntry): Promise<TableEntry> {
    return (await this.entries.find(locked.organizationId, locked.id, manager))!;
  }

  /**
   * One transaction: the entry locked, the idempotency key claimed (a repeat answers the entry as it is), then
   * `apply`, whose events are stored with the change and published after the commit.
   */
  private async change(
    request: EntryChangeCommand,
    apply: (manager: EntityManager, current: TableEntry) => Promise<Change>,
  ): Promise<TableEntry> {
    const org = request.actor.organizationId;
    const entry = await this.transaction(async (manager) => {
      const locked = await this.entries.lockForChange(manager, org, request.id, request.idempotencyKey);
      if (!locked) throw entryNotFound();
      const current = locked.entry;
      if (locked.repeat) return this.reread(manager, current);
      const change = await apply(manager, current);
      if (change.events.length > 0) await this.outbox.append(manager, change.events);
      return change.entry;
    });
    this.outbox.committed();
    return entry;
  }
}
