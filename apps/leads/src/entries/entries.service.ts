import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  assertEntryFits,
  assertReplyFits,
  assertWithinLimits,
  DomainError,
  TABLE_ENTRY_DELETED,
  type EntriesDeleteCommand,
  type TableEntryDeletedData,
  UNASSIGNED,
  budgetedPage,
  TABLE_ENTRY_ADDED,
  TABLE_ENTRY_DUPLICATE_DETECTED,
  TABLE_ENTRY_LEAD_STATE_CHANGED,
  TABLE_ENTRY_MILESTONE_REACHED,
  TABLE_ENTRY_UPDATED,
  type Actor,
  type CloudEvent,
  type EntriesCreateRequest,
  type EntriesDuplicatesCommand,
  type EntriesGetRequest,
  type EntriesListRequest,
  type EntriesUpdateRequest,
  type EntryData,
  type EntryValue,
  type FieldChange,
  type FieldError,
  type Milestone,
  type Page,
  type TableEntry,
  type TableEntryDuplicateDetectedData,
  type TableEntryLeadStateChangedData,
  type TableEntryMilestoneReachedData,
  type TableEntryUpdatedData,
} from '@rocketlead/contracts';
import type { Transactional } from '@rocketlead/persistence';
import { TRANSACTION } from '@rocketlead/persistence';
import { CustomFieldsRepository } from '../custom-fields/custom-fields.repository';
import { LeadStatesRepository } from '../lead-states/lead-states.repository';
import { MembersRepository } from '../members/members.repository';
import { TagsRepository } from '../tags/tags.repository';
import { PoolsRepository, type PoolRecord } from '../pools/pools.repository';
import { poolNotFound } from '../pools/pools.service';
import { leadStateNotFound } from '../lead-states/lead-states.service';
import { memberNotFound } from '../members/members.service';
import type { PoolEntity } from '../pools/pool.entity';
import { ServiceOutbox, type Statement } from '@rocketlead/messaging';
import { EntriesRepository, isIdempotencyConflict, type OrphanedDuplicate } from './entries.repository';
import { checkCustomFieldData, checkData, fitsSchema } from './schema-inference';
import { assertSchemaFits } from '../pools/schema-limits';
import { assignedEvent, causeOf, entryEvent, type Cause } from './entry-events';
import { dedupeKeysOf, duplicateOf, type Duplicate } from './dedupe-keys';
import { claimId, DedupeRepository, ownerId, type ClaimingInsert } from './dedupe.repository';
import { changesOf } from './entry-changes';
import { encodeCursor, clientCursor, GroupCommit, type CursorPosition } from '@rocketlead/persistence';

/** A validated entry with its events, waiting to be stored. */
interface PendingEntry {
  entry: TableEntry;
  idempotencyKey: string | null;
  events: CloudEvent[];
}

/** An entry stored with its dedupe keys or first milestone (a transaction), and who creates it. */
interface ClaimingEntry extends ClaimingInsert {
  actor: Actor;
  followedBy: (entry: TableEntry) => CloudEvent[];
}

/**
 * What another part of leads adds to an entry it creates: the entry's id (known before, so its own events
 * can name it) and events stored right after the entry's own, in the same commit (a form's `form.submitted`).
 */
export interface CreationExtras {
  id: string;
  /** Made once the entry's own events are, so their times keep that order too. */
  followedBy: (entry: TableEntry) => CloudEvent[];
}

/** Content limits of a lead's values, re-checked here: ingress is not the only possible sender. */
function checkEntryLimits(data: unknown, customFieldData: unknown): void {
  if (data !== undefined) assertWithinLimits(data, { path: 'data', depth: 2 });
  if (customFieldData !== undefined)
    assertWithinLimits(customFieldData, { path: 'customFieldData', depth: 2 });
}

/** `patch` over `current` with own properties only, so no key is mistaken for an inherited one. */
function merge(
  current: Record<string, EntryValue>,
  patch: Record<string, unknown> | undefined,
): Record<string, EntryValue> {
  const merged = new Map<string, EntryValue>(Object.entries(current));
  for (const [key, value] of Object.entries(patch ?? {})) merged.set(key, value as EntryValue);
  return Object.fromEntries(merged);
}

