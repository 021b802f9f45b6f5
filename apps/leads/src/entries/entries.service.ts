import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  assertEntryFits,
  assertReplyFits,
  assertWithinLimits,
  DomainError,
  MAX_REPLY_BYTES,
  withinPageBudget,
  TABLE_ENTRY_ADDED,
  TABLE_ENTRY_LEAD_STATE_CHANGED,
  type Actor,
  type CloudEvent,
  type EntriesCreateRequest,
  type EntriesGetRequest,
  type EntriesListRequest,
  type EntriesUpdateRequest,
  type EntryData,
  type EntryValue,
  type FieldError,
  type Page,
  type TableEntry,
  type TableEntryLeadStateChangedData,
} from '@rocketlead/contracts';
import type { Transactional } from '@rocketlead/persistence';
import { TRANSACTION } from '@rocketlead/persistence';
import { CustomFieldsRepository } from '../custom-fields/custom-fields.repository';
import { LeadStatesRepository } from '../lead-states/lead-states.repository';
import { PoolsRepository } from '../pools/pools.repository';
import { poolNotFound } from '../pools/pools.service';
import type { PoolEntity } from '../pools/pool.entity';
import { ServiceOutbox, type Statement } from '@rocketlead/messaging';
import { encodeCursor, parseCursor } from './cursor';
import { EntriesRepository, isIdempotencyConflict } from './entries.repository';
import { checkCustomFieldData, checkData } from './schema-inference';
import { EntryGroupWriter, type PendingEntry } from './entry-group-writer';
import { assertSchemaFits } from '../pools/schema-limits';
import { causeOf, entryEvent, type Cause } from './entry-events';

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

@Injectable()
export class EntriesService {
  private readonly writer: EntryGroupWriter;

  constructor(
    private readonly entries: EntriesRepository,
    private readonly pools: PoolsRepository,
    private readonly states: LeadStatesRepository,
    private readonly fields: CustomFieldsRepository,
    private readonly outbox: ServiceOutbox,
    @Inject(TRANSACTION) private readonly transaction: Transactional,
  ) {
    const withEvents = (events: CloudEvent[]) => (change: Statement) => this.outbox.statement(change, events);
    this.writer = new EntryGroupWriter({
      writeGroup: (items: PendingEntry[]) =>
        this.entries.insertManyWithEvents(items, withEvents(items.flatMap((item) => item.events))),
      writeOne: (item: PendingEntry) =>
        this.entries.insertWithEvents(undefined, item.entry, item.idempotencyKey, withEvents(item.events)),
      committed: () => this.outbox.committed(),
      // Measured with bench:ingest (docs/performance.md): 1 or 2 statements in flight beat 4.
      maxGroup: 64,
      maxInFlight: 2,
    });
  }

