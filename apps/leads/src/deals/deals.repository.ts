import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { uuidv7, type Deal, type DealStatus } from '@rocketlead/contracts';
import { returnedRows, type CursorPosition } from '@rocketlead/persistence';

interface DealRow {
  id: string;
  entry_id: string;
  pipeline_id: string;
  stage_id: string;
  title: string;
  value: string | null;
  currency: string | null;
  status: DealStatus;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, entry_id, pipeline_id, stage_id, title, value, currency, status, created_at, updated_at';

// `numeric` comes back as text: exact in the database, a JSON number in the API.
const toDeal = (row: DealRow): Deal => ({
  id: row.id,
  entryId: row.entry_id,
  pipelineId: row.pipeline_id,
  stageId: row.stage_id,
  title: row.title,
  value: row.value === null ? null : Number(row.value),
  currency: row.currency,
  status: row.status,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/** A deal as listed: the deal and where it stands in the newest-first order. */
export interface ListedDeal {
  deal: Deal;
  position: CursorPosition;
}

export interface DealFilter {
  entryId?: string;
  pipelineId?: string;
  status?: DealStatus;
}

/** What a PATCH changes of a deal; the fields left out stay. */
export interface DealChanges {
  stageId?: string;
  status?: DealStatus;
  title?: string;
  value?: number | null;
  currency?: string | null;
}

@Injectable()
export class DealsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(organizationId: string, id: string, manager?: EntityManager): Promise<Deal | null> {
    const rows = (await (manager ?? this.dataSource.manager).query(
      `SELECT ${COLUMNS} FROM leads.deals WHERE organization_id = $1 AND id = $2`,
      [organizationId, id],
    )) as DealRow[];
    return rows[0] ? toDeal(rows[0]) : null;
  }

  /** The deal held until commit against any other change. */
  async lock(manager: EntityManager, organizationId: string, id: string): Promise<Deal | null> {
    const rows = (await manager.query(
      `SELECT ${COLUMNS} FROM leads.deals WHERE organization_id = $1 AND id = $2 FOR UPDATE`,
      [organizationId, id],
    )) as DealRow[];
    return rows[0] ? toDeal(rows[0]) : null;
  }

  /** Whether the entry is one of the organization's, kept from deletion until commit. */
  async entryExists(manager: EntityManager, organizationId: string, entryId: string): Promise<boolean> {
    const rows = (await manager.query(
      `SELECT 1 FROM leads.entries WHERE organization_id = $1 AND id = $2 FOR KEY SHARE`,
      [organizationId, entryId],
    )) as unknown[];
    return rows.length > 0;
  }

  /** Whether the pipeline has a deal that is still open. */
  async hasOpen(manager: EntityManager, organizationId: string, pipelineId: string): Promise<boolean> {
    const rows = (await manager.query(
      `SELECT 1 FROM leads.deals WHERE organization_id = $1 AND pipeline_id = $2 AND status = 'open' LIMIT 1`,
      [organizationId, pipelineId],
    )) as unknown[];
    return rows.length > 0;
  }

  async insert(
    manager: EntityManager,
    organizationId: string,
    fields: {
      entryId: string;
      pipelineId: string;
      stageId: string;
      title: string;
      value: number | null;
      currency: string | null;
    },
  ): Promise<Deal> {
    const rows = (await manager.query(
      `INSERT INTO leads.deals (id, organization_id, entry_id, pipeline_id, stage_id, title, value, currency)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
      [
        uuidv7(),
        organizationId,
        fields.entryId,
        fields.pipelineId,
        fields.stageId,
        fields.title,
        fields.value,
        fields.currency,
      ],
    )) as DealRow[];
    return toDeal(rows[0]!);
  }

  /** Applies the changes given and marks the deal changed now. */
  async update(
    manager: EntityManager,
    organizationId: string,
    id: string,
    changes: DealChanges,
  ): Promise<Deal> {
    const rows = returnedRows<DealRow>(
      await manager.query(
        `UPDATE leads.deals SET
           stage_id = COALESCE($3, stage_id),
           status = COALESCE($4, status),
           title = COALESCE($5, title),
           value = CASE WHEN $6::boolean THEN $7::numeric ELSE value END,
           currency = CASE WHEN $8::boolean THEN $9::text ELSE currency END,
           updated_at = now()
         WHERE organization_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
        [
          organizationId,
          id,
          changes.stageId ?? null,
          changes.status ?? null,
          changes.title ?? null,
          changes.value !== undefined,
          changes.value ?? null,
          changes.currency !== undefined,
          changes.currency ?? null,
        ],
      ),
    );
    return toDeal(rows[0]!);
  }

  /** Newest first, after `after`, narrowed by `filter`; `limit` rows at most. */
  async list(
    organizationId: string,
    filter: DealFilter,
    limit: number,
    after?: CursorPosition,
  ): Promise<ListedDeal[]> {
    const params: unknown[] = [organizationId];
    const where = ['organization_id = $1'];
    if (filter.entryId) {
      params.push(filter.entryId);
      where.push(`entry_id = $${params.length}`);
    }
    if (filter.pipelineId) {
      params.push(filter.pipelineId);
      where.push(`pipeline_id = $${params.length}`);
    }
    if (filter.status) {
      params.push(filter.status);
      where.push(`status = $${params.length}`);
    }
    if (after) {
      params.push(after.at, after.id);
      where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(limit);
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM leads.deals WHERE ${where.join(' AND ')}
       ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    )) as DealRow[];
    return rows.map((row) => ({
      deal: toDeal(row),
      position: { at: row.created_at.toISOString(), id: row.id },
    }));
  }
}
