import { Injectable } from '@nestjs/common';
import {
  DomainError,
  type AutomationRun,
  type AutomationRunSummary,
  type Page,
  type RunsGetCommand,
  type RunsListCommand,
} from '@rocketlead/contracts';
import { clientCursor, pageOf } from '@rocketlead/persistence';
import { automationNotFound } from '../automations/automations.service';
import { RunHistoryRepository } from './run-history.repository';

export const runNotFound = (): DomainError => new DomainError('NOT_FOUND', 'Run not found');

/** The run history of an automation, read through the API. */
@Injectable()
export class RunsService {
  constructor(private readonly history: RunHistoryRepository) {}

  async list(command: RunsListCommand): Promise<Page<AutomationRunSummary>> {
    const after = clientCursor(command.cursor || undefined);
    if (!(await this.history.automationExists(command.organizationId, command.automationId)))
      throw automationNotFound();
    const rows = await this.history.list(
      command.organizationId,
      command.automationId,
      { status: command.status, entryId: command.entryId },
      command.limit + 1,
      after,
    );
    const page = pageOf(rows, command.limit, (item) => item.position);
    return { items: page.items.map((item) => item.run), nextCursor: page.nextCursor };
  }

  async get(command: RunsGetCommand): Promise<AutomationRun> {
    const found = await this.history.find(command.organizationId, command.automationId, command.runId);
    if (!found) {
      if (!(await this.history.automationExists(command.organizationId, command.automationId)))
        throw automationNotFound();
      throw runNotFound();
    }
    const steps = await this.history.steps(found.run.id);
    return { ...found.run, trigger: found.trigger, actions: found.actions, steps };
  }
}