  async create(request: EntriesCreateRequest): Promise<TableEntry> {
    checkEntryLimits(request.data, request.customFieldData);
    assertEntryFits(request.data, request.customFieldData);
    const { actor, idempotencyKey } = request;
    if (idempotencyKey) {
      const existing = await this.entries.findByIdempotencyKey(actor.organizationId, idempotencyKey);
      if (existing) return existing;
    }
    try {
      return await this.createOnce(request);
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
  private async createOnce(request: EntriesCreateRequest): Promise<TableEntry> {
    const pool = await this.pools.findCached(request.actor.organizationId, request.tableId);
    if (!pool) throw poolNotFound();
    const check = this.checkEntryData(pool, request.data, request.schemaMode);
    if (Object.keys(check.newKeys).length > 0) {
      // Refused before taking the lock when the schema is already too full; checked again under it.
      assertSchemaFits(pool.tableSchema, check.newKeys, 'data');
      const entry = await this.transaction((manager) => this.createLockingSchema(manager, request));
      this.outbox.committed();
      return entry;
    }
    return this.insert(undefined, pool, request);
  }

  private async createLockingSchema(
    manager: EntityManager,
    request: EntriesCreateRequest,
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
    return this.insert(manager, pool, request);
  }

  private async insert(
    manager: EntityManager | undefined,
    pool: PoolEntity,
    request: EntriesCreateRequest,
  ): Promise<TableEntry> {
    const { actor } = request;
    const customFieldData = request.customFieldData ?? {};
    await this.checkCustomFields(manager, actor.organizationId, customFieldData);
    const leadStateId = await this.resolveLeadState(manager, pool, request.leadStateId);
    const entry = this.entries.build({
      organizationId: actor.organizationId,
      tableId: pool.id,
      data: request.data as EntryData,
      customFieldData: customFieldData as Record<string, EntryValue>,
      leadStateId,
    });
    const events = [
      this.event(actor, TABLE_ENTRY_ADDED, entry.id, entry),
      this.stateChanged(actor, entry, null),
    ];
    const idempotencyKey = request.idempotencyKey ?? null;
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

  async get(request: EntriesGetRequest): Promise<TableEntry> {
    const entry = await this.entries.find(request.organizationId, request.id);
    if (!entry) throw entryNotFound();
    return assertReplyFits(entry, 'The table entry');
  }

  async list(request: EntriesListRequest): Promise<Page<TableEntry>> {
    if (request.tableId && !(await this.pools.find(request.organizationId, request.tableId)))
      throw poolNotFound();
    const after = request.cursor ? parseCursor(request.cursor) : undefined;
    // One extra row tells whether another page exists.
    const rows = await this.entries.list(request.organizationId, request.tableId, request.limit + 1, after);
    // Only an entry stored before the limits existed can be too large alone; it is named, not skipped.
    const items = withinPageBudget(
      rows.slice(0, request.limit),
      (row, bytes) =>
        new DomainError('REPLY_TOO_LARGE', 'A table entry on this page is too large to return', {
          entryId: row.id,
          bytes,
          limit: MAX_REPLY_BYTES,
        }),
    );
    const last = items[items.length - 1];
    return {
      items,
      nextCursor:
        rows.length > items.length && last ? encodeCursor({ at: last.createdAt, id: last.id }) : null,
    };
  }

  async update(request: EntriesUpdateRequest): Promise<TableEntry> {
    const { actor } = request;
    const org = actor.organizationId;
    if (
      request.leadStateId === undefined &&
      request.data === undefined &&
      request.customFieldData === undefined
    ) {
      throw validationFailed({
        errors: [
          { field: '(body)', message: 'must contain at least one of leadStateId, data, customFieldData' },
        ],
      });
    }
    checkEntryLimits(request.data, request.customFieldData);
    const mode = request.schemaMode ?? 'strict';
    const cause = causeOf(request);
    const updated = await this.transaction(async (manager) => {
      const current = await this.entries.lock(manager, org, request.id);
      if (!current) throw entryNotFound();
      // A repeat of an applied key (a retried automation step) changes nothing and answers the entry as is.
      if (
        request.idempotencyKey &&
        !(await this.entries.claimUpdateKey(manager, org, request.idempotencyKey, current.id))
      )
        return current;
      let pool = (await this.pools.find(org, current.tableId, manager))!;
      if (request.data) {
        const check = this.checkEntryData(pool, request.data, mode);
        if (Object.keys(check.newKeys).length > 0) {
          // New keys (infer mode): lock the pool and check again, as entry creation does.
          pool = (await this.pools.lock(manager, org, current.tableId))!;
          const locked = this.checkEntryData(pool, request.data, mode);
          if (Object.keys(locked.newKeys).length > 0) {
            assertSchemaFits(pool.tableSchema, locked.newKeys, 'data');
            await this.pools.extendSchema(manager, org, pool.id, locked.newKeys);
          }
        }
      }
      if (request.customFieldData) await this.checkCustomFields(manager, org, request.customFieldData);
      if (request.leadStateId && request.leadStateId !== current.leadStateId) {
        await this.resolveLeadState(manager, pool, request.leadStateId);
      }
      const data = merge(current.data, request.data);
      const customFieldData = merge(current.customFieldData, request.customFieldData);
      // The merged entry is what is stored and sent: it must fit, or nothing changes.
      assertEntryFits(data, customFieldData);
      const updated = await this.entries.update(manager, org, current.id, {
        data,
        customFieldData,
        leadStateId: request.leadStateId ?? current.leadStateId,
      });
      if (updated.leadStateId !== current.leadStateId) {
        await this.outbox.append(manager, [this.stateChanged(actor, updated, current.leadStateId, cause)]);
      }
      return updated;
    });
    this.outbox.committed();
    return updated;
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

  private async resolveLeadState(
    manager: EntityManager | undefined,
    pool: PoolEntity,
    requested?: string,
  ): Promise<string> {
    if (requested === undefined) {
      if (!pool.defaultLeadStateId) throw new DomainError('NO_DEFAULT_LEAD_STATE', 'No default lead state');
      return pool.defaultLeadStateId;
    }
    if (!(await this.states.findInPool(pool.organizationId, pool.id, requested, manager))) {
      throw validationFailed({
        errors: [{ field: 'leadStateId', message: 'is not a lead state of this lead pool' }],
      });
    }
    return requested;
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

  private event<T>(actor: Actor, type: string, subject: string, data: T, cause?: Cause): CloudEvent<T> {
    return entryEvent(actor, type, subject, data, cause);
  }
}
