import { Injectable } from '@nestjs/common';
import type { AutomationTask, Page, TasksListCommand } from '@rocketlead/contracts';
import { clientCursor, pageOf } from '@rocketlead/persistence';
import { TasksRepository } from './tasks.repository';

/** The organization's human-in-the-loop tasks, read through the API. */
@Injectable()
export class TasksService {
  constructor(private readonly tasks: TasksRepository) {}

  async list(command: TasksListCommand): Promise<Page<AutomationTask>> {
    const after = clientCursor(command.cursor || undefined);
    const rows = await this.tasks.list(
      command.organizationId,
      { status: command.status, automationId: command.automationId },
      command.limit + 1,
      after,
    );
    return pageOf(rows, command.limit, (task) => ({ at: task.createdAt, id: task.id }));
  }
}