const validationFailed = (details: Record<string, unknown>): DomainError =>
  new DomainError('VALIDATION_FAILED', 'Validation failed', details);

export const entryNotFound = (): DomainError => new DomainError('NOT_FOUND', 'Table entry not found');

/** One page, newest first, from `limit + 1` rows (the extra one says another page exists). */
function page(rows: TableEntry[], limit: number): Page<TableEntry> {
  // Only an entry stored before the limits existed can be too large alone; it is named, not skipped.
  return budgetedPage(
    rows,
    limit,
    (row) => row,
    (row) => encodeCursor({ at: row.createdAt, id: row.id }),
    { what: 'A table entry', idKey: 'entryId' },
  );
}

@Injectable()
export class EntriesService {
  private readonly writer: GroupCommit<PendingEntry>;
  // Entries of pools with duplicate detection, or created in a state with a milestone: one transaction a group.
  private readonly claimingWriter: GroupCommit<ClaimingEntry, TableEntry>;

  constructor(
    private readonly entries: EntriesRepository,
    private readonly dedupe: DedupeRepository,
    private readonly pools: PoolsRepository,
    private readonly states: LeadStatesRepository,
    private readonly fields: CustomFieldsRepository,
    private readonly members: MembersRepository,
    private readonly tags: TagsRepository,
    private readonly outbox: ServiceOutbox,
    @Inject(TRANSACTION) private readonly transaction: Transactional,
  ) {
    const withEvents = (events: CloudEvent[]) => (change: Statement) => this.outbox.statement(change, events);
    this.writer = new GroupCommit<PendingEntry>({
      writeGroup: async (items: PendingEntry[]) => {
        await this.entries.insertManyWithEvents(items, withEvents(items.flatMap((item) => item.events)));
        return items.map(() => undefined);
      },
      writeOne: (item: PendingEntry) =>
        this.entries.insertWithEvents(undefined, item.entry, item.idempotencyKey, withEvents(item.events)),
      committed: () => this.outbox.committed(),
      // Measured with bench:ingest (docs/performance.md): 1 or 2 statements in flight beat 4.
      maxGroup: 64,
      maxInFlight: 2,
    });
    this.claimingWriter = new GroupCommit<ClaimingEntry, TableEntry>({
      writeGroup: (items) => this.transaction((manager) => this.writeClaiming(manager, items)),
      writeOne: async (item) =>
        (await this.transaction((manager) => this.writeClaiming(manager, [item])))[0]!,
      committed: () => this.outbox.committed(),
      maxGroup: 64,
      maxInFlight: 2,
    });
  }

  async create(request: EntriesCreateRequest, extras?: CreationExtras): Promise<TableEntry> {
    checkEntryLimits(request.data, request.customFieldData);
    assertEntryFits(request.data, request.customFieldData);
    const { actor, idempotencyKey } = request;
    if (idempotencyKey) {
      const existing = await this.entries.findByIdempotencyKey(actor.organizationId, idempotencyKey);
      if (existing) return existing;
    }
    try {
      return await this.createOnce(request, extras);
    } catch (error) {
      // A concurrent request with the same key won the race: answer with its entry.
      if (idempotencyKey && isIdempotencyConflict(error)) {
        const existing = await this.entries.findByIdempotencyKey(actor.organizationId, idempotencyKey);
        if (existing) return existing;
      }
      throw error;
    }
  }

  /**
   * Locked types never change and keys are never removed, so an entry whose keys are all known is checked
   * without a lock and stored with its events in one statement. Only new keys take the pool lock.
   */
  private async createOnce(request: EntriesCreateRequest, extras?: CreationExtras): Promise<TableEntry> {
    const pool = await this.pools.findCached(request.actor.organizationId, request.tableId);
    if (!pool) throw poolNotFound();
    const check = this.checkEntryData(pool, request.data, request.schemaMode);
    if (Object.keys(check.newKeys).length > 0) {
      // Refused before taking the lock when the schema is already too full; checked again under it.
      assertSchemaFits(pool.tableSchema, check.newKeys, 'data');
      const entry = await this.transaction((manager) => this.createLockingSchema(manager, request, extras));
      this.outbox.committed();
      return entry;
    }
    return this.insert(undefined, pool, request, extras);
  }

