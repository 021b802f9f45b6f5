import { Injectable } from '@nestjs/common';
import {
  DomainError,
  MAX_REPLY_BYTES,
  withinPageBudget,
  type AutomationRun,
  type AutomationRunListItem,
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
    const items = withinPageBudget(
      listed.map((item) => ({ ...item.run, steps: steps.get(item.run.id) ?? [] })),
      (run, bytes) =>
        new DomainError('REPLY_TOO_LARGE', 'A run on this page is too large to return', {
          runId: run.id,
          bytes,
          limit: MAX_REPLY_BYTES,
        }),
    );
    const page = pageOf(rows, items.length, (item) => item.position);
    return { items, nextCursor: page.nextCursor };
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
