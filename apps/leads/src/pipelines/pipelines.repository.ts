import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { uuidv7, type Pipeline, type PipelineStage } from '@rocketlead/contracts';
import { newestFirst, type CursorPosition } from '@rocketlead/persistence';

interface PipelineRow {
  id: string;
  name: string;
  created_at: Date;
  updated_at: Date;
}

interface StageRow {
  id: string;
  pipeline_id: string;
  name: string;
  position: number;
}

const COLUMNS = 'id, name, created_at, updated_at';
const STAGE_COLUMNS = 'id, pipeline_id, name, position';

const toStage = (row: StageRow): PipelineStage => ({ id: row.id, name: row.name, position: row.position });

const toPipeline = (row: PipelineRow, stages: StageRow[]): Pipeline => ({
  id: row.id,
  name: row.name,
  stages: stages.map(toStage),
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/** A pipeline as listed: the pipeline and where it stands in the newest-first order. */
export interface ListedPipeline {
  pipeline: Pipeline;
  position: CursorPosition;
}

/** How a pipeline row is held until commit: against deletion only, or against any change. */
export type PipelineLock = 'key share' | 'update';

const FOREIGN_KEY_VIOLATION = '23503';

/** True when `error` is the foreign key of a deal on a stage being removed (the deal moved in meanwhile). */
export function isStageInUse(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  return (e.code ?? e.driverError?.code) === FOREIGN_KEY_VIOLATION;
}

@Injectable()
export class PipelinesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The pipeline with its stages in order; null when the organization has no such pipeline. */
  async find(organizationId: string, id: string, manager?: EntityManager): Promise<Pipeline | null> {
    const m = manager ?? this.dataSource.manager;
    const rows = (await m.query(
      `SELECT ${COLUMNS} FROM leads.pipelines WHERE organization_id = $1 AND id = $2`,
      [organizationId, id],
    )) as PipelineRow[];
    if (!rows[0]) return null;
    return toPipeline(rows[0], await this.stagesOf(m, organizationId, [id]));
  }

  /**
   * The pipeline held until commit: `key share` keeps it and its stages while a deal is placed in it; `update`
   * (a change of its stages, its deletion) waits for those and keeps them out.
   */
  async lock(
    manager: EntityManager,
    organizationId: string,
    id: string,
    mode: PipelineLock,
  ): Promise<Pipeline | null> {
    const rows = (await manager.query(
      `SELECT ${COLUMNS} FROM leads.pipelines WHERE organization_id = $1 AND id = $2
       FOR ${mode === 'update' ? 'UPDATE' : 'KEY SHARE'}`,
      [organizationId, id],
    )) as PipelineRow[];
    if (!rows[0]) return null;
    return toPipeline(rows[0], await this.stagesOf(manager, organizationId, [id]));
  }

  /** The pipeline holding the stage; null when no pipeline of the organization does. */
  async findByStage(organizationId: string, stageId: string): Promise<Pipeline | null> {
    const rows = (await this.dataSource.query(
      `SELECT pipeline_id FROM leads.pipeline_stages WHERE organization_id = $1 AND id = $2`,
      [organizationId, stageId],
    )) as { pipeline_id: string }[];
    return rows[0] ? this.find(organizationId, rows[0].pipeline_id) : null;
  }

  /** Stores a pipeline and its stages, positioned in the order given. */
  async insert(
    manager: EntityManager,
    organizationId: string,
    name: string,
    stageNames: string[],
  ): Promise<Pipeline> {
    const id = uuidv7();
    const rows = (await manager.query(
      `INSERT INTO leads.pipelines (id, organization_id, name) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
      [id, organizationId, name],
    )) as PipelineRow[];
    await this.insertStages(
      manager,
      organizationId,
      id,
      stageNames.map((stageName, position) => ({ name: stageName, position })),
    );
    return toPipeline(rows[0]!, await this.stagesOf(manager, organizationId, [id]));
  }

  /** Renames the pipeline and marks it changed now. */
  async update(manager: EntityManager, organizationId: string, id: string, name?: string): Promise<void> {
    await manager.query(
      `UPDATE leads.pipelines SET name = COALESCE($3, name), updated_at = now()
       WHERE organization_id = $1 AND id = $2`,
      [organizationId, id, name ?? null],
    );
  }

  /** The ids among `stageIds` that some deal (of any status) is in. */
  async stagesInUse(manager: EntityManager, organizationId: string, stageIds: string[]): Promise<string[]> {
    if (stageIds.length === 0) return [];
    const rows = (await manager.query(
      `SELECT DISTINCT stage_id FROM leads.deals WHERE organization_id = $1 AND stage_id = ANY($2::uuid[])`,
      [organizationId, stageIds],
    )) as { stage_id: string }[];
    return rows.map((row) => row.stage_id);
  }

  /** Deletes the pipeline's stages among `stageIds`; a deal in one fails it with `isStageInUse`. */
  async deleteStages(
    manager: EntityManager,
    organizationId: string,
    pipelineId: string,
    stageIds: string[],
  ): Promise<void> {
    if (stageIds.length === 0) return;
    await manager.query(
      `DELETE FROM leads.pipeline_stages
       WHERE organization_id = $1 AND pipeline_id = $2 AND id = ANY($3::uuid[])`,
      [organizationId, pipelineId, stageIds],
    );
  }

  /** Renames and repositions existing stages of the pipeline. */
  async updateStages(
    manager: EntityManager,
    organizationId: string,
    pipelineId: string,
    stages: { id: string; name: string; position: number }[],
  ): Promise<void> {
    if (stages.length === 0) return;
    await manager.query(
      `UPDATE leads.pipeline_stages AS s SET name = u.name, position = u.position
       FROM unnest($3::uuid[], $4::text[], $5::int[]) AS u(id, name, position)
       WHERE s.organization_id = $1 AND s.pipeline_id = $2 AND s.id = u.id`,
      [
        organizationId,
        pipelineId,
        stages.map((s) => s.id),
        stages.map((s) => s.name),
        stages.map((s) => s.position),
      ],
    );
  }

  async insertStages(
    manager: EntityManager,
    organizationId: string,
    pipelineId: string,
    stages: { name: string; position: number }[],
  ): Promise<void> {
    if (stages.length === 0) return;
    await manager.query(
      `INSERT INTO leads.pipeline_stages (id, organization_id, pipeline_id, name, position)
       SELECT u.id, $1, $2, u.name, u.position FROM unnest($3::uuid[], $4::text[], $5::int[]) AS u(id, name, position)`,
      [
        organizationId,
        pipelineId,
        stages.map(() => uuidv7()),
        stages.map((s) => s.name),
        stages.map((s) => s.position),
      ],
    );
  }

  /** Deletes the pipeline, its stages and its deals (cascade); null when there is none. */
  async delete(manager: EntityManager, organizationId: string, id: string): Promise<Pipeline | null> {
    const before = await this.find(organizationId, id, manager);
    if (!before) return null;
    await manager.query(`DELETE FROM leads.pipelines WHERE organization_id = $1 AND id = $2`, [
      organizationId,
      id,
    ]);
    return before;
  }

  /** Newest first, after `after`; `limit` rows at most, each with its stages. */
  async list(organizationId: string, limit: number, after?: CursorPosition): Promise<ListedPipeline[]> {
    const rows = await newestFirst<PipelineRow>(
      this.dataSource,
      'leads.pipelines',
      COLUMNS,
      organizationId,
      limit,
      after,
    );
    const stages = await this.stagesOf(
      this.dataSource.manager,
      organizationId,
      rows.map((row) => row.id),
    );
    return rows.map((row) => ({
      pipeline: toPipeline(
        row,
        stages.filter((stage) => stage.pipeline_id === row.id),
      ),
      position: { at: row.created_at.toISOString(), id: row.id },
    }));
  }

  /** The stages of the pipelines, each pipeline's in order (at most DEAL_LIMITS.stagesPerPipeline each). */
  private async stagesOf(
    manager: EntityManager,
    organizationId: string,
    pipelineIds: string[],
  ): Promise<StageRow[]> {
    if (pipelineIds.length === 0) return [];
    return (await manager.query(
      `SELECT ${STAGE_COLUMNS} FROM leads.pipeline_stages
       WHERE organization_id = $1 AND pipeline_id = ANY($2::uuid[]) ORDER BY pipeline_id, position`,
      [organizationId, pipelineIds],
    )) as StageRow[];
  }
}
