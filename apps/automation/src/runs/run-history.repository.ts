import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type {
  AutomationAction,
  AutomationRunSummary,
  AutomationTrigger,
  RunContextRef,
  RunStatus,
  RunStep,
  StepDelivery,
  StepStatus,
} from '@rocketlead/contracts';
import type { CursorPosition } from '@rocketlead/persistence';

export interface RunFilter {
  status?: RunStatus;
  entryId?: string;
}

/** A listed run and its exact sort position (microseconds: a millisecond cursor could skip runs). */
export interface RunHistoryItem {
  run: AutomationRunSummary;
  position: CursorPosition;
}

export interface RunWithDefinition {
  run: AutomationRunSummary;
  trigger: AutomationTrigger;
  actions: AutomationAction[];
}

interface RunRow {
  id: string;
  automation_id: string;
  automation_version: number;
  status: RunStatus;
  reason: string | null;
  sandbox: boolean;
  trigger_name: string | null;
  context: RunContextRef;
  started_at: Date;
  started_at_exact: string;
  finished_at: Date | null;
  error: string | null;
}

interface StepRow {
  index: number;
  action_id: string;
  type: string;
  status: StepStatus;
  started_at: Date | null;
  finished_at: Date | null;
  attempts: number;
  output: unknown;
  error: string | null;
  would_do: unknown;
  resume_at: Date | null;
}

const S = 'automation';
const RUN_COLUMNS = (r: string): string =>
  [
    'id',
    'automation_id',
    'automation_version',
    'status',
    'reason',
    'sandbox',
    'trigger_name',
    'context',
    'started_at',
    'finished_at',
    'error',
  ]
    .map((c) => `${r}.${c}`)
    .join(', ') +
  `, to_char(${r}.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS started_at_exact`;

const durationMs = (start: Date | null, end: Date | null): number | null =>
  start && end ? end.getTime() - start.getTime() : null;

const toSummary = (row: RunRow): AutomationRunSummary => ({
  id: row.id,
  automationId: row.automation_id,
  automationVersion: row.automation_version,
  status: row.status,
  reason: row.reason,
  sandbox: row.sandbox,
  triggerName: row.trigger_name,
  context: row.context,
  startedAt: row.started_at.toISOString(),
  finishedAt: row.finished_at?.toISOString() ?? null,
  durationMs: durationMs(row.started_at, row.finished_at),
  error: row.error,
});

const toStep = (row: StepRow): RunStep => ({
  index: row.index,
  actionId: row.action_id,
  type: row.type,
  status: row.status,
  startedAt: row.started_at?.toISOString() ?? null,
  finishedAt: row.finished_at?.toISOString() ?? null,
  durationMs: durationMs(row.started_at, row.finished_at),
  attempts: row.attempts,
  output: row.output ?? null,
  error: row.error,
  wouldDo: row.would_do ?? null,
  resumeAt: row.resume_at?.toISOString() ?? null,
  delivery: deliveryOf(row.output),
});

/** The outcome recordDeliveryOutcome wrote into the step's output, if any. */
function deliveryOf(output: unknown): StepDelivery | null {
  if (typeof output !== 'object' || output === null || !('delivery' in output)) return null;
  const delivery = output.delivery as Partial<StepDelivery> | null;
  return typeof delivery?.id === 'string' ? (delivery as StepDelivery) : null;
}

/** Reads of the run history for the API (the engine writes runs; dry runs are part of the history). */
@Injectable()
export class RunHistoryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Newest first (started_at, then id, descending), strictly after `after` in that order. */
  async list(
    organizationId: string,
    automationId: string,
    filter: RunFilter,
    limit: number,
    after?: CursorPosition,
  ): Promise<RunHistoryItem[]> {
    const params: unknown[] = [organizationId, automationId];
    const where = ['r.organization_id = $1', 'r.automation_id = $2'];
    const add = (sql: (n: number) => string, ...values: unknown[]): void => {
      params.push(...values);
      where.push(sql(params.length));
    };
    if (filter.status) add((n) => `r.status = $${n}`, filter.status);
    if (filter.entryId) add((n) => `r.entry_id = $${n}`, filter.entryId);
    if (after) add((n) => `(r.started_at, r.id) < ($${n - 1}::timestamptz, $${n}::uuid)`, after.at, after.id);
    params.push(limit);
    const rows = (await this.dataSource.query(
      `SELECT ${RUN_COLUMNS('r')} FROM ${S}.runs r WHERE ${where.join(' AND ')}
       ORDER BY r.started_at DESC, r.id DESC LIMIT $${params.length}`,
      params,
    )) as RunRow[];
    return rows.map((row) => ({ run: toSummary(row), position: { at: row.started_at_exact, id: row.id } }));
  }

  /** The run with the trigger and actions of the version it ran. */
  async find(organizationId: string, automationId: string, runId: string): Promise<RunWithDefinition | null> {
    const rows = (await this.dataSource.query(
      `SELECT ${RUN_COLUMNS('r')},
         COALESCE(v.trigger, a.trigger) AS trigger, COALESCE(v.actions, a.actions) AS actions
       FROM ${S}.runs r
       JOIN ${S}.automations a ON a.id = r.automation_id
       LEFT JOIN ${S}.automation_versions v
         ON v.automation_id = r.automation_id AND v.version = r.automation_version
       WHERE r.organization_id = $1 AND r.automation_id = $2 AND r.id = $3`,
      [organizationId, automationId, runId],
    )) as (RunRow & { trigger: AutomationTrigger; actions: AutomationAction[] })[];
    const row = rows[0];
    return row ? { run: toSummary(row), trigger: row.trigger, actions: row.actions } : null;
  }

  /** The run's steps in execution order. */
  async steps(runId: string): Promise<RunStep[]> {
    return (await this.stepsOf([runId])).get(runId) ?? [];
  }

  /** The steps of each run (of one page), in execution order. */
  async stepsOf(runIds: string[]): Promise<Map<string, RunStep[]>> {
    const steps = new Map<string, RunStep[]>(runIds.map((id) => [id, []]));
    if (runIds.length === 0) return steps;
    const rows = (await this.dataSource.query(
      `SELECT run_id, index, action_id, type, status, started_at, finished_at, attempts, output, error, would_do,
         resume_at
       FROM ${S}.run_steps WHERE run_id = ANY($1::uuid[]) ORDER BY run_id, index`,
      [runIds],
    )) as (StepRow & { run_id: string })[];
    for (const row of rows) steps.get(row.run_id)?.push(toStep(row));
    return steps;
  }

  async automationExists(organizationId: string, automationId: string): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `SELECT 1 FROM ${S}.automations WHERE organization_id = $1 AND id = $2`,
      [organizationId, automationId],
    )) as unknown[];
    return rows.length > 0;
  }
}
