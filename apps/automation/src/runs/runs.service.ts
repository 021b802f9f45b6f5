import { Injectable } from '@nestjs/common';
import {
  DomainError,
  budgetedPage,
  type AutomationRun,
  type AutomationRunListItem,
  type Page,
  type RunsGetCommand,
  type RunsListCommand,
} from '@rocketlead/contracts';
import { clientCursor, encodeCursor } from '@rocketlead/persistence';
import { automationNotFound } from '../automations/automations.service';
import { RunHistoryRepository } from './run-history.repository';

export const runNotFound = (): DomainError => new DomainError('NOT_FOUND', 'Run not found');

/** The run history of an automation, read through the API. */
@Injectable()
export class RunsService {
  constructor(private readonly history: RunHistoryRepository) {}

  async list(command: RunsListCommand): Promise<Page<AutomationRunListItem>> {
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
    const listed = rows.slice(0, command.limit);
    const steps = await this.history.stepsOf(listed.map((item) => item.run.id));
    // Steps carry outputs (webhook answers, task answers): the page stops before it outgrows a reply.
    return budgetedPage(
      rows,
      command.limit,
      (item) => ({ ...item.run, steps: steps.get(item.run.id) ?? [] }),
      (item) => encodeCursor(item.position),
      { what: 'A run', idKey: 'runId' },
    );
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
