import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  AUTOMATION_RUN_COMPLETED,
  AUTOMATION_RUN_FAILED,
  DomainError,
  actionDefinition,
  isActionType,
  type Actor,
} from '@rocketlead/contracts';
import { ServiceOutbox } from '@rocketlead/messaging';
import { JsonLogger } from '@rocketlead/observability';
import { ActionRegistry } from '../actions/action-registry';
import {
  StepFailure,
  isTransient,
  type ExecutingRun,
  type StepInput,
  type StepResult,
} from '../actions/action-handler';
import { LEASE_MS, RunsRepository, type StoredRun, type StoredStep } from '../runs/runs.repository';
import { fromRunSnapshot, runContext, type ContextStep } from './run-context';
import { runEvent } from './run-factory';

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
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: RunsRepository,
    private readonly registry: ActionRegistry,
    private readonly outbox: ServiceOutbox,
    private readonly logger: JsonLogger,
  ) {}

  /**
   * Executes the runs an event started, in creation order. `started` (from the handler in this process) spares
   * the lookup; without it (a redelivery) the event's runs are read and any unfinished one resumed.
   */
  async executeEventRuns(organizationId: string, eventId: string, started?: string[]): Promise<void> {
    if (started) {
      for (const id of started) await this.execute(id);
      return;
    }
    for (const run of await this.runs.runsOfEvent(organizationId, eventId)) {
      if (run.status === 'running') await this.execute(run.id);
      // It finished, but the runs it started may not have (the process stopped in between).
      else if (run.status === 'completed') await this.executeStarted(run.id, true);
    }
  }

  /**
   * Executes a run to its end, unless it is not running. With `wait`, a run held by another replica is
   * waited for (it keeps the lead's order); without, it is left to that replica.
   */
  execute(runId: string, wait = true): Promise<void> {
    const current = this.inFlight.get(runId);
    if (current) return current;
    const work = this.executeHeld(runId, wait).finally(() => this.inFlight.delete(runId));
    this.inFlight.set(runId, work);
    return work;
  }

  private async executeHeld(runId: string, wait: boolean): Promise<void> {
    if (!(await this.acquire(runId, wait))) return;
    const renew = setInterval(() => {
      this.runs.renewLease(runId).catch(() => undefined);
    }, LEASE_MS / 3);
    let startedRuns = false;
    try {
      startedRuns = await this.executeSteps(runId);
    } finally {
      clearInterval(renew);
      // Let a retry (here or elsewhere) take it at once; if this fails the lease expires by itself.
      await this.runs.releaseLease(runId).catch(() => undefined);
    }
    if (startedRuns) await this.executeStarted(runId, false);
  }

  /** Runs started by start_workflow steps of this run, after it, in the order of their steps. */
  private async executeStarted(runId: string, wait: boolean): Promise<void> {
    for (const id of await this.runs.startedRuns(runId)) await this.execute(id, wait);
  }

  private async acquire(runId: string, wait: boolean): Promise<boolean> {
    const deadline = Date.now() + LEASE_MS + 5_000;
    for (;;) {
      if (await this.runs.claim(runId)) return true;
      if ((await this.runs.status(runId)) !== 'running' || !wait) return false;
      // Transient for the consumer: it retries later, still holding the lead's queue.
      if (Date.now() > deadline) throw new Error(`run ${runId} is held by another replica`);
      await sleep(250);
    }
  }

  /** Executes the remaining steps; true when the run has start_workflow steps (their runs come next). */
  private async executeSteps(runId: string): Promise<boolean> {
    const stored = await this.runs.load(runId);
    if (!stored || stored.status !== 'running') return false;
    const run = executingRun(stored);
    const automation = { id: run.automationId, name: run.automationName, version: run.automationVersion };
    const snapshot = run.snapshot;
    for (;;) {
      const { status, steps } = await this.runs.progress(runId);
      const startsRuns = steps.some((s) => s.type === 'start_workflow');
      if (status !== 'running') return startsRuns;
      const next = steps.find((s) => s.status === 'pending' || s.status === 'running');
      if (!next) {
        await this.finishRun(run, 'completed', null);
        return startsRuns;
      }
      const input: StepInput = {
        run,
        step: { index: next.index, actionId: next.actionId, type: next.type, params: next.params },
        context: runContext(snapshot, automation, contextSteps(steps, next.index)),
        idempotencyKey: `${run.id}:${next.index}`,
        actor: stepActor(run),
      };
      if (!(await this.executeStep(input))) return startsRuns;
    }
  }

  /** One step with its retries; false when it failed (and with it the run). */
  private async executeStep(input: StepInput): Promise<boolean> {
    const { run, step } = input;
    const handler = this.registry.handler(step.type);
    if (!handler || !isActionType(step.type)) {
      await this.failStep(input, new StepFailure(`unknown action type ${step.type}`));
      return false;
    }
    const describeOnly = run.sandbox && actionDefinition(step.type).sideEffect;
    for (;;) {
      const attempts = await this.runs.startAttempt(run.id, step.index);
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
        return false;
      }
      // A failure from here on is Postgres': it escapes, and the step runs again when the run resumes.
      if (result) await this.completeStep(input, result);
      else await this.recordWouldDo(input, wouldDo);
      return true;
    }
  }

  private async completeStep(input: StepInput, result: StepResult): Promise<void> {
    const { run, step } = input;
    await this.dataSource.transaction(async (manager) => {
      let output = result.output;
      if (result.commit) {
        const committed = await result.commit(manager);
        if (committed !== undefined) output = committed;
      }
      if (result.insert?.length) await this.runs.insertStepsAfter(manager, run.id, step.index, result.insert);
      await this.runs.finishStep(manager, run.id, step.index, { status: 'completed', output });
      if (result.events?.length) await this.outbox.append(manager, result.events);
    });
    if (result.events?.length || result.commit) this.outbox.committed();
  }

  private async recordWouldDo(input: StepInput, wouldDo: unknown): Promise<void> {
    await this.dataSource.transaction((manager) =>
      this.runs.finishStep(manager, input.run.id, input.step.index, { status: 'wouldRun', wouldDo }),
    );
  }

  private async failStep(input: StepInput, error: unknown): Promise<void> {
    const { run, step } = input;
    const failure = failureOf(error);
    const runError = `step ${step.index} (${step.type}) failed: ${failure.message}`;
    await this.dataSource.transaction(async (manager) => {
      await this.runs.finishStep(manager, run.id, step.index, {
        status: 'failed',
        output: failure.output,
        error: failure.message,
      });
      await this.runs.skipRemaining(manager, run.id);
      if (await this.runs.finishRun(manager, run.id, 'failed', runError))
        await this.outbox.append(manager, [
          runEvent(AUTOMATION_RUN_FAILED, run, 'failed', runError, run.snapshot.event.id),
        ]);
    });
    this.outbox.committed();
  }

  private async finishRun(run: ExecutingRun, status: 'completed', error: null): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      if (await this.runs.finishRun(manager, run.id, status, error))
        await this.outbox.append(manager, [
          runEvent(AUTOMATION_RUN_COMPLETED, run, status, error, run.snapshot.event.id),
        ]);
    });
    this.outbox.committed();
  }
}