  private async createLockingSchema(
    manager: EntityManager,
    request: EntriesCreateRequest,
    extras?: CreationExtras,
  ): Promise<TableEntry> {
    // Re-read under the pool lock so concurrent first writers of a key cannot disagree on its type.
    const pool = await this.pools.lock(manager, request.actor.organizationId, request.tableId);
    if (!pool) throw poolNotFound();
    const check = this.checkEntryData(pool, request.data, request.schemaMode);
    if (Object.keys(check.newKeys).length > 0) {
      // The request that would grow the schema past its limits is refused and adds nothing.
      assertSchemaFits(pool.tableSchema, check.newKeys, 'data');
      await this.pools.extendSchema(manager, pool.organizationId, pool.id, check.newKeys);
    }
    return this.insert(manager, pool, request, extras);
  }

  private async insert(
    manager: EntityManager | undefined,
    pool: PoolRecord,
    request: EntriesCreateRequest,
    extras?: CreationExtras,
  ): Promise<TableEntry> {
    const { actor } = request;
    const customFieldData = request.customFieldData ?? {};
    await this.checkCustomFields(manager, actor.organizationId, customFieldData);
    const state = await this.resolveLeadState(manager, pool, request.leadStateId);
    const entry = this.entries.build({
      organizationId: actor.organizationId,
      tableId: pool.id,
      data: request.data as EntryData,
      customFieldData: customFieldData as Record<string, EntryValue>,
      leadStateId: state.id,
      ...(extras ? { id: extras.id } : {}),
    });
    const followedBy = extras?.followedBy ?? (() => []);
    const idempotencyKey = request.idempotencyKey ?? null;
    const keys = pool.dedupe ? dedupeKeysOf(pool.dedupe, entry.data) : [];
    if (keys.length > 0 || state.milestone) {
      const item: ClaimingEntry = {
        entry,
        idempotencyKey,
        keys,
        milestone: state.milestone,
        actor,
        followedBy,
      };
      if (!manager) return this.claimingWriter.write(item);
      return (await this.writeClaiming(manager, [item]))[0]!;
    }
    const own = this.creationEvents(actor, entry, null, null);
    const events = [...own, ...followedBy(entry)];
    if (!manager) {
      // Outside a transaction: written with the entries of concurrent requests, one commit for all.
      await this.writer.write({ entry, idempotencyKey, events });
      return entry;
    }
    await this.entries.insertWithEvents(manager, entry, idempotencyKey, (change) =>
      this.outbox.statement(change, events),
    );
    return entry;
  }

  /**
   * Stores entries with their dedupe key claims and first milestones in `manager`'s transaction (race-free
   * duplicate detection: see DedupeRepository.insertClaiming). An entry that could not claim a key is a
   * duplicate of the earliest entry holding one (`duplicateOf`); its `duplicateOfId` is set in the statement
   * that writes the events. Events of each entry, in order: duplicate.detected (duplicates only), added,
   * leadState.changed from null, milestone.reached (a state with a milestone).
   */
  private async writeClaiming(manager: EntityManager, items: ClaimingEntry[]): Promise<TableEntry[]> {
    const claimed = await this.dedupe.insertClaiming(manager, items);
    const unclaimed = items.flatMap(({ entry, keys }) =>
      keys
        .filter((k) => !claimed.has(claimId(entry.id, k.key)))
        .map((k) => ({ ...k, organizationId: entry.organizationId, tableId: entry.tableId })),
    );
    const owners = unclaimed.length > 0 ? await this.dedupe.owners(manager, unclaimed) : undefined;
    const events: CloudEvent[] = [];
    const duplicates: { organizationId: string; id: string; duplicateOfId: string }[] = [];
    const stored = items.map((item) => {
      const duplicate = owners
        ? duplicateOf(item.entry.id, item.keys, (k) =>
            owners.get(ownerId(item.entry.tableId, k.key, k.value)),
          )
        : null;
      const entry = duplicate ? { ...item.entry, duplicateOfId: duplicate.duplicateOfId } : item.entry;
      if (duplicate)
        duplicates.push({
          organizationId: entry.organizationId,
          id: entry.id,
          duplicateOfId: duplicate.duplicateOfId,
        });
      events.push(...this.creationEvents(item.actor, entry, duplicate, item.milestone));
      events.push(...item.followedBy(entry));
      return entry;
    });
    if (duplicates.length > 0) {
      await this.dedupe.markDuplicates(manager, duplicates, (change) =>
        this.outbox.statement(change, events),
      );
    } else {
      await this.outbox.append(manager, events);
    }
    return stored;
  }

