import { Inject, Injectable } from '@nestjs/common';
import {
  assertReplyFits,
  assertWithinLimits,
  DomainError,
  validationFailed,
  MAX_LEAD_STATES_PER_POOL,
  type LeadState,
  type LeadStatesCreateRequest,
  type LeadStatesListRequest,
  type LeadStatesUpdateRequest,
} from '@rocketlead/contracts';
import type { Transactional } from '@rocketlead/persistence';
import { TRANSACTION } from '@rocketlead/persistence';
import { PoolsRepository } from '../pools/pools.repository';
import { poolNotFound } from '../pools/pools.service';
import { LeadStatesRepository, toLeadState } from './lead-states.repository';

export const leadStateNotFound = (): DomainError => new DomainError('NOT_FOUND', 'Lead state not found');

@Injectable()
export class LeadStatesService {
  constructor(
    private readonly states: LeadStatesRepository,
    private readonly pools: PoolsRepository,
    @Inject(TRANSACTION) private readonly transaction: Transactional,
  ) {}

  create(request: LeadStatesCreateRequest): Promise<LeadState> {
    const { organizationId, tableId } = request;
    assertWithinLimits(request.name, { path: 'name' });
    return this.transaction(async (manager) => {
      const pool = await this.pools.lock(manager, organizationId, tableId);
      if (!pool) throw poolNotFound();
      // Their list is one reply, so a pool holds a bounded number; the pool lock makes the count exact.
      if ((await this.states.count(manager, organizationId, tableId)) >= MAX_LEAD_STATES_PER_POOL) {
        throw validationFailed([
          {
            field: 'name',
            message: `a lead pool has at most ${MAX_LEAD_STATES_PER_POOL} lead states; this one is full`,
          },
        ]);
      }
      const state = await this.states.insert(
        manager,
        organizationId,
        tableId,
        request.name,
        request.milestone ?? null,
      );
      let defaultId = pool.defaultLeadStateId;
      if (request.isDefault) {
        await this.pools.update(manager, pool, { defaultLeadStateId: state.id });
        defaultId = state.id;
      }
      return toLeadState(state, defaultId);
    });
  }

  /**
   * Renames, sets or removes the milestone (milestones already reached stay reached), or makes the state the
   * pool's default. A state stops being the default only when another one becomes it.
   */
  update(request: LeadStatesUpdateRequest): Promise<LeadState> {
    const { organizationId, tableId, id } = request;
    if (request.isDefault === false) {
      throw new DomainError('VALIDATION_FAILED', 'Validation failed', {
        errors: [
          { field: 'isDefault', message: 'can only be true: make another lead state the default instead' },
        ],
      });
    }
    if (request.name != null) assertWithinLimits(request.name, { path: 'name' });
    return this.transaction(async (manager) => {
      const pool = await this.pools.lock(manager, organizationId, tableId);
      if (!pool) throw poolNotFound();
      const state = await this.states.update(manager, organizationId, tableId, id, {
        ...(request.name != null ? { name: request.name } : {}),
        ...(request.milestone !== undefined ? { milestone: request.milestone } : {}),
      });
      if (!state) throw leadStateNotFound();
      // Entry creation reads the default state's milestone with the (cached) pool.
      if (request.milestone !== undefined && pool.defaultLeadStateId === state.id)
        await this.pools.changed(manager, organizationId, tableId);
      let defaultId = pool.defaultLeadStateId;
      if (request.isDefault && defaultId !== state.id) {
        await this.pools.update(manager, pool, { defaultLeadStateId: state.id });
        defaultId = state.id;
      }
      return toLeadState(state, defaultId);
    });
  }

  async list(request: LeadStatesListRequest): Promise<LeadState[]> {
    const pool = await this.pools.find(request.organizationId, request.tableId);
    if (!pool) throw poolNotFound();
    const rows = await this.states.list(request.organizationId, request.tableId);
    return assertReplyFits(
      rows.map((row) => toLeadState(row, pool.defaultLeadStateId)),
      'The list of lead states',
    );
  }
}
