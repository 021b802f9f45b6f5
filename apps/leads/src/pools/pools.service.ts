import { Inject, Injectable } from '@nestjs/common';
import { isSupportedCountry } from 'libphonenumber-js';
import {
  assertReplyFits,
  assertWithinLimits,
  DomainError,
  type DedupeConfig,
  type FieldError,
  type LeadPool,
  type PoolsCreateRequest,
  type PoolsGetRequest,
  type PoolsListRequest,
  type Page,
  budgetedPage,
  type PoolsUpdateRequest,
} from '@rocketlead/contracts';
import { clientCursor, encodeCursor, TRANSACTION, type Transactional } from '@rocketlead/persistence';
import type { EntityManager } from 'typeorm';
import { LeadStatesRepository } from '../lead-states/lead-states.repository';
import { BirthdayTimers } from '../birthdays/birthday-timers';
import { schemaConflicts } from '../entries/schema-inference';
import { PoolsRepository, toLeadPool } from './pools.repository';
import { assertSchemaFits } from './schema-limits';

export const poolNotFound = (): DomainError => new DomainError('NOT_FOUND', 'Lead pool not found');

/** The stored form of a pool's `dedupe` (null: off), refused with a 400 naming the field at fault. */
export function dedupeConfig(body: PoolsUpdateRequest['dedupe']): DedupeConfig | null {
  if (!body) return null;
  const errors: FieldError[] = [];
  if (new Set(body.keys).size !== body.keys.length)
    errors.push({ field: 'dedupe.keys', message: 'must not name a key twice' });
  const phoneRegion = body.phoneRegion ?? null;
  if (phoneRegion !== null && !isSupportedCountry(phoneRegion))
    errors.push({ field: 'dedupe.phoneRegion', message: 'is not a region with known phone numbers' });
  if (errors.length) throw new DomainError('VALIDATION_FAILED', 'Validation failed', { errors });
  return { keys: [...body.keys], phoneRegion };
}

@Injectable()
export class PoolsService {
  constructor(
    private readonly pools: PoolsRepository,
    private readonly states: LeadStatesRepository,
    private readonly birthdayTimers: BirthdayTimers,
    @Inject(TRANSACTION) private readonly transaction: Transactional,
  ) {}

  /** A new pool, with the settings given (schema, dedupe, birthday field) applied in the same transaction. */
  async create(request: PoolsCreateRequest): Promise<LeadPool> {
    const { organizationId, name, ...settings } = request;
    assertWithinLimits(name, { path: 'name' });
    if (Object.values(settings).every((value) => value === undefined))
      return toLeadPool(await this.pools.insert(organizationId, name));
    return this.transaction(async (manager) => {
      const pool = await this.pools.insert(organizationId, name, manager);
      return this.updateIn(manager, { organizationId, id: pool.id, ...settings });
    });
  }

  async get(request: PoolsGetRequest): Promise<LeadPool> {
    const pool = await this.pools.find(request.organizationId, request.id);
    if (!pool) throw poolNotFound();
    return assertReplyFits(toLeadPool(pool), 'The lead pool');
  }

  async list(request: PoolsListRequest): Promise<Page<LeadPool>> {
    const after = clientCursor(request.cursor || undefined);
    // One extra row tells whether another page exists.
    const rows = await this.pools.list(request.organizationId, request.limit + 1, after);
    // Pools with large schemas would not fit 100 to a reply: the page ends earlier then.
    return budgetedPage(
      rows,
      request.limit,
      (row) => row.pool,
      (row) => encodeCursor(row.position),
      { what: 'A lead pool', idKey: 'poolId' },
    );
  }

  update(request: PoolsUpdateRequest): Promise<LeadPool> {
    return this.transaction((manager) => this.updateIn(manager, request));
  }

  private async updateIn(manager: EntityManager, request: PoolsUpdateRequest): Promise<LeadPool> {
    const { organizationId, id } = request;
    if (request.name !== undefined) assertWithinLimits(request.name, { path: 'name' });
    if (request.tableSchema) assertWithinLimits(request.tableSchema, { path: 'tableSchema', depth: 2 });
    const dedupe = request.dedupe !== undefined ? dedupeConfig(request.dedupe) : undefined;
    const pool = await this.pools.lock(manager, organizationId, id);
    if (!pool) throw poolNotFound();
    let tableSchema: LeadPool['tableSchema'] | undefined;
    if (request.tableSchema) {
      const typeErrors = schemaConflicts(pool.tableSchema, request.tableSchema);
      if (typeErrors.length) throw new DomainError('VALIDATION_FAILED', 'Validation failed', { typeErrors });
      // Keys are only added: the locked keys keep their types and stay in the schema.
      tableSchema = assertSchemaFits(pool.tableSchema, request.tableSchema, 'tableSchema');
    }
    if (request.defaultLeadStateId) {
      const state = await this.states.findInPool(organizationId, id, request.defaultLeadStateId, manager);
      if (!state) {
        throw new DomainError('VALIDATION_FAILED', 'Validation failed', {
          errors: [{ field: 'defaultLeadStateId', message: 'is not a lead state of this lead pool' }],
        });
      }
    }
    const updated = await this.pools.update(manager, pool, {
      ...(request.name !== undefined ? { name: request.name } : {}),
      ...(request.defaultLeadStateId !== undefined ? { defaultLeadStateId: request.defaultLeadStateId } : {}),
      ...(tableSchema ? { tableSchema } : {}),
      ...(dedupe !== undefined ? { dedupe } : {}),
      ...(request.birthdayField !== undefined ? { birthdayField: request.birthdayField } : {}),
    });
    // The organization's daily sweep exists while some pool has a birthday field.
    if (request.birthdayField !== undefined) await this.birthdayTimers.sync(manager, organizationId);
    return toLeadPool(updated);
  }
}
