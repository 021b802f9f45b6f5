import { Inject, Injectable } from '@nestjs/common';
import type { LeadState, LeadStatesCreateRequest, LeadStatesListRequest } from '@rocketlead/contracts';
import type { Transactional } from '@rocketlead/persistence';
import { TRANSACTION } from '@rocketlead/persistence';
import { PoolsRepository } from '../pools/pools.repository';
import { poolNotFound } from '../pools/pools.service';
import { LeadStatesRepository, toLeadState } from './lead-states.repository';

@Injectable()
export class LeadStatesService {
  constructor(
    private readonly states: LeadStatesRepository,
    private readonly pools: PoolsRepository,
    @Inject(TRANSACTION) private readonly transaction: Transactional,
  ) {}

  create(request: LeadStatesCreateRequest): Promise<LeadState> {
    const { organizationId, tableId } = request;
    return this.transaction(async (manager) => {
      const pool = await this.pools.lock(manager, organizationId, tableId);
      if (!pool) throw poolNotFound();
      const state = await this.states.insert(manager, organizationId, tableId, request.name);
      let defaultId = pool.defaultLeadStateId;
      if (request.isDefault) {
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
    return rows.map((row) => toLeadState(row, pool.defaultLeadStateId));
  }
}
