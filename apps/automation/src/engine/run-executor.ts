import { EXECUTION_DATA_SOURCE } from './execution-data-source';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  AUTOMATION_RUN_COMPLETED,
  AUTOMATION_RUN_FAILED,
  DomainError,
  actionDefinition,
  isActionType,
  type Actor,
  type RunStatus,
  type StepStatus,
} from '@rocketlead/contracts';
import { MetricsRegistry, ServiceOutbox, type Statement } from '@rocketlead/messaging';
import { JsonLogger } from '@rocketlead/observability';
import { ActionRegistry } from '../actions/action-registry';
import {
  StepFailure,
  isTransient,
  type ExecutingRun,
  type StepInput,
  type StepResult,
} from '../actions/action-handler';
import {
  LEASE_MS,
  RunsRepository,
  type ClaimedRun,
  type StoredRun,
  type StoredStep,
} from '../runs/runs.repository';
import { fromRunSnapshot, runContext, type ContextStep } from './run-context';
import { runEvent } from './run-factory';
import { RunMetrics } from './run-metrics';
import { AutomationTimers } from '../timers/automation-timers';
import { wakeKey } from '../timers/timer-kind';

/** Attempts of a step failing with transient errors before it fails. */
export const MAX_ATTEMPTS = 3;
/** Wait before attempt n + 1: 200 ms, 800 ms. */
export const retryDelayMs = (attempt: number): number => 200 * 4 ** (attempt - 1);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function stepActor(run: ExecutingRun): Actor {
  const event = run.snapshot.event;
  return {
    organizationId: run.organizationId,
    channel: 'automation',
    apiTokenId: event.apiTokenId,
    memberId: event.memberId,
    correlationId: event.correlationId,
    traceparent: event.traceparent,
  };
}

export function executingRun(run: StoredRun): ExecutingRun {
  return {
    id: run.id,
    organizationId: run.organizationId,
    automationId: run.automationId,
    automationVersion: run.automationVersion,
    automationName: run.automationName,
    entryId: run.entryId,
    correlationId: run.correlationId,
    depth: run.depth,
    sandbox: run.sandbox,
    dryRun: run.dryRun,
    snapshot: fromRunSnapshot(run.snapshot),
  };
}

interface StepOutcome {
  failed: boolean;
  /** The step ended the run with it (the run's last step). */
  endedRun?: boolean;
  /** The run's status when the step ended (not running: it was stopped meanwhile). */
  runStatus: RunStatus | null;
  /** The step changed the run's list of steps (inserted some) or other runs: read them again. */
  changedSteps: boolean;
  status: StepStatus;
  output: unknown;
}

/**
 * What executing a run came to. `ended`: it is no longer running (completed, failed, waiting or stopped);
 * `startsRuns`: it has start_workflow steps, whose runs come next; `changedOthers`: a step wrote beyond its
 * own row (other runs, inserted steps).
 */
interface Executed {
  ended: boolean;
  startsRuns: boolean;
  changedOthers: boolean;
}

const NOT_EXECUTED: Executed = { ended: false, startsRuns: false, changedOthers: false };

const FAILED: StepOutcome = {
  failed: true,
  runStatus: null,
  changedSteps: false,
  status: 'failed',
  output: null,
};

const contextSteps = (steps: StoredStep[], before: number): ContextStep[] =>
  steps
    .filter((s) => s.index < before)
    .map((s) => ({ index: s.index, type: s.type, status: s.status, output: s.output }));

/** The step's error as stored: the message, and the details that say what to fix (leads' typeErrors). */
function failureOf(error: unknown): { message: string; output: unknown } {
  if (error instanceof StepFailure)
    return { message: error.message, output: error.details ? { error: error.details } : null };
  if (error instanceof DomainError)
    return { message: error.message, output: { error: { code: error.code, ...(error.details ?? {}) } } };
  return { message: (error as Error).message ?? String(error), output: null };
}

/**
 * Executes runs step by step. A run is held by a lease (renewed while it executes) so that two replicas never
 * execute it at once; every step is recorded before and after it runs, so a run resumed after a crash goes
 * on at the step it was in, which its idempotency key makes safe to repeat.
 */
@Injectable()
export class RunExecutor {
  private readonly inFlight = new Map<string, Promise<Executed>>();
  private readonly metrics = new RunMetrics();

