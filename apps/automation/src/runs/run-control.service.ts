import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  validationFailed,
  DomainError,
  type AutomationRun,
  type RunsCancelCommand,
  type RunsCompleteTaskCommand,
  type RunsRetryCommand,
} from '@rocketlead/contracts';
import { JsonLogger } from '@rocketlead/observability';
import { RunExecutor } from '../engine/run-executor';
import { checkTaskOutput } from '../tasks/task-output';
import { TasksRepository } from '../tasks/tasks.repository';
import { AutomationTimers } from '../timers/automation-timers';
import { wakeKey } from '../timers/timer-kind';
import { RunsRepository } from './runs.repository';
import { RunsService } from './runs.service';

const conflict = (message: string): DomainError => new DomainError('CONFLICT', message);

/**
 * What people do to a run through the API: retry a failed one, cancel one in progress, complete the task it
 * waits on. Each change commits first; the run then executes in the background and the answer is the run as
 * it stands.
 */
@Injectable()
export class RunControlService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: RunsRepository,
    private readonly tasks: TasksRepository,
    private readonly timers: AutomationTimers,
    private readonly history: RunsService,
    private readonly executor: RunExecutor,
    private readonly logger: JsonLogger,
  ) {}

  /** A failed run goes on from its failed step (202). */
  async retry(command: RunsRetryCommand): Promise<AutomationRun> {
    const run = await this.history.get(command);
    if (run.status !== 'failed')
      throw conflict(`Only a failed run can be retried; this one is ${run.status}`);
    const reopened = await this.dataSource.transaction((manager) => this.runs.reopenFailed(manager, run.id));
    if (!reopened) throw conflict('Only a failed run can be retried; this one changed meanwhile');
    this.executeInBackground(run.id);
    return this.history.get(command);
  }

  /** A running or waiting run is cancelled with its timer and open task (200). */
  async cancel(command: RunsCancelCommand): Promise<AutomationRun> {
    const run = await this.history.get(command);
    const cancelled = await this.dataSource.transaction((manager) =>
      this.runs.cancelRun(manager, run.id, 'cancelled through the API'),
    );
    if (!cancelled)
      throw conflict(`Only a running or waiting run can be cancelled; this one is ${run.status}`);
    return this.history.get(command);
  }

  /** The task the run waits on is done: its output (checked against the declared fields) feeds the run. */
  async completeTask(command: RunsCompleteTaskCommand): Promise<AutomationRun> {
    const run = await this.history.get(command);
    await this.dataSource.transaction(async (manager) => {
      const task = await this.tasks.openTaskOf(manager, run.id);
      if (!task || run.status !== 'waiting') throw conflict('The run is not waiting on an open task');
      const errors = checkTaskOutput(command.output, task.fields);
      if (errors.length > 0) throw validationFailed(errors);
      await this.tasks.complete(manager, task.id, command.output);
      if (!(await this.runs.continueWaiting(manager, run.id, task.stepIndex, command.output)))
        throw conflict('The run is not waiting on an open task');
      await this.timers.cancel(manager, wakeKey(run.id));
    });
    this.executeInBackground(run.id);
    return this.history.get(command);
  }

  private executeInBackground(runId: string): void {
    this.executor.executeResumed(runId).catch((error: Error) =>
      this.logger.event('warn', 'run could not execute; the sweep resumes it', {
        runId,
        error: error.message,
      }),
    );
  }
}
