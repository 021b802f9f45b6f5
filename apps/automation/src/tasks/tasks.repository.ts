import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { AutomationTask, TaskFieldType, TaskStatus } from '@rocketlead/contracts';
import { returnedRows, type CursorPosition } from '@rocketlead/persistence';

const S = 'automation';

export interface NewTask {
  id: string;
  organizationId: string;
  runId: string;
  stepIndex: number;
  automationId: string;
  entryId: string | null;
  title: string;
  description: string | null;
  assigneeId: string | null;
  fields: Record<string, TaskFieldType>;
  onTimeout: 'fail' | 'continue';
  dueAt: Date | null;
}

/** The open task a waiting run waits on, as completing or expiring it needs it. */
export interface OpenTask {
  id: string;
  runId: string;
  stepIndex: number;
  fields: Record<string, TaskFieldType>;
  onTimeout: 'fail' | 'continue';
}

interface TaskRow {
  id: string;
  run_id: string;
  step_index: number;
  automation_id: string;
  entry_id: string | null;
  title: string;
  description: string | null;
  assignee_id: string | null;
  fields: Record<string, TaskFieldType>;
  on_timeout: 'fail' | 'continue';
  status: TaskStatus;
  due_at: Date | null;
  created_at: Date;
  completed_at: Date | null;
  output: Record<string, unknown> | null;
}

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

export function toTask(row: TaskRow): AutomationTask {
  return {
    id: row.id,
    runId: row.run_id,
    automationId: row.automation_id,
    entryId: row.entry_id,
    title: row.title,
    description: row.description,
    assigneeId: row.assignee_id,
    fields: row.fields,
    status: row.status,
    dueAt: iso(row.due_at),
    createdAt: iso(row.created_at)!,
    completedAt: iso(row.completed_at),
    output: row.output,
  };
}

const openTask = (row: TaskRow): OpenTask => ({
  id: row.id,
  runId: row.run_id,
  stepIndex: row.step_index,
  fields: row.fields,
  onTimeout: row.on_timeout,
});

/** Human-in-the-loop tasks: every read and write on them. */
@Injectable()
export class TasksRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, task: NewTask): Promise<void> {
    await manager.query(
      `INSERT INTO ${S}.tasks (id, organization_id, run_id, step_index, automation_id, entry_id, title, description,
         assignee_id, fields, on_timeout, due_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12)`,
      [
        task.id,
        task.organizationId,
        task.runId,
        task.stepIndex,
        task.automationId,
        task.entryId,
        task.title,
        task.description,
        task.assigneeId,
        JSON.stringify(task.fields),
        task.onTimeout,
        task.dueAt,
      ],
    );
  }

  /** The run's open task, locked for the caller's transaction; null when it waits on none. */
  async openTaskOf(manager: EntityManager, runId: string): Promise<OpenTask | null> {
    const rows = (await manager.query(
      `SELECT * FROM ${S}.tasks WHERE run_id = $1 AND status = 'open' ORDER BY id DESC LIMIT 1 FOR UPDATE`,
      [runId],
    )) as TaskRow[];
    return rows[0] ? openTask(rows[0]) : null;
  }

  async complete(manager: EntityManager, taskId: string, output: Record<string, unknown>): Promise<boolean> {
    const rows = returnedRows(
      await manager.query(
        `UPDATE ${S}.tasks SET status = 'completed', completed_at = now(), output = $2::jsonb
         WHERE id = $1 AND status = 'open' RETURNING id`,
        [taskId, JSON.stringify(output)],
      ),
    );
    return rows.length > 0;
  }

  /** Expires the run's open task (its deadline passed); null when there was none open. */
  async expire(manager: EntityManager, runId: string): Promise<OpenTask | null> {
    const rows = returnedRows<TaskRow>(
      await manager.query(
        `UPDATE ${S}.tasks SET status = 'expired' WHERE run_id = $1 AND status = 'open' RETURNING *`,
        [runId],
      ),
    );
    return rows[0] ? openTask(rows[0]) : null;
  }

  /** A page of the organization's tasks, newest first. */
  async list(
    organizationId: string,
    filter: { status?: TaskStatus; automationId?: string },
    limit: number,
    after: CursorPosition | undefined,
  ): Promise<AutomationTask[]> {
    const rows = (await this.dataSource.query(
      `SELECT * FROM ${S}.tasks
       WHERE organization_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::uuid IS NULL OR automation_id = $3)
         AND ($4::uuid IS NULL OR id < $4)
       ORDER BY id DESC LIMIT $5`,
      [organizationId, filter.status ?? null, filter.automationId ?? null, after?.id ?? null, limit],
    )) as TaskRow[];
    return rows.map(toTask);
  }
}