  /** A new entry's events, in the order they are stored and published. */
  private creationEvents(
    actor: Actor,
    entry: TableEntry,
    duplicate: Duplicate | null,
    milestone: Milestone | null,
  ): CloudEvent[] {
    const events: CloudEvent[] = [];
    if (duplicate) {
      events.push(
        this.event<TableEntryDuplicateDetectedData>(actor, TABLE_ENTRY_DUPLICATE_DETECTED, entry.id, {
          entryId: entry.id,
          tableId: entry.tableId,
          duplicateOfId: duplicate.duplicateOfId,
          matchedOn: duplicate.matchedOn,
        }),
      );
    }
    events.push(this.event(actor, TABLE_ENTRY_ADDED, entry.id, entry), this.stateChanged(actor, entry, null));
    if (milestone) events.push(this.milestoneReached(actor, entry, milestone));
    return events;
  }

  async get(request: EntriesGetRequest): Promise<TableEntry> {
    const entry = await this.entries.find(request.organizationId, request.id);
    if (!entry) throw entryNotFound();
    return assertReplyFits(entry, 'The table entry');
  }

  async list(request: EntriesListRequest): Promise<Page<TableEntry>> {
    const org = request.organizationId;
    if (request.tableId && !(await this.pools.find(org, request.tableId))) throw poolNotFound();
    if (request.tagId && !(await this.tags.find(org, request.tagId)))
      throw new DomainError('NOT_FOUND', 'Tag not found');
    if (request.leadStateId && !(await this.states.find(org, request.leadStateId))) throw leadStateNotFound();
    const unassigned = request.assignedMemberId?.toLowerCase() === UNASSIGNED;
    if (request.assignedMemberId && !unassigned && !(await this.members.find(org, request.assignedMemberId)))
      throw memberNotFound();
    const after = clientCursor(request.cursor || undefined);
    // One extra row tells whether another page exists.
    const rows = await this.entries.list(
      org,
      {
        tableId: request.tableId,
        tagId: request.tagId,
        leadStateId: request.leadStateId,
        assignedMemberId: unassigned ? null : request.assignedMemberId,
      },
      request.limit + 1,
      after,
    );
    return page(rows, request.limit);
  }

  /**
   * The entries linked to one by duplicate detection, newest first: its duplicates (duplicateOfId = id) and,
   * when it is a duplicate itself, the original it points to (older than it, so on the last page).
   */
  async duplicates(request: EntriesDuplicatesCommand): Promise<Page<TableEntry>> {
    const entry = await this.entries.find(request.organizationId, request.id);
    if (!entry) throw entryNotFound();
    const after: CursorPosition | undefined = clientCursor(request.cursor || undefined);
    const rows = await this.entries.linked(
      request.organizationId,
      entry.id,
      entry.duplicateOfId,
      request.limit + 1,
      after,
    );
    return page(rows, request.limit);
  }

  /**
   * Changes an entry's state, assignee, data or custom fields in one transaction. Its events, in this order:
   * leadState.changed, milestone.reached (the first time the entry enters a state with that milestone),
   * updated (data or custom field values that changed), assigned. A patch that changes nothing writes and
   * emits nothing.
   */
  async update(request: EntriesUpdateRequest): Promise<TableEntry> {
    if (
      request.leadStateId === undefined &&
      request.assignedMemberId === undefined &&
      request.data === undefined &&
      request.customFieldData === undefined
    ) {
      throw validationFailed({
        errors: [
          {
            field: '(body)',
            message: 'must contain at least one of leadStateId, assignedMemberId, data, customFieldData',
          },
        ],
      });
    }
    const updated =
      (await this.updateOptimistically(request)) ??
      (await this.transaction((manager) => this.updateIn(manager, request)));
    this.outbox.committed();
    return updated;
  }

