import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AUTOMATION_RUN_FAILED } from '@rocketlead/contracts';
import { ServiceOutbox } from '@rocketlead/messaging';
import type { FiredTimer } from '@rocketlead/timers';
import { fromRunSnapshot } from '../engine/run-context';
import { runEvent } from '../engine/run-factory';
import { TasksRepository } from '../tasks/tasks.repository';
import type { TimerKindHandler } from '../timers/timer-kind';
import { RunsRepository } from './runs.repository';

/** Timer kinds of a waiting run: its wait ends, or its task's deadline passes. */
export const WAKE_RESUME = 'automation.run.resume';
export const WAKE_TASK_EXPIRED = 'automation.task.expire';

/** What a waiting run's timer carries. */
export interface WakePayload {
  runId: string;
  index: number;
}

export const TASK_EXPIRED = 'task expired';

/**
 * A waiting run's timer firing: a wait resumes the run (all the waits of a burst in one statement); a task's
 * deadline expires the task and fails the step, or continues the run when the action says `onTimeout: continue`.
 */
@Injectable()
export class WakeTimers implements TimerKindHandler {
  readonly kinds = [WAKE_RESUME, WAKE_TASK_EXPIRED] as const;

  constructor(
    private readonly runs: RunsRepository,
    private readonly tasks: TasksRepository,
    private readonly outbox: ServiceOutbox,
  ) {}

  async fire(timers: FiredTimer[], manager: EntityManager): Promise<string[]> {
    const resumes = timers.filter((t) => t.kind === WAKE_RESUME);
    const resumed = await this.runs.resumeWaits(
      manager,
      resumes.map((t) => {
        const p = t.payload as WakePayload;
        return { runId: p.runId, index: p.index, late: t.late };
      }),
    );
    for (const timer of timers.filter((t) => t.kind === WAKE_TASK_EXPIRED)) {
      const runId = await this.expire(timer, manager);
      if (runId) resumed.push(runId);
    }
    return resumed;
  }

  /** The run to execute now (continued past the deadline), or null (failed, or no longer waiting). */
  private async expire(timer: FiredTimer, manager: EntityManager): Promise<string | null> {
    const { runId } = timer.payload as WakePayload;
    const task = await this.tasks.expire(manager, runId);
    if (!task) return null;
    if (task.onTimeout === 'continue') {
      const output = { taskId: task.id, expired: true, expiredAt: timer.firedAt.toISOString() };
      return (await this.runs.continueWaiting(manager, runId, task.stepIndex, output)) ? runId : null;
    }
    const runError = `step ${task.stepIndex} (create_task) failed: ${TASK_EXPIRED}`;
    const run = await this.runs.failWaiting(manager, runId, task.stepIndex, TASK_EXPIRED, runError);
    if (run) {
      const snapshot = fromRunSnapshot(run.snapshot);
      await this.outbox.append(manager, [
        runEvent(AUTOMATION_RUN_FAILED, { ...run, snapshot }, 'failed', runError, snapshot.event.id),
      ]);
    }
    return null;
  }
}
