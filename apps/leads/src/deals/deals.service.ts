import { Inject, Injectable } from '@nestjs/common';
import {
  DEAL_STAGE_CHANGED,
  DEAL_STATUS_CHANGED,
  DomainError,
  type CloudEvent,
  type Deal,
  type DealsCreateCommand,
  type DealsGetCommand,
  type DealsListCommand,
  type DealStageChangedData,
  type DealStatusChangedData,
  type DealsUpdateCommand,
  type Page,
} from '@rocketlead/contracts';
import { ServiceOutbox } from '@rocketlead/messaging';
import { pageOf, TRANSACTION, type Transactional, clientCursor } from '@rocketlead/persistence';
import { entryEvent } from '../entries/entry-events';
import { PipelinesRepository } from '../pipelines/pipelines.repository';
import { DealsRepository, type DealChanges } from './deals.repository';

export const dealNotFound = (): DomainError => new DomainError('NOT_FOUND', 'Deal not found');

const invalid = (field: string, message: string): DomainError =>
  new DomainError('VALIDATION_FAILED', 'Validation failed', { errors: [{ field, message }] });

const currencyWithoutValue = (): DomainError =>
  invalid('currency', 'needs a value: a deal without one has no currency');

/**
 * Deals of contacts (entries), each in a stage of one pipeline. Moving a deal and winning or losing it are
 * events (`deal.stage.changed`, `deal.status.changed`), stored with the change in the outbox.
 */
@Injectable()
export class DealsService {
  constructor(
    private readonly deals: DealsRepository,
    private readonly pipelines: PipelinesRepository,
    private readonly outbox: ServiceOutbox,
    @Inject(TRANSACTION) private readonly transaction: Transactional,
  ) {}

  /** An open deal, in the stage given or the pipeline's first; creating one emits nothing. */
  create(request: DealsCreateCommand): Promise<Deal> {
    const org = request.actor.organizationId;
    const value = request.value ?? null;
    const currency = request.currency ?? null;
    if (value === null && currency !== null) throw currencyWithoutValue();
    return this.transaction(async (manager) => {
      // Key share: the pipeline and its stages stay as read until commit (a PATCH of them waits).
      const pipeline = await this.pipelines.lock(manager, org, request.pipelineId, 'key share');
      if (!pipeline) throw invalid('pipelineId', 'is not a pipeline of this organization');
      const stageId = request.stageId ?? pipeline.stages[0]!.id;
      if (!pipeline.stages.some((stage) => stage.id === stageId)) {
        throw invalid('stageId', 'is not a stage of this pipeline');
      }
      if (!(await this.deals.entryExists(manager, org, request.entryId))) {
        throw invalid('entryId', 'is not a table entry of this organization');
      }
      return this.deals.insert(manager, org, {
        entryId: request.entryId,
        pipelineId: pipeline.id,
        stageId,
        title: request.title,
        value,
        currency,
      });
    });
  }

  async list(request: DealsListCommand): Promise<Page<Deal>> {
    const after = clientCursor(request.cursor || undefined);
    // One extra row tells whether another page exists.
    const rows = await this.deals.list(
      request.organizationId,
      {
        ...(request.entryId ? { entryId: request.entryId } : {}),
        ...(request.pipelineId ? { pipelineId: request.pipelineId } : {}),
        ...(request.status ? { status: request.status } : {}),
      },
      request.limit + 1,
      after,
    );
    const page = pageOf(rows, request.limit, (row) => row.position);
    return { items: page.items.map((row) => row.deal), nextCursor: page.nextCursor };
  }

  async get(request: DealsGetCommand): Promise<Deal> {
    const deal = await this.deals.find(request.organizationId, request.id);
    if (!deal) throw dealNotFound();
    return deal;
  }

  /**
   * Changes what differs. A move to another stage of the pipeline emits `deal.stage.changed`; a status of won or
   * lost that differs emits `deal.status.changed` (won straight to lost too: the deal ends differently);
   * reopening emits nothing. A PATCH changing nothing is answered with the deal as it is.
   */
  async update(request: DealsUpdateCommand): Promise<Deal> {
    const org = request.actor.organizationId;
    const known = await this.deals.find(org, request.id);
    if (!known) throw dealNotFound();
    const deal = await this.transaction(async (manager) => {
      // The pipeline before the deal, the order its deletion takes (pipeline, then its deals by cascade).
      const pipeline = await this.pipelines.lock(manager, org, known.pipelineId, 'key share');
      const current = pipeline ? await this.deals.lock(manager, org, request.id) : null;
      if (!pipeline || !current) throw dealNotFound();

      const changes: DealChanges = {};
      if (request.stageId != null && request.stageId !== current.stageId) {
        if (!pipeline.stages.some((stage) => stage.id === request.stageId)) {
          throw invalid('stageId', "is not a stage of the deal's pipeline");
        }
        changes.stageId = request.stageId;
      }
      if (request.status != null && request.status !== current.status) changes.status = request.status;
      if (request.title != null && request.title !== current.title) changes.title = request.title;
      if (request.value !== undefined && request.value !== current.value) changes.value = request.value;
      // Taking the value away takes its currency too, unless a currency is given (then refused).
      const currency =
        request.currency !== undefined ? request.currency : request.value === null ? null : undefined;
      if (currency !== undefined && currency !== current.currency) changes.currency = currency;
      const nextValue = changes.value !== undefined ? changes.value : current.value;
      const nextCurrency = changes.currency !== undefined ? changes.currency : current.currency;
      if (nextValue === null && nextCurrency !== null) throw currencyWithoutValue();
      if (Object.keys(changes).length === 0) return current;

      const updated = await this.deals.update(manager, org, current.id, changes);
      const events: CloudEvent[] = [];
      if (changes.stageId !== undefined) {
        const data: DealStageChangedData = {
          dealId: updated.id,
          entryId: updated.entryId,
          pipelineId: updated.pipelineId,
          stageId: updated.stageId,
          fromStageId: current.stageId,
        };
        events.push(entryEvent(request.actor, DEAL_STAGE_CHANGED, updated.id, data));
      }
      if (changes.status !== undefined && changes.status !== 'open') {
        const data: DealStatusChangedData = {
          dealId: updated.id,
          entryId: updated.entryId,
          pipelineId: updated.pipelineId,
          status: changes.status,
        };
        events.push(entryEvent(request.actor, DEAL_STATUS_CHANGED, updated.id, data));
      }
      if (events.length > 0) await this.outbox.append(manager, events);
      return updated;
    });
    this.outbox.committed();
    return deal;
  }
}