  /**
   * Deletes the lead (see `EntriesRepository.delete`) and emits `table.entry.deleted`; answers it as it was.
   * Other services keep their own records of it (runs, timeline, deliveries, bookings).
   */
  async delete(request: EntriesDeleteCommand): Promise<TableEntry> {
    const { actor } = request;
    const deleted = await this.transaction(async (manager) => {
      const removed = await this.entries.delete(manager, actor.organizationId, request.id);
      if (!removed) throw entryNotFound();
      const { entry, orphans } = removed;
      await this.placeOrphans(manager, orphans);
      const data: TableEntryDeletedData = { entryId: entry.id, tableId: entry.tableId };
      await this.outbox.append(manager, [entryEvent(actor, TABLE_ENTRY_DELETED, entry.id, data)]);
      return entry;
    });
    this.outbox.committed();
    return deleted;
  }

  /**
   * The former duplicates of a deleted original, oldest first, find their place again as if they had just
   * arrived: the first of them holding a value claims it and is an original; a later one sharing a claimed
   * value is a duplicate of that value's holder. So one of several identical contacts stays the original.
   */
  private async placeOrphans(manager: EntityManager, orphans: OrphanedDuplicate[]): Promise<void> {
    const first = orphans[0];
    if (!first) return;
    const pool = await this.pools.find(first.organizationId, first.tableId, manager);
    if (!pool?.dedupe) return;
    // Claims are made as each one is placed (a later one may find an earlier one's); links are written at the end.
    const duplicates: { organizationId: string; id: string; duplicateOfId: string }[] = [];
    for (const orphan of orphans) {
      const keys = dedupeKeysOf(pool.dedupe, orphan.data);
      const owners = await this.dedupe.owners(
        manager,
        keys.map((k) => ({ ...k, organizationId: orphan.organizationId, tableId: orphan.tableId })),
      );
      const duplicate = duplicateOf(orphan.id, keys, (k) =>
        owners.get(ownerId(orphan.tableId, k.key, k.value)),
      );
      if (duplicate) duplicates.push({ ...orphan, duplicateOfId: duplicate.duplicateOfId });
      else await this.dedupe.claim(manager, orphan, keys);
    }
    // All the links in one statement; re-pointing a duplicate emits no event.
    if (duplicates.length > 0) await this.dedupe.markDuplicates(manager, duplicates, (change) => change);
  }

  /**
   * The most common update (automation steps that set data, a PATCH of data) in two round trips instead of a
   * transaction's four: the entry is read, then its data, the idempotency key and the event are written in
   * one statement that applies only if the data is still as read. Undefined when the update needs more (new
   * keys, other fields, a dedupe key, no change to write) or lost a race: `updateIn` then does it under a lock.
   */
  private async updateOptimistically(request: EntriesUpdateRequest): Promise<TableEntry | undefined> {
    const { actor, data } = request;
    if (
      !data ||
      request.customFieldData !== undefined ||
      request.leadStateId !== undefined ||
      request.assignedMemberId !== undefined
    )
      return undefined;
    checkEntryLimits(data, undefined);
    const current = await this.entries.find(actor.organizationId, request.id);
    if (!current) return undefined;
    const pool = await this.pools.findCached(actor.organizationId, current.tableId);
    if (!pool || !fitsSchema(pool.tableSchema, data)) return undefined;
    // No change still records the key (under the lock): a retried step must not apply after a later edit.
    const changes = changesOf(current, { data });
    if (Object.keys(changes).length === 0) return undefined;
    const next = { ...current, data: merge(current.data, data) };
    if (pool.dedupe && dedupeKeysOf(pool.dedupe, next.data).some((k) => Object.hasOwn(changes, k.key)))
      return undefined;
    assertEntryFits(next.data, next.customFieldData);
    const event = this.updatedEvent(actor, next, changes, causeOf(request));
    const written = await this.entries.updateDataIfUnchanged(
      current,
      next,
      request.idempotencyKey || null,
      (change) => this.outbox.statement(change, [event], { onlyIfChanged: true }),
    );
    return typeof written === 'string' ? undefined : written;
  }

