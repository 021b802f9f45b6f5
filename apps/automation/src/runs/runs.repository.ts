import { EXECUTION_DATA_SOURCE } from '../engine/execution-data-source';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { AutomationAction, RunContextRef, RunStatus, StepStatus } from '@rocketlead/contracts';
import { queryStatement, type Statement } from '@rocketlead/messaging';
import { prepared, queryPrepared, returnedRows } from '@rocketlead/persistence';
import { wakeKey } from '../timers/timer-kind';
import type { RunSnapshot } from './run.entity';

/** How long a replica holds a run it executes; renewed while it does, so a dead replica's runs come back. */
export const LEASE_MS = 30_000;

const S = 'automation';

/**
 * The loop check: the positions (1-based) of the (automation, lead, chain) questions that already have a run.
 * A lateral probe, not EXISTS: a prepared statement keeps its generic plan, and the one EXISTS got on a new
 * (empty) runs table was a hash join over a scan of every run, kept while the table grew (2.4 ms a call after
 * 7,000 runs under bench:automation). The lateral form is a nested loop, whose cheapest inner side is a
 * runs_chain_idx probe even on an empty table.
 */
export const RAN_IN_CHAINS_SQL = `SELECT q.ord::int AS ord
  FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bool[]) WITH ORDINALITY
    AS q(automation_id, entry_id, correlation_id, ignore_cancelled, ord)
  CROSS JOIN LATERAL (
    SELECT 1 FROM ${S}.runs r
    WHERE r.automation_id = q.automation_id AND r.entry_id = q.entry_id
      AND r.correlation_id = q.correlation_id AND NOT r.dry_run AND r.status <> 'skipped'
      AND (NOT q.ignore_cancelled OR r.status <> 'cancelled')
    LIMIT 1) ran`;

export interface NewRun {
  id: string;
  organizationId: string;
  automationId: string;
  automationVersion: number;
  triggerKey: string;
  status: RunStatus;
  reason: string | null;
  sandbox: boolean;
  dryRun: boolean;
  triggerName: string | null;
  entryId: string | null;
  correlationId: string;
  depth: number;
  context: RunContextRef;
  snapshot: RunSnapshot;
  /** Recorded as already finished (skipped, dry-run). */
  finished: boolean;
}

export interface NewStep {
  index: number;
  actionId: string;
  type: string;
  params: Record<string, unknown>;
  status: StepStatus;
  /** Attempts already begun (an executing run's first step is recorded begun with the run). */
  attempts?: number;
  output?: unknown;
  wouldDo?: unknown;
  error?: string | null;
  /** Recorded as already done (dry-run). */
  finished?: boolean;
}

/** A run as the executor needs it. */
export interface StoredRun {
  id: string;
  organizationId: string;
  automationId: string;
  automationVersion: number;
  automationName: string;
  status: RunStatus;
  sandbox: boolean;
  dryRun: boolean;
  entryId: string | null;
  correlationId: string;
  depth: number;
  triggerKey: string;
  snapshot: RunSnapshot;
  startedAt: Date;
}

export interface ClaimedRun extends StoredRun {
  steps: StoredStep[];
  /** The step whose first attempt was recorded begun with the run (a run inserted leased). */
  begunStep?: number;
}

export interface StoredStep {
  index: number;
  actionId: string;
  type: string;
  params: Record<string, unknown>;
  status: StepStatus;
  attempts: number;
  output: unknown;
}

interface RunRow {
  id: string;
  organization_id: string;
  automation_id: string;
  automation_version: number;
  automation_name: string;
  status: RunStatus;
  sandbox: boolean;
  dry_run: boolean;
  entry_id: string | null;
  correlation_id: string;
  depth: number;
  trigger_key: string;
  snapshot: RunSnapshot;
  started_at: Date | string;
}

interface StepRow {
  index: number;
  action_id: string;
  type: string;
  params: Record<string, unknown>;
  status: StepStatus;
  attempts: number;
  output: unknown;
}

/** What ending a running run writes (the arguments are SQL: parameters or literals); no row when it had ended. */
const endRunSql = (runId: string, status: string, error: string): string =>
  `UPDATE ${S}.runs SET status = ${status}, error = ${error}, finished_at = now(), lease_until = NULL
   WHERE id = ${runId} AND status = 'running' RETURNING id`;

