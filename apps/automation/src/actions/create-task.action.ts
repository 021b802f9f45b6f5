import { Injectable } from '@nestjs/common';
import { addDuration, parseDuration, uuidv7, type TaskFieldType } from '@rocketlead/contracts';
import { WAKE_TASK_EXPIRED } from '../runs/wake-timers';
import { TasksRepository, type NewTask } from '../tasks/tasks.repository';
import { contextRecord, type ActionHandler, type StepInput, type StepResult } from './action-handler';
import { TemplateRenderer } from './templates';

/** What the step's params render to: the task without the run it belongs to. */
type RenderedTask = Omit<
  NewTask,
  'id' | 'organizationId' | 'runId' | 'stepIndex' | 'automationId' | 'entryId'
>;

/**
 * `create_task {title, description?, assigneeId?, dueIn?, onTimeout?, output?}`: a task for a person; the run
 * waits until it is completed through the API (its output becomes the step's output) or its deadline passes.
 */
@Injectable()
export class CreateTaskAction implements ActionHandler {
  readonly type = 'create_task' as const;

  constructor(
    private readonly templates: TemplateRenderer,
    private readonly tasks: TasksRepository,
  ) {}

  execute(input: StepInput): Promise<StepResult> {
    const task = this.render(input, new Date());
    const id = uuidv7();
    const { run, step } = input;
    return Promise.resolve({
      output: { taskId: id },
      commit: (manager) =>
        this.tasks.insert(manager, {
          id,
          organizationId: run.organizationId,
          runId: run.id,
          stepIndex: step.index,
          automationId: run.automationId,
          entryId: run.entryId,
          ...task,
        }),
      suspend: { resumeAt: task.dueAt, timerKind: WAKE_TASK_EXPIRED },
    });
  }

  describe(input: StepInput): Promise<unknown> {
    const task = this.render(input, new Date());
    return Promise.resolve({ createTask: { ...task, dueAt: task.dueAt?.toISOString() ?? null } });
  }

  private render(input: StepInput, now: Date): RenderedTask {
    const params = input.step.params;
    const context = contextRecord(input);
    const dueIn = typeof params.dueIn === 'string' ? parseDuration(params.dueIn) : null;
    return {
      title: this.templates.render(params.title as string, context, 'title'),
      description:
        typeof params.description === 'string'
          ? this.templates.render(params.description, context, 'description')
          : null,
      assigneeId: typeof params.assigneeId === 'string' ? params.assigneeId : null,
      fields: (params.output as Record<string, TaskFieldType> | undefined) ?? {},
      onTimeout: params.onTimeout === 'continue' ? 'continue' : 'fail',
      dueAt: dueIn ? addDuration(now, dueIn) : null,
    };
  }
}
