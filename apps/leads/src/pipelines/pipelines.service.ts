import { Inject, Injectable } from '@nestjs/common';
import {
  assertWithinLimits,
  orderedStages,
  DEAL_LIMITS,
  DomainError,
  budgetedPage,
  type Page,
  type Pipeline,
  type PipelinesByStageCommand,
  type PipelinesCreateCommand,
  type PipelinesDeleteCommand,
  type PipelinesGetCommand,
  type PipelinesListCommand,
  type PipelinesUpdateCommand,
  type StageBody,
} from '@rocketlead/contracts';
import { TRANSACTION, type Transactional, encodeCursor, clientCursor } from '@rocketlead/persistence';
import type { EntityManager } from 'typeorm';
import { assertRoomInOrganization } from '../database/organization-quota';
import { DealsRepository } from '../deals/deals.repository';
import { isStageInUse, PipelinesRepository } from './pipelines.repository';

export const pipelineNotFound = (): DomainError => new DomainError('NOT_FOUND', 'Pipeline not found');

const invalid = (field: string, message: string): DomainError =>
  new DomainError('VALIDATION_FAILED', 'Validation failed', { errors: [{ field, message }] });

const stagesInUse = (ids: string[]): DomainError =>
  new DomainError('CONFLICT', 'A stage to remove holds deals', {
    errors: [{ field: 'stages', message: `stages holding deals cannot be removed: ${ids.join(', ')}` }],
  });

/** Pipelines and their ordered stages; an organization's admin shapes them, deals move through them. */
@Injectable()
export class PipelinesService {
  constructor(
    private readonly pipelines: PipelinesRepository,
    private readonly deals: DealsRepository,
    @Inject(TRANSACTION) private readonly transaction: Transactional,
  ) {}

  create(request: PipelinesCreateCommand): Promise<Pipeline> {
    const { organizationId } = request;
    assertWithinLimits({ name: request.name, stages: request.stages });
    return this.transaction(async (manager) => {
      await assertRoomInOrganization(
        manager,
        'pipelines',
        organizationId,
        DEAL_LIMITS.pipelinesPerOrganization,
        'name',
      );
      // A new pipeline's stages are all new: an id given is not one of them.
      const withId = request.stages.findIndex((stage) => stage.id != null);
      if (withId >= 0) throw invalid(`stages[${withId}].id`, 'a new pipeline has no stages yet');
      // A stage without an id has a name (validated), so every name here is set.
      return this.pipelines.insert(
        manager,
        organizationId,
        request.name,
        orderedStages(request.stages).map((stage) => stage.name!),
      );
    });
  }

  async list(request: PipelinesListCommand): Promise<Page<Pipeline>> {
    const after = clientCursor(request.cursor || undefined);
    // One extra row tells whether another page exists.
    const rows = await this.pipelines.list(request.organizationId, request.limit + 1, after);
    // 100 pipelines of 50 long-named stages would not fit in one reply: the page ends earlier then.
    return budgetedPage(
      rows,
      request.limit,
      (row) => row.pipeline,
      (row) => encodeCursor(row.position),
      { what: 'A pipeline', idKey: 'pipelineId' },
    );
  }

  async get(request: PipelinesGetCommand): Promise<Pipeline> {
    const pipeline = await this.pipelines.find(request.organizationId, request.id);
    if (!pipeline) throw pipelineNotFound();
    return pipeline;
  }

  async byStage(request: PipelinesByStageCommand): Promise<Pipeline> {
    const pipeline = await this.pipelines.findByStage(request.organizationId, request.stageId);
    if (!pipeline) throw new DomainError('NOT_FOUND', 'No pipeline has this stage');
    return pipeline;
  }

  /**
   * Renames the pipeline and replaces its stages by the list given, in that order: a stage with an id is kept
   * (renamed), one without is added, one left out is removed unless a deal is in it (409).
   */
  update(request: PipelinesUpdateCommand): Promise<Pipeline> {
    const { organizationId, id } = request;
    assertWithinLimits({
      ...(request.name != null ? { name: request.name } : {}),
      ...(request.stages ? { stages: request.stages } : {}),
    });
    return this.transaction(async (manager) => {
      // Held against deals being placed or moved meanwhile, which take it FOR KEY SHARE.
      const current = await this.pipelines.lock(manager, organizationId, id, 'update');
      if (!current) throw pipelineNotFound();
      if (request.stages) await this.replaceStages(manager, organizationId, current, request.stages);
      await this.pipelines.update(manager, organizationId, id, request.name ?? undefined);
      return (await this.pipelines.find(organizationId, id, manager))!;
    });
  }

  /** Deletes the pipeline with its stages and its won and lost deals; one with an open deal is a 409. */
  delete(request: PipelinesDeleteCommand): Promise<Pipeline> {
    const { organizationId, id } = request;
    return this.transaction(async (manager) => {
      const current = await this.pipelines.lock(manager, organizationId, id, 'update');
      if (!current) throw pipelineNotFound();
      if (await this.deals.hasOpen(manager, organizationId, id)) {
        throw new DomainError('CONFLICT', 'The pipeline has open deals', {
          errors: [{ field: 'id', message: 'has open deals: win, lose or move them first' }],
        });
      }
      return (await this.pipelines.delete(manager, organizationId, id))!;
    });
  }

  private async replaceStages(
    manager: EntityManager,
    organizationId: string,
    current: Pipeline,
    stages: StageBody[],
  ): Promise<void> {
    const existing = new Set(current.stages.map((stage) => stage.id));
    const seen = new Set<string>();
    stages.forEach((stage, i) => {
      if (stage.id == null) return;
      if (!existing.has(stage.id)) throw invalid(`stages[${i}].id`, 'is not a stage of this pipeline');
      if (seen.has(stage.id)) throw invalid(`stages[${i}].id`, 'is listed twice');
      seen.add(stage.id);
    });
    const removed = current.stages.map((stage) => stage.id).filter((stageId) => !seen.has(stageId));
    const inUse = await this.pipelines.stagesInUse(manager, organizationId, removed);
    if (inUse.length > 0) throw stagesInUse(inUse);
    try {
      await this.pipelines.deleteStages(manager, organizationId, current.id, removed);
    } catch (error) {
      // Deals take the pipeline FOR KEY SHARE, so none moves in after the check; the foreign key backs it.
      if (isStageInUse(error)) throw stagesInUse(removed);
      throw error;
    }
    const names = new Map(current.stages.map((stage) => [stage.id, stage.name]));
    // An existing stage without a name keeps its own; a new one has one (validated).
    const positioned = orderedStages(stages).map((stage, position) => ({
      id: stage.id,
      name: stage.name ?? names.get(stage.id!)!,
      position,
    }));
    await this.pipelines.updateStages(
      manager,
      organizationId,
      current.id,
      positioned.flatMap((stage) =>
        stage.id ? [{ id: stage.id, name: stage.name, position: stage.position }] : [],
      ),
    );
    await this.pipelines.insertStages(
      manager,
      organizationId,
      current.id,
      positioned.filter((stage) => !stage.id),
    );
  }
}