  constructor(
    @Inject(EXECUTION_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly runs: RunsRepository,
    private readonly registry: ActionRegistry,
    private readonly outbox: ServiceOutbox,
    private readonly logger: JsonLogger,
    private readonly timers: AutomationTimers,
    metricsRegistry: MetricsRegistry,
  ) {
    metricsRegistry.register({
      statusName: 'runs',
      collect: () => Promise.resolve({ status: this.metrics.status(), metrics: this.metrics.samples() }),
    });
  }

  /**
   * Executes the runs an event started, in creation order. `started` (recorded leased by the handler in this
   * process) spares the lookup and the claim; without it (a redelivery) the event's runs are read and any
   * unfinished one resumed.
   */
  async executeEventRuns(organizationId: string, eventId: string, started?: ClaimedRun[]): Promise<void> {
    if (started) {
      await this.executeLeased(started);
      return;
    }
    for (const run of await this.runs.runsOfEvent(organizationId, eventId)) {
      if (run.status === 'running') await this.execute(run.id);
      // It ended, but the runs it started may not have (the process stopped in between).
      else if (run.status !== 'skipped') await this.executeStarted(run.id, true);
    }
  }

  /**
   * Executes runs recorded leased to this process, in order. The leases of those still waiting their turn are
   * renewed too: a run behind a slow one must not look abandoned to the sweep.
   */
  private async executeLeased(started: ClaimedRun[]): Promise<void> {
    const waiting = new Set(started.map((run) => run.id));
    const renew = setInterval(() => {
      this.runs.renewLeases([...waiting]).catch(() => undefined);
    }, LEASE_MS / 3);
    try {
      let stale = false;
      for (const run of started) {
        waiting.delete(run.id);
        // A run before it wrote beyond its own steps (stop_workflow, start_workflow…): it may have stopped this
        // one, so read it again rather than trust the copy made when it was recorded.
        const acquire = stale
          ? async () => {
              const claimed = await this.runs.claim(run.id, true);
              return claimed && { ...claimed, begunStep: run.begunStep };
            }
          : () => Promise.resolve(run);
        const executed = await this.executeOnce(run.id, acquire);
        stale = stale || executed.changedOthers;
      }
    } finally {
      clearInterval(renew);
      // Stopped by an error: the runs not reached are the redelivery's to take at once.
      if (waiting.size > 0) await this.runs.releaseLeases([...waiting]).catch(() => undefined);
    }
  }

  /**
   * Executes a run to its end, unless it is not running. With `wait`, a run held by another replica is
   * waited for (it keeps the lead's order); without, it is left to that replica.
   */
  async execute(runId: string, wait = true): Promise<void> {
    await this.executeOnce(runId, () => this.acquire(runId, wait));
  }

  /**
   * Executes a run this replica has just leased while making it run again (a wait ended, a task completed, a
   * retry): the lease is taken over rather than waited out.
   */
  async executeResumed(runId: string): Promise<void> {
    await this.executeOnce(runId, () => this.runs.claim(runId, true));
  }

  private executeOnce(runId: string, acquire: () => Promise<ClaimedRun | null>): Promise<Executed> {
    const current = this.inFlight.get(runId);
    if (current) return current;
    const work = this.executeHeld(runId, acquire).finally(() => this.inFlight.delete(runId));
    this.inFlight.set(runId, work);
    return work;
  }

  private async executeHeld(runId: string, acquire: () => Promise<ClaimedRun | null>): Promise<Executed> {
    const claimed = await acquire();
    if (!claimed) return NOT_EXECUTED;
    const renew = setInterval(() => {
      this.runs.renewLeases([runId]).catch(() => undefined);
    }, LEASE_MS / 3);
    let outcome: Executed = NOT_EXECUTED;
    try {
      outcome = await this.executeSteps(claimed);
    } finally {
      clearInterval(renew);
      // An ended run gave its lease back with its end; otherwise let a retry (here or elsewhere) take it at
      // once. If this fails, the lease expires by itself.
      if (!outcome.ended) await this.runs.releaseLeases([runId]).catch(() => undefined);
    }
    if (outcome.startsRuns) await this.executeStarted(runId, false);
    return outcome;
  }

  /** Runs started by start_workflow steps of this run, after it, in the order of their steps. */
  private async executeStarted(runId: string, wait: boolean): Promise<void> {
    for (const id of await this.runs.startedRuns(runId)) await this.execute(id, wait);
  }

  private async acquire(runId: string, wait: boolean): Promise<ClaimedRun | null> {
    const deadline = Date.now() + LEASE_MS + 5_000;
    for (;;) {
      const claimed = await this.runs.claim(runId);
      if (claimed) return claimed;
      if ((await this.runs.status(runId)) !== 'running' || !wait) return null;
      // Transient for the consumer: it retries later, still holding the lead's queue.
      if (Date.now() > deadline) throw new Error(`run ${runId} is held by another replica`);
      await sleep(250);
    }
  }

  /** Executes the remaining steps in order. */
  private async executeSteps(claimed: ClaimedRun): Promise<Executed> {
    const run = executingRun(claimed);
    const automation = { id: run.automationId, name: run.automationName, version: run.automationVersion };
    let steps = claimed.steps;
    let begun = claimed.begunStep;
    let changedOthers = false;
    for (;;) {
      const startsRuns = steps.some((s) => s.type === 'start_workflow');
      const unfinished = steps.filter((s) => s.status === 'pending' || s.status === 'running');
      const next = unfinished[0];
      if (!next) {
        await this.finishRun(run);
        return { ended: true, startsRuns, changedOthers };
      }
      const input: StepInput = {
        run,
        step: { index: next.index, actionId: next.actionId, type: next.type, params: next.params },
        context: runContext(run.snapshot, automation, contextSteps(steps, next.index)),
        idempotencyKey: `${run.id}:${next.index}`,
        actor: stepActor(run),
      };
      const step = await this.executeStep(input, {
        begun: begun === next.index,
        last: unfinished.length === 1,
      });
      begun = undefined;
      changedOthers = changedOthers || step.changedSteps;
      if (step.failed || step.endedRun) return { ended: true, startsRuns, changedOthers };
      // Waiting (the step suspended it) or stopped meanwhile: nothing more to do here.
      if (step.runStatus !== 'running') return { ended: true, startsRuns, changedOthers };
      if (step.changedSteps) {
        const progress = await this.runs.progress(run.id);
        if (progress.status !== 'running') return { ended: true, startsRuns, changedOthers };
        steps = progress.steps;
      } else {
        steps = steps.map((s) =>
          s.index === next.index ? { ...s, status: step.status, output: step.output } : s,
        );
      }
    }
  }

  /**
   * One step with its retries. `begun`: its first attempt was recorded with the run; `last`: no step follows,
   * so a plain completion ends the run in the same statement.
   */
  private async executeStep(input: StepInput, at: { begun: boolean; last: boolean }): Promise<StepOutcome> {
    const { run, step } = input;
    const handler = this.registry.handler(step.type);
    if (!handler || !isActionType(step.type)) {
      await this.failStep(input, new StepFailure(`unknown action type ${step.type}`));
      return FAILED;
    }
    const describeOnly = run.sandbox && actionDefinition(step.type).sideEffect;
    let begun = at.begun;
    for (;;) {
      const attempts = begun ? 1 : await this.runs.startAttempt(run.id, step.index);
      begun = false;
      let result: StepResult | null = null;
      let wouldDo: unknown;
      try {
        if (describeOnly) wouldDo = await handler.describe(input);
        else result = await handler.execute(input);
      } catch (error) {
        if (isTransient(error) && attempts < MAX_ATTEMPTS) {
          const message = (error as Error).message ?? String(error);
          this.logger.event('warn', 'step failed, will retry', {
            runId: run.id,
            step: step.index,
            attempts,
            error: message,
          });
          await this.runs.attemptFailed(run.id, step.index, message);
          await sleep(retryDelayMs(attempts));
          continue;
        }
        await this.failStep(input, error);
        return FAILED;
      }
      // A failure from here on is Postgres': it escapes, and the step runs again when the run resumes.
      if (result) return this.completeStep(input, result, at.last);
      const runStatus = await this.runs.runStatement(
        this.runs.finishStepStatement(run.id, step.index, { status: 'wouldRun', wouldDo }),
      );
      return { failed: false, runStatus, changedSteps: false, status: 'wouldRun', output: null };
    }
  }

  /**
   * Records the step completed (or skipped, when it had nothing to do), with what belongs to it (outbox events,
   * the handler's own writes, inserted steps) in the same transaction, so none of it can happen twice or
   * without the others.
   */
  private async completeStep(input: StepInput, result: StepResult, last: boolean): Promise<StepOutcome> {
    if (result.suspend) return this.suspendStep(input, result, result.suspend);
    const { run, step } = input;
    const events = result.events ?? [];
    const changedSteps = Boolean(result.commit) || Boolean(result.insert?.length);
    const status: StepStatus = result.skip === undefined ? 'completed' : 'skipped';
    const error = result.skip ?? null;
    let output = result.output;
    let runStatus: RunStatus | null;
    if (!changedSteps && last && events.length === 0) {
      // The last step's end and the run's, with run.completed (only if the run was still running): one statement.
      await this.finishRun(
        run,
        this.runs.finishLastStepStatement(run.id, step.index, { status, output, error }),
      );
      return { failed: false, endedRun: true, runStatus: null, changedSteps, status, output };
    }
    if (!changedSteps) {
      // The common case: one statement, atomic on its own (with the outbox rows when there are any).
      const finish = this.runs.finishStepStatement(run.id, step.index, { status, output, error });
      runStatus = await this.runs.runStatement(
        events.length ? this.outbox.statement(finish, events) : finish,
      );
    } else {
      runStatus = await this.dataSource.transaction(async (manager) => {
        if (result.commit) {
          const committed = await result.commit(manager);
          if (committed !== undefined) output = committed;
        }
        if (result.insert?.length)
          await this.runs.insertStepsAfter(manager, run.id, step.index, result.insert);
        if (events.length) await this.outbox.append(manager, events);
        return this.runs.runStatement(
          this.runs.finishStepStatement(run.id, step.index, { status, output, error }),
          manager,
        );
      });
    }
    if (events.length || result.commit) this.outbox.committed();
    return { failed: false, runStatus, changedSteps, status, output };
  }

  /**
   * The run waits at this step: the step's writes (a task), its events, the waiting marks and the timer that
   * ends the wait commit together. A run stopped meanwhile gets none of it.
   */
  private async suspendStep(
    input: StepInput,
    result: StepResult,
    suspend: NonNullable<StepResult['suspend']>,
  ): Promise<StepOutcome> {
    const { run, step } = input;
    const events = result.events ?? [];
    const runStatus = await this.dataSource.transaction(async (manager) => {
      const status = await this.runs.suspend(manager, run.id, step.index, result.output, suspend.resumeAt);
      if (status !== 'waiting') return status;
      if (result.commit) await result.commit(manager);
      if (events.length) await this.outbox.append(manager, events);
      if (suspend.resumeAt)
        await this.timers.schedule(manager, {
          key: wakeKey(run.id),
          kind: suspend.timerKind,
          dueAt: suspend.resumeAt,
          payload: { runId: run.id, index: step.index },
        });
      return status;
    });
    if (events.length || result.commit) this.outbox.committed();
    return { failed: false, runStatus, changedSteps: false, status: 'waiting', output: result.output };
  }

  private async failStep(input: StepInput, error: unknown): Promise<void> {
    const { run, step } = input;
    const failure = failureOf(error);
    const runError = `step ${step.index} (${step.type}) failed: ${failure.message}`;
    let ended = false;
    await this.dataSource.transaction(async (manager) => {
      await this.runs.runStatement(
        this.runs.finishStepStatement(run.id, step.index, {
          status: 'failed',
          output: failure.output,
          error: failure.message,
        }),
        manager,
      );
      await this.runs.skipRemaining(manager, run.id);
      if (await this.runs.finishRun(manager, run.id, 'failed', runError)) {
        await this.outbox.append(manager, [
          runEvent(AUTOMATION_RUN_FAILED, run, 'failed', runError, run.snapshot.event.id),
        ]);
        ended = true;
      }
    });
    this.outbox.committed();
    if (ended) this.metrics.runEnded('failed');
  }

  /**
   * One statement: the run ends (with its last step, when `ending` records it too) and its run.completed is
   * written only if it was still running.
   */
  private async finishRun(
    run: ExecutingRun,
    ending: Statement = this.runs.finishRunStatement(run.id, 'completed'),
  ): Promise<void> {
    await this.runs.execute(
      this.outbox.statement(
        ending,
        [runEvent(AUTOMATION_RUN_COMPLETED, run, 'completed', null, run.snapshot.event.id)],
        { onlyIfChanged: true },
      ),
    );
    this.outbox.committed();
    this.metrics.runEnded('completed');
  }
}