// A json/jsonb parameter: pg sends a JS array as a Postgres array, so values are serialized here.
const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

/** Has this automation run for this lead in this correlation chain? */
export interface ChainQuestion {
  automationId: string;
  entryId: string;
  correlationId: string;
  ignoreCancelled: boolean;
}

/** Runs and their steps: every read and write of the engine on them. */
@Injectable()
export class RunsRepository {
  constructor(@Inject(EXECUTION_DATA_SOURCE) private readonly dataSource: DataSource) {}

  private q(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  /** A statement every run makes, as a prepared statement (see `prepared`); in `manager`'s transaction if given. */
  private queryHot<T>(sql: string, params: unknown[], manager?: EntityManager): Promise<T[]> {
    return queryPrepared<T>(this.dataSource, manager, prepared(sql), params);
  }

  /**
   * Which of these (automation, lead, correlation chain) questions already have a run: loop detection for
   * any number of events and automations in one query, answered by the positions of the questions that ran.
   * Skipped and dry runs never count; `ignoreCancelled` for a restart by start_workflow, which cancels first.
   */
  async ranInChains(manager: EntityManager, questions: ChainQuestion[]): Promise<Set<number>> {
    if (questions.length === 0) return new Set();
    const rows = await this.queryHot<{ ord: number }>(
      RAN_IN_CHAINS_SQL,
      [
        questions.map((q) => q.automationId),
        questions.map((q) => q.entryId),
        questions.map((q) => q.correlationId),
        questions.map((q) => q.ignoreCancelled),
      ],
      manager,
    );
    return new Set(rows.map((r) => r.ord - 1));
  }

  /** Inserts the run and its steps in one statement; false when the (automation, trigger key) run exists. */
  async insertRun(manager: EntityManager, run: NewRun, steps: NewStep[]): Promise<boolean> {
    return (await this.insertRuns(manager, [{ run, steps }])).has(run.id);
  }

  /**
   * Inserts runs with their steps in one statement and returns the ids inserted (a run whose (automation,
   * trigger key) exists is not). With `leased`, running runs are inserted leased to the caller, which executes
   * them next without claiming them (a crash before that leaves them to the lease's expiry, like any other).
   */
  async insertRuns(
    manager: EntityManager,
    runs: { run: NewRun; steps: NewStep[] }[],
    leased = false,
  ): Promise<Set<string>> {
    if (runs.length === 0) return new Set();
    const rows = runs.map(({ run, steps }, ord) => ({
      ord,
      id: run.id,
      organization_id: run.organizationId,
      automation_id: run.automationId,
      automation_version: run.automationVersion,
      trigger_key: run.triggerKey,
      status: run.status,
      reason: run.reason,
      sandbox: run.sandbox,
      dry_run: run.dryRun,
      trigger_name: run.triggerName,
      entry_id: run.entryId,
      correlation_id: run.correlationId,
      depth: run.depth,
      context: run.context,
      snapshot: run.snapshot,
      finished: run.finished,
      steps: steps.map((step) => ({
        index: step.index,
        action_id: step.actionId,
        type: step.type,
        params: step.params,
        status: step.status,
        attempts: step.attempts ?? 0,
        output: step.output ?? null,
        would_do: step.wouldDo ?? null,
        error: step.error ?? null,
        finished: step.finished ?? false,
      })),
    }));
    const inserted = await this.queryHot<{ id: string }>(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, organization_id uuid,
           automation_id uuid, automation_version int, trigger_key text, status text, reason text, sandbox boolean,
           dry_run boolean, trigger_name text, entry_id uuid, correlation_id text, depth int, context jsonb,
           snapshot jsonb, finished boolean, steps jsonb, ord int)
       ), run AS (
         INSERT INTO ${S}.runs (id, organization_id, automation_id, automation_version, trigger_key, status, reason,
           sandbox, dry_run, trigger_name, entry_id, correlation_id, depth, context, snapshot, finished_at,
           lease_until)
         SELECT id, organization_id, automation_id, automation_version, trigger_key, status, reason, sandbox,
           dry_run, trigger_name, entry_id, correlation_id, depth, context, snapshot,
           CASE WHEN finished THEN now() END,
           CASE WHEN $2::boolean AND status = 'running' THEN now() + make_interval(secs => $3) END
         FROM input ORDER BY ord
         ON CONFLICT (automation_id, trigger_key) DO NOTHING
         RETURNING id
       ), steps AS (
         INSERT INTO ${S}.run_steps (run_id, index, action_id, type, params, status, attempts, output, would_do,
           error, started_at, finished_at)
         SELECT run.id, s.index, s.action_id, s.type, s.params, s.status, s.attempts, s.output, s.would_do,
           s.error, CASE WHEN s.finished OR s.attempts > 0 THEN now() END, CASE WHEN s.finished THEN now() END
         FROM run JOIN input ON input.id = run.id,
           jsonb_to_recordset(input.steps) AS s(index int, action_id text, type text, params jsonb, status text,
             attempts int, output jsonb, would_do jsonb, error text, finished boolean)
       )
       SELECT id FROM run`,
      [json(rows), leased, LEASE_MS / 1000],
      manager,
    );
    return new Set(inserted.map((r) => r.id));
  }

  /**
   * The runs an event started, in the order their automations were created (uses the unique
   * (automation_id, trigger_key) index through the organization's automations).
   */
  async runsOfEvent(organizationId: string, eventId: string): Promise<{ id: string; status: RunStatus }[]> {
    return (await this.q().query(
      `SELECT r.id, r.status FROM ${S}.automations a
       JOIN ${S}.runs r ON r.automation_id = a.id AND r.trigger_key = $2
       WHERE a.organization_id = $1
       ORDER BY a.seq`,
      [organizationId, eventId],
    )) as { id: string; status: RunStatus }[];
  }

  /**
   * Takes the run for this replica unless another one holds it, and reads it with its steps and the name of
   * the automation version it runs (one round trip); null when it is not running or held elsewhere.
   */
  async claim(runId: string, takeOver = false): Promise<ClaimedRun | null> {
    const rows = await this.queryHot<RunRow & { steps: StoredStep[] }>(
      `WITH claimed AS (
         UPDATE ${S}.runs SET lease_until = now() + make_interval(secs => $2)
         WHERE id = $1 AND status = 'running' AND ($3 OR lease_until IS NULL OR lease_until < now())
         RETURNING id, organization_id, automation_id, automation_version, status, sandbox, dry_run, entry_id,
           correlation_id, depth, trigger_key, snapshot, started_at
       )
       SELECT c.*, COALESCE(v.name, a.name) AS automation_name,
         COALESCE((SELECT json_agg(json_build_object('index', s.index, 'actionId', s.action_id, 'type', s.type,
             'params', s.params, 'status', s.status, 'attempts', s.attempts, 'output', s.output) ORDER BY s.index)
           FROM ${S}.run_steps s WHERE s.run_id = c.id), '[]'::json) AS steps
       FROM claimed c
       JOIN ${S}.automations a ON a.id = c.automation_id
       LEFT JOIN ${S}.automation_versions v ON v.automation_id = c.automation_id AND v.version = c.automation_version`,
      [runId, LEASE_MS / 1000, takeOver],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      organizationId: r.organization_id,
      automationId: r.automation_id,
      automationVersion: r.automation_version,
      automationName: r.automation_name,
      status: r.status,
      sandbox: r.sandbox,
      dryRun: r.dry_run,
      entryId: r.entry_id,
      correlationId: r.correlation_id,
      depth: r.depth,
      triggerKey: r.trigger_key,
      snapshot: r.snapshot,
      startedAt: new Date(r.started_at),
      steps: r.steps,
    };
  }

  /** Extends this holder's lease of running runs (one statement for all). */
  async renewLeases(runIds: string[]): Promise<void> {
    if (runIds.length === 0) return;
    await this.q().query(
      `UPDATE ${S}.runs SET lease_until = now() + make_interval(secs => $2)
       WHERE id = ANY($1::uuid[]) AND status = 'running'`,
      [runIds, LEASE_MS / 1000],
    );
  }

  /** Gives leases back, so that a retry (here or elsewhere) takes the runs at once. */
  async releaseLeases(runIds: string[]): Promise<void> {
    if (runIds.length === 0) return;
    await this.q().query(`UPDATE ${S}.runs SET lease_until = NULL WHERE id = ANY($1::uuid[])`, [runIds]);
  }

  /** Running runs nobody holds: their replica died (lease expired) or never got to them (created long ago). */
  async abandonedRuns(limit: number, unclaimedAfterMs: number): Promise<string[]> {
    const rows = (await this.q().query(
      `SELECT id FROM ${S}.runs
       WHERE status = 'running' AND NOT dry_run
         AND (lease_until < now() OR (lease_until IS NULL AND started_at < now() - make_interval(secs => $2)))
       ORDER BY id LIMIT $1`,
      [limit, unclaimedAfterMs / 1000],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  async status(runId: string): Promise<RunStatus | null> {
    const rows = (await this.q().query(`SELECT status FROM ${S}.runs WHERE id = $1`, [runId])) as {
      status: RunStatus;
    }[];
    return rows[0]?.status ?? null;
  }

  /** The run's status and its steps in order, read together so a step is never run for a stopped run. */
  async progress(runId: string): Promise<{ status: RunStatus | null; steps: StoredStep[] }> {
    const rows = (await this.q().query(
      `SELECT r.status AS run_status, s.index, s.action_id, s.type, s.params, s.status, s.attempts, s.output
       FROM ${S}.runs r LEFT JOIN ${S}.run_steps s ON s.run_id = r.id
       WHERE r.id = $1 ORDER BY s.index`,
      [runId],
    )) as (StepRow & { run_status: RunStatus })[];
    if (rows.length === 0) return { status: null, steps: [] };
    return {
      status: rows[0]!.run_status,
      steps: rows
        .filter((r) => r.index !== null)
        .map((r) => ({
          index: r.index,
          actionId: r.action_id,
          type: r.type,
          params: r.params,
          status: r.status,
          attempts: r.attempts,
          output: r.output,
        })),
    };
  }

  /** Marks an attempt of the step begun; returns the attempts made so far, this one included. */
  async startAttempt(runId: string, index: number): Promise<number> {
    const rows = await this.queryHot<{ attempts: number }>(
      `UPDATE ${S}.run_steps SET status = 'running', attempts = attempts + 1,
         started_at = COALESCE(started_at, now())
       WHERE run_id = $1 AND index = $2 RETURNING attempts`,
      [runId, index],
    );
    return rows[0]?.attempts ?? 1;
  }

  /** Records the error of an attempt that will be retried. */
  async attemptFailed(runId: string, index: number, error: string): Promise<void> {
    await this.q().query(`UPDATE ${S}.run_steps SET error = $3 WHERE run_id = $1 AND index = $2`, [
      runId,
      index,
      error,
    ]);
  }

  /**
   * The statement that records a step's end; it returns the run's status (a stop meanwhile ends the run
   * there). A statement, so that the outbox rows of the step can be written with it as one.
   */
  finishStepStatement(
    runId: string,
    index: number,
    result: { status: StepStatus; output?: unknown; wouldDo?: unknown; error?: string | null },
  ): Statement {
    return {
      sql: `UPDATE ${S}.run_steps SET status = $3, output = $4::jsonb, would_do = $5::jsonb, error = $6,
              started_at = COALESCE(started_at, now()), finished_at = now()
            WHERE run_id = $1 AND index = $2
            RETURNING (SELECT status FROM ${S}.runs WHERE id = $1) AS run_status`,
      params: [
        runId,
        index,
        result.status,
        json(result.output ?? null),
        json(result.wouldDo ?? null),
        result.error ?? null,
      ],
    };
  }

  /**
   * The statement that records the run's last step and completes the run with it; it returns a row only when
   * the run was still running (so that run.completed is written only then).
   */
  finishLastStepStatement(
    runId: string,
    index: number,
    result: { status: StepStatus; output?: unknown; error?: string | null },
  ): Statement {
    const step = this.finishStepStatement(runId, index, result);
    return {
      ctes: `step AS (${step.sql})`,
      sql: endRunSql('$1', `'completed'`, 'NULL'),
      params: step.params,
    };
  }

  /** Runs a statement (in `manager`'s transaction when given); the run's status it returned. */
  async runStatement(statement: Statement, manager?: EntityManager): Promise<RunStatus | null> {
    const rows = await queryStatement<{ run_status: RunStatus }>(this.dataSource, manager, statement);
    return rows[0]?.run_status ?? null;
  }

  /**
   * Inserts actions as pending steps right after `index`, moving the later steps down. The primary key
   * (run_id, index) is checked row by row, so the move goes through negative indexes.
   */
  async insertStepsAfter(
    manager: EntityManager,
    runId: string,
    index: number,
    actions: AutomationAction[],
  ): Promise<void> {
    if (actions.length === 0) return;
    const n = actions.length;
    await manager.query(`UPDATE ${S}.run_steps SET index = -(index + $3) WHERE run_id = $1 AND index > $2`, [
      runId,
      index,
      n,
    ]);
    await manager.query(`UPDATE ${S}.run_steps SET index = -index WHERE run_id = $1 AND index < 0`, [runId]);
    await manager.query(
      `INSERT INTO ${S}.run_steps (run_id, index, action_id, type, params, status)
       SELECT $1, $2 + s.ord, s.id, s.type, s.params, 'pending'
       FROM ROWS FROM (jsonb_to_recordset($3::jsonb) AS (id text, type text, params jsonb))
         WITH ORDINALITY AS s(id, type, params, ord)`,
      [runId, index, json(actions)],
    );
  }

  /** Steps that will not run (the run failed or was stopped). */
  async skipRemaining(manager: EntityManager, runId: string): Promise<void> {
    await manager.query(
      `UPDATE ${S}.run_steps SET status = 'skipped' WHERE run_id = $1 AND status IN ('pending', 'running')`,
      [runId],
    );
  }

  /** The statement that ends a running run; it returns no row when the run had already ended. */
  finishRunStatement(runId: string, status: 'completed' | 'failed', error: string | null = null): Statement {
    return { sql: endRunSql('$1', '$2', '$3'), params: [runId, status, error] };
  }

  /** Runs a statement outside any transaction (atomic on its own). */
  async execute(statement: Statement): Promise<void> {
    await queryStatement(this.dataSource, undefined, statement);
  }

  /** Ends a running run; false when it had already ended (stopped meanwhile). */
  async finishRun(
    manager: EntityManager,
    runId: string,
    status: 'completed' | 'failed',
    error: string | null = null,
  ): Promise<boolean> {
    const finish = this.finishRunStatement(runId, status, error);
    return returnedRows(await manager.query(finish.sql, finish.params)).length > 0;
  }

  /**
   * Stops the running runs of a lead: of one automation, or of every automation but one; never `exceptRunId`.
   * Their remaining steps are skipped. Returns the ids stopped.
   */
  async cancelRuns(
    manager: EntityManager,
    scope: {
      organizationId: string;
      entryId: string;
      automationId?: string;
      exceptAutomationId?: string;
      exceptRunId: string;
      reason: string;
    },
  ): Promise<string[]> {
    const rows = returnedRows<{ id: string }>(
      await manager.query(
        `UPDATE ${S}.runs SET status = 'cancelled', reason = $6, finished_at = now(), lease_until = NULL
         WHERE organization_id = $1 AND entry_id = $2 AND status IN ('running', 'waiting') AND id <> $3
           AND ($4::uuid IS NULL OR automation_id = $4) AND ($5::uuid IS NULL OR automation_id <> $5)
         RETURNING id`,
        [
          scope.organizationId,
          scope.entryId,
          scope.exceptRunId,
          scope.automationId ?? null,
          scope.exceptAutomationId ?? null,
          scope.reason,
        ],
      ),
    );
    const ids = rows.map((r) => r.id).sort();
    await this.afterCancel(manager, ids);
    return ids;
  }

  /**
   * Cancels one running or waiting run (the API's cancel); false when it is neither. Its remaining steps are
   * skipped, its open task cancelled and its timer with it.
   */
  async cancelRun(manager: EntityManager, runId: string, reason: string): Promise<boolean> {
    const rows = returnedRows(
      await manager.query(
        `UPDATE ${S}.runs SET status = 'cancelled', reason = $2, finished_at = now(), lease_until = NULL
         WHERE id = $1 AND status IN ('running', 'waiting') RETURNING id`,
        [runId, reason],
      ),
    );
    if (rows.length === 0) return false;
    await this.afterCancel(manager, [runId]);
    return true;
  }

  /** What a cancelled run leaves behind: steps that will not run, its open task, its pending timer. */
  private async afterCancel(manager: EntityManager, runIds: string[]): Promise<void> {
    if (runIds.length === 0) return;
    await manager.query(
      `WITH steps AS (
         UPDATE ${S}.run_steps SET status = 'skipped'
         WHERE run_id = ANY($1::uuid[]) AND status IN ('pending', 'running', 'waiting') RETURNING 1
       ), tasks AS (
         UPDATE ${S}.tasks SET status = 'cancelled' WHERE run_id = ANY($1::uuid[]) AND status = 'open' RETURNING 1
       )
       UPDATE ${S}.timers SET state = 'cancelled', done_at = now()
       WHERE key = ANY($2::text[]) AND state = 'pending'`,
      [runIds, runIds.map(wakeKey)],
    );
  }

  /**
   * Suspends the running run at this step: the step waits (until `resumeAt`, when given), the run is
   * `waiting` and leased to nobody. Returns the run's status: `waiting`, or what a stop meanwhile made it.
   */
  async suspend(
    manager: EntityManager,
    runId: string,
    index: number,
    output: unknown,
    resumeAt: Date | null,
  ): Promise<RunStatus | null> {
    const rows = (await manager.query(
      `WITH run AS (
         UPDATE ${S}.runs SET status = 'waiting', lease_until = NULL WHERE id = $1 AND status = 'running'
         RETURNING status
       ), step AS (
         UPDATE ${S}.run_steps SET status = 'waiting', output = $3::jsonb, resume_at = $4, error = NULL,
           started_at = COALESCE(started_at, now())
         WHERE run_id = $1 AND index = $2 AND EXISTS (SELECT 1 FROM run) RETURNING 1
       )
       SELECT COALESCE((SELECT status FROM run), (SELECT status FROM ${S}.runs WHERE id = $1)) AS run_status`,
      [runId, index, json(output ?? null), resumeAt],
    )) as { run_status: RunStatus | null }[];
    return rows[0]?.run_status ?? null;
  }

  /**
   * Ends the waits of these runs (their timers fired): the waiting step completes, noting when it resumed (the
   * time of this write, just before the firing commits) and whether late, and the run runs again, leased to this
   * replica. Returns the runs resumed.
   */
  async resumeWaits(
    manager: EntityManager,
    waits: { runId: string; index: number; late: boolean }[],
  ): Promise<string[]> {
    if (waits.length === 0) return [];
    const rows = (await manager.query(
      `WITH t AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(run_id uuid, index int, late boolean)
       ), run AS (
         UPDATE ${S}.runs r SET status = 'running', lease_until = now() + make_interval(secs => $2)
         FROM t WHERE r.id = t.run_id AND r.status = 'waiting' RETURNING r.id
       ), step AS (
         UPDATE ${S}.run_steps s SET status = 'completed', finished_at = clock_timestamp(),
           output = COALESCE(s.output, '{}'::jsonb) || jsonb_build_object('resumedAt', clock_timestamp(), 'late', t.late)
         FROM t JOIN run ON run.id = t.run_id
         WHERE s.run_id = t.run_id AND s.index = t.index AND s.status = 'waiting' RETURNING s.run_id
       )
       SELECT run_id AS id FROM step`,
      [json(waits.map((w) => ({ run_id: w.runId, index: w.index, late: w.late }))), LEASE_MS / 1000],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /**
   * Completes the waiting step with `output` and runs the run again, leased to this replica (a task done or
   * continued past its deadline); false when the run was not waiting.
   */
  async continueWaiting(
    manager: EntityManager,
    runId: string,
    index: number,
    output: unknown,
  ): Promise<boolean> {
    const rows = (await manager.query(
      `WITH run AS (
         UPDATE ${S}.runs SET status = 'running', lease_until = now() + make_interval(secs => $4)
         WHERE id = $1 AND status = 'waiting' RETURNING id
       ), step AS (
         UPDATE ${S}.run_steps SET status = 'completed', output = $3::jsonb, finished_at = now()
         WHERE run_id = $1 AND index = $2 AND status = 'waiting' AND EXISTS (SELECT 1 FROM run) RETURNING 1
       )
       SELECT id FROM run`,
      [runId, index, json(output ?? null), LEASE_MS / 1000],
    )) as unknown[];
    return rows.length > 0;
  }

  /**
   * Fails the waiting run at its waiting step (a task past its deadline): the step fails with `error`, the
   * rest is skipped. Returns the run as the failure event needs it, or null when it was not waiting.
   */
  async failWaiting(manager: EntityManager, runId: string, index: number, error: string, runError: string) {
    const run = returnedRows<RunRow>(
      await manager.query(
        `UPDATE ${S}.runs SET status = 'failed', error = $2, finished_at = now(), lease_until = NULL
         WHERE id = $1 AND status = 'waiting'
         RETURNING id, organization_id, automation_id, automation_version, entry_id, sandbox, depth, snapshot`,
        [runId, runError],
      ),
    )[0];
    if (!run) return null;
    await manager.query(
      `UPDATE ${S}.run_steps SET status = CASE WHEN index = $2 THEN 'failed' ELSE 'skipped' END,
         error = CASE WHEN index = $2 THEN $3 ELSE error END,
         finished_at = CASE WHEN index = $2 THEN now() ELSE finished_at END
       WHERE run_id = $1 AND (index = $2 OR status IN ('pending', 'running'))`,
      [runId, index, error],
    );
    return {
      id: run.id,
      organizationId: run.organization_id,
      automationId: run.automation_id,
      automationVersion: run.automation_version,
      entryId: run.entry_id,
      sandbox: run.sandbox,
      depth: run.depth,
      snapshot: run.snapshot,
    };
  }

  /**
   * A failed run runs again from its failed step (the API's retry): that step and the ones its failure
   * skipped are pending again, completed steps stay done. Leased to this replica; false when not failed.
   */
  async reopenFailed(manager: EntityManager, runId: string): Promise<boolean> {
    const rows = returnedRows(
      await manager.query(
        `UPDATE ${S}.runs SET status = 'running', error = NULL, finished_at = NULL,
           lease_until = now() + make_interval(secs => $2)
         WHERE id = $1 AND status = 'failed' RETURNING id`,
        [runId, LEASE_MS / 1000],
      ),
    );
    if (rows.length === 0) return false;
    await manager.query(
      `UPDATE ${S}.run_steps SET status = 'pending', finished_at = NULL
       WHERE run_id = $1 AND (status = 'failed'
         OR (status = 'skipped' AND finished_at IS NULL
           AND index > (SELECT min(index) FROM ${S}.run_steps WHERE run_id = $1 AND status = 'failed')))`,
      [runId],
    );
    return true;
  }

  /** The running runs a stop would cancel (sandbox, dry-run). */
  async runningRuns(scope: {
    organizationId: string;
    entryId: string;
    automationId?: string;
    exceptAutomationId?: string;
    exceptRunId: string;
  }): Promise<string[]> {
    const rows = (await this.q().query(
      `SELECT id FROM ${S}.runs
       WHERE organization_id = $1 AND entry_id = $2 AND status = 'running' AND id <> $3
         AND ($4::uuid IS NULL OR automation_id = $4) AND ($5::uuid IS NULL OR automation_id <> $5)
       ORDER BY id`,
      [
        scope.organizationId,
        scope.entryId,
        scope.exceptRunId,
        scope.automationId ?? null,
        scope.exceptAutomationId ?? null,
      ],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** Runs started by this run's start_workflow steps (to execute after it, also when it is resumed). */
  async startedRuns(runId: string): Promise<string[]> {
    const rows = (await this.q().query(
      `SELECT output->>'runId' AS id FROM ${S}.run_steps
       WHERE run_id = $1 AND type = 'start_workflow' AND status = 'completed' AND output ? 'runId'
       ORDER BY index`,
      [runId],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }
}
