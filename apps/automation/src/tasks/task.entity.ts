import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { TaskFieldType, TaskStatus } from '@rocketlead/contracts';

@Entity({ name: 'tasks' })
// The organization's tasks, newest first, by status (GET /api/v1/tasks).
@Index('tasks_list_idx', ['organizationId', 'status', 'id'])
// The open task a waiting run waits on.
@Index('tasks_run_idx', ['runId'])
// A lead's timeline.
@Index('tasks_entry_idx', ['organizationId', 'entryId', 'createdAt'])
export class TaskEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'run_id', type: 'uuid' })
  runId: string;

  @Column({ name: 'step_index', type: 'integer' })
  stepIndex: number;

  @Column({ name: 'automation_id', type: 'uuid' })
  automationId: string;

  @Column({ name: 'entry_id', type: 'uuid', nullable: true })
  entryId: string | null;

  @Column({ type: 'text' })
  title: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ name: 'assignee_id', type: 'uuid', nullable: true })
  assigneeId: string | null;

  /** The fields the person must provide: name → type. */
  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  fields: Record<string, TaskFieldType>;

  /** At the deadline: `fail` the step (default) or `continue` the run. */
  @Column({ name: 'on_timeout', type: 'text', default: 'fail' })
  onTimeout: 'fail' | 'continue';

  @Column({ type: 'text', default: 'open' })
  status: TaskStatus;

  @Column({ name: 'due_at', type: 'timestamptz', nullable: true })
  dueAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Column({ type: 'jsonb', nullable: true })
  output: Record<string, unknown> | null;
}
