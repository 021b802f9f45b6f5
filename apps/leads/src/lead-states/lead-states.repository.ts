import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { uuidv7, type LeadState, type Milestone } from '@rocketlead/contracts';
import { LeadStateEntity } from './lead-state.entity';

export function toLeadState(row: LeadStateEntity, defaultLeadStateId: string | null): LeadState {
  return {
    id: row.id,
    tableId: row.tableId,
    name: row.name,
    isDefault: row.id === defaultLeadStateId,
    milestone: row.milestone ?? null,
  };
}

@Injectable()
export class LeadStatesRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(LeadStateEntity);
  }

  insert(
    manager: EntityManager,
    organizationId: string,
    tableId: string,
    name: string,
    milestone: Milestone | null = null,
  ): Promise<LeadStateEntity> {
    return this.repo(manager).save(
      this.repo(manager).create({ id: uuidv7(), organizationId, tableId, name, milestone }),
    );
  }

  /** Changes the given fields of a state of the pool; null when the pool has no such state. */
  async update(
    manager: EntityManager,
    organizationId: string,
    tableId: string,
    id: string,
    changes: { name?: string; milestone?: Milestone | null },
  ): Promise<LeadStateEntity | null> {
    const state = await this.repo(manager).findOneBy({ organizationId, tableId, id });
    if (!state) return null;
    if (changes.name !== undefined) state.name = changes.name;
    if (changes.milestone !== undefined) state.milestone = changes.milestone;
    return this.repo(manager).save(state);
  }

  count(manager: EntityManager, organizationId: string, tableId: string): Promise<number> {
    return this.repo(manager).countBy({ organizationId, tableId });
  }

  list(organizationId: string, tableId: string): Promise<LeadStateEntity[]> {
    return this.repo().find({ where: { organizationId, tableId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  findInPool(
    organizationId: string,
    tableId: string,
    id: string,
    manager?: EntityManager,
  ): Promise<LeadStateEntity | null> {
    return this.repo(manager).findOneBy({ organizationId, tableId, id });
  }

  find(organizationId: string, id: string): Promise<LeadStateEntity | null> {
    return this.repo().findOneBy({ organizationId, id });
  }
}