  /**
   * `update` in the caller's transaction (a verified form submission claims its token in the same one); the
   * caller calls `ServiceOutbox.committed` after its commit.
   */
  async updateIn(manager: EntityManager, request: EntriesUpdateRequest): Promise<TableEntry> {
    const { actor } = request;
    const org = actor.organizationId;
    checkEntryLimits(request.data, request.customFieldData);
    const mode = request.schemaMode ?? 'strict';
    const cause = causeOf(request);
    const locked = await this.entries.lockForChange(manager, org, request.id, request.idempotencyKey);
    if (!locked) throw entryNotFound();
    const current = locked.entry;
    // A repeat of an applied key (a retried automation step) changes nothing and answers the entry as is.
    if (locked.repeat) return current;
    const pool = await this.poolForUpdate(manager, org, current.tableId, request.data, mode);
    if (request.customFieldData) await this.checkCustomFields(manager, org, request.customFieldData);
    let milestone: Milestone | null = null;
    if (request.leadStateId && request.leadStateId !== current.leadStateId) {
      milestone = (await this.resolveLeadState(manager, pool, request.leadStateId)).milestone;
    }
    const assignedMemberId =
      request.assignedMemberId !== undefined ? request.assignedMemberId : current.assignedMemberId;
    if (assignedMemberId !== current.assignedMemberId && assignedMemberId !== null) {
      if (!(await this.members.findActive(manager, org, assignedMemberId))) {
        throw validationFailed({
          errors: [{ field: 'assignedMemberId', message: 'is not an active member of this organization' }],
        });
      }
    }
    const changes = changesOf(current, request);
    const leadStateId = request.leadStateId ?? current.leadStateId;
    if (
      Object.keys(changes).length === 0 &&
      leadStateId === current.leadStateId &&
      assignedMemberId === current.assignedMemberId
    )
      return current;
    const data = merge(current.data, request.data);
    const customFieldData = merge(current.customFieldData, request.customFieldData);
    // The merged entry is what is stored and sent: it must fit, or nothing changes.
    assertEntryFits(data, customFieldData);
    const next = { ...current, data, customFieldData, leadStateId, assignedMemberId };
    const events: CloudEvent[] = [];
    if (leadStateId !== current.leadStateId) {
      events.push(this.stateChanged(actor, next, current.leadStateId, cause));
      // Once per entry and milestone, ever: only the first entry into such a state records it.
      if (milestone && (await this.entries.reachMilestone(manager, next, milestone)))
        events.push(this.milestoneReached(actor, next, milestone, cause));
    }
    if (Object.keys(changes).length > 0) events.push(this.updatedEvent(actor, next, changes, cause));
    if (assignedMemberId !== current.assignedMemberId)
      events.push(assignedEvent(actor, next, current.assignedMemberId, cause));
    // The row and its events in one statement (there is at least one event: something changed).
    const updated = await this.entries.update(manager, next, (change) =>
      this.outbox.statement(change, events),
    );
    // A changed email or phone identifies the contact from now on (if no earlier entry has it); the entry's
    // own duplicate link is decided once, on arrival.
    if (pool.dedupe && request.data && Object.keys(changes).length > 0) {
      const changedKeys = new Set(Object.keys(changes));
      const keys = dedupeKeysOf(pool.dedupe, updated.data).filter((k) => changedKeys.has(k.key));
      await this.dedupe.claim(manager, updated, keys);
    }
    return updated;
  }

