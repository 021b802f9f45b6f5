import { Inject, Injectable } from '@nestjs/common';
import {
  assertReplyFits,
  assertWithinLimits,
  DomainError,
  type LeadPool,
  type PoolsCreateRequest,
  type PoolsGetRequest,
  type PoolsUpdateRequest,
} from '@rocketlead/contracts';
import type { Transactional } from '@rocketlead/persistence';
import { TRANSACTION } from '@rocketlead/persistence';
import { LeadStatesRepository } from '../lead-states/lead-states.repository';
import { schemaConflicts } from '../entries/schema-inference';
import { PoolsRepository, toLeadPool } from './pools.repository';
import { assertSchemaFits } from './schema-limits';

export const poolNotFound = (): DomainError => new DomainError('NOT_FOUND', 'Lead pool not found');

@Injectable()
export class PoolsService {
  constructor(
    private readonly pools: PoolsRepository,
    private readonly states: LeadStatesRepository,
    @Inject(TRANSACTION) private readonly transaction: Transactional,
  ) {}

  async create(request: PoolsCreateRequest): Promise<LeadPool> {
    assertWithinLimits(request.name, { path: 'name' });
    return toLeadPool(await this.pools.insert(request.organizationId, request.name));
  }

  async get(request: PoolsGetRequest): Promise<LeadPool> {
    const pool = await this.pools.find(request.organizationId, request.id);
    if (!pool) throw poolNotFound();
    return assertReplyFits(toLeadPool(pool), 'The lead pool');
  }

  update(request: PoolsUpdateRequest): Promise<LeadPool> {
    const { organizationId, id } = request;
    if (request.name !== undefined) assertWithinLimits(request.name, { path: 'name' });
    if (request.tableSchema) assertWithinLimits(request.tableSchema, { path: 'tableSchema', depth: 2 });
    return this.transaction(async (manager) => {
      const pool = await this.pools.lock(manager, organizationId, id);
      if (!pool) throw poolNotFound();
      let tableSchema: LeadPool['tableSchema'] | undefined;
      if (request.tableSchema) {
        const typeErrors = schemaConflicts(pool.tableSchema, request.tableSchema);
        if (typeErrors.length)
          throw new DomainError('VALIDATION_FAILED', 'Validation failed', { typeErrors });
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
        ...(request.defaultLeadStateId !== undefined
          ? { defaultLeadStateId: request.defaultLeadStateId }
          : {}),
        ...(tableSchema ? { tableSchema } : {}),
      });
      return toLeadPool(updated);
    });
  }
}