  /**
   * The entry's pool for an update, its schema grown by the update's new data keys. The cached copy serves
   * when the data fits it as it is (a stale copy can only miss keys, see `PoolsRepository`); new keys, or data
   * the copy refuses, are decided on the pool as stored, locked when its schema grows.
   */
  private async poolForUpdate(
    manager: EntityManager,
    org: string,
    tableId: string,
    data: Record<string, unknown> | undefined,
    mode: 'infer' | 'strict',
  ): Promise<PoolRecord> {
    const cached = await this.pools.findCached(org, tableId, manager);
    if (cached && (!data || fitsSchema(cached.tableSchema, data))) return cached;
    let pool = (await this.pools.find(org, tableId, manager))!;
    if (!data) return pool;
    const check = this.checkEntryData(pool, data, mode);
    if (Object.keys(check.newKeys).length === 0) return pool;
    // New keys (infer mode): lock the pool and check again, as entry creation does.
    pool = (await this.pools.lock(manager, org, tableId))!;
    const lockedCheck = this.checkEntryData(pool, data, mode);
    if (Object.keys(lockedCheck.newKeys).length > 0) {
      assertSchemaFits(pool.tableSchema, lockedCheck.newKeys, 'data');
      await this.pools.extendSchema(manager, org, pool.id, lockedCheck.newKeys);
    }
    return pool;
  }

  private checkEntryData(pool: PoolEntity, data: Record<string, unknown>, mode: 'infer' | 'strict') {
    const check = checkData(pool.tableSchema, data);
    const errors: FieldError[] = [...check.invalid];
    if (mode === 'strict') {
      for (const key of check.unknownKeys)
        errors.push({ field: `data.${key}`, message: 'is not in the lead pool schema' });
    }
    if (check.typeErrors.length || errors.length) {
      throw validationFailed({
        ...(check.typeErrors.length ? { typeErrors: check.typeErrors } : {}),
        ...(errors.length ? { errors } : {}),
      });
    }
    return check;
  }

  private async checkCustomFields(
    manager: EntityManager | undefined,
    org: string,
    values: Record<string, unknown>,
  ): Promise<void> {
    const ids = Object.keys(values);
    if (ids.length === 0) return;
    const errors = checkCustomFieldData(await this.fields.typesOf(org, ids, manager), values);
    if (errors.length) throw validationFailed({ errors });
  }

  /** The entry's lead state (the pool's default when none is requested) and its milestone. */
  private async resolveLeadState(
    manager: EntityManager | undefined,
    pool: PoolRecord,
    requested?: string,
  ): Promise<{ id: string; milestone: Milestone | null }> {
    if (requested === undefined) {
      if (!pool.defaultLeadStateId) throw new DomainError('NO_DEFAULT_LEAD_STATE', 'No default lead state');
      return { id: pool.defaultLeadStateId, milestone: pool.defaultMilestone };
    }
    const state = await this.states.findInPool(pool.organizationId, pool.id, requested, manager);
    if (!state) {
      throw validationFailed({
        errors: [{ field: 'leadStateId', message: 'is not a lead state of this lead pool' }],
      });
    }
    return { id: state.id, milestone: state.milestone ?? null };
  }

  private stateChanged(
    actor: Actor,
    entry: TableEntry,
    from: string | null,
    cause?: Cause,
  ): CloudEvent<TableEntryLeadStateChangedData> {
    return this.event(
      actor,
      TABLE_ENTRY_LEAD_STATE_CHANGED,
      entry.id,
      { entryId: entry.id, tableId: entry.tableId, from, to: entry.leadStateId },
      cause,
    );
  }

  private milestoneReached(
    actor: Actor,
    entry: TableEntry,
    milestone: Milestone,
    cause?: Cause,
  ): CloudEvent<TableEntryMilestoneReachedData> {
    return this.event(
      actor,
      TABLE_ENTRY_MILESTONE_REACHED,
      entry.id,
      { entryId: entry.id, tableId: entry.tableId, milestone, leadStateId: entry.leadStateId },
      cause,
    );
  }

  private updatedEvent(
    actor: Actor,
    entry: TableEntry,
    changes: Record<string, FieldChange>,
    cause: Cause,
  ): CloudEvent<TableEntryUpdatedData> {
    return this.event(
      actor,
      TABLE_ENTRY_UPDATED,
      entry.id,
      { entryId: entry.id, tableId: entry.tableId, changes },
      cause,
    );
  }

  private event<T>(actor: Actor, type: string, subject: string, data: T, cause?: Cause): CloudEvent<T> {
    return entryEvent(actor, type, subject, data, cause);
  }
}
