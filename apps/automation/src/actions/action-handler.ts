import type { EntityManager } from 'typeorm';
import {
  DomainError,
  type Actor,
  type ActionType,
  type AutomationAction,
  type CloudEvent,
} from '@rocketlead/contracts';
import type { RunContext, StoredSnapshot } from '../engine/run-context';

/** A failure that retrying cannot fix (a missing recipient, a template error): fails the step and the run. */
export class StepFailure extends Error {
  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'StepFailure';
  }
}

/**
 * Transient: the other service unavailable or timing out (UNAVAILABLE), or anything that is not an expected
 * failure (Postgres or NATS trouble). Permanent: every other DomainError (a validation error from leads, a
 * missing lead) and StepFailure.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof StepFailure) return false;
  if (error instanceof DomainError) return error.code === 'UNAVAILABLE';
  return true;
}

/** The run a step belongs to, as the executor loaded it. */
export interface ExecutingRun {
  id: string;
  organizationId: string;
  automationId: string;
  automationVersion: number;
  automationName: string;
  entryId: string | null;
  correlationId: string;
  depth: number;
  sandbox: boolean;
  dryRun: boolean;
  snapshot: StoredSnapshot;
}

export interface StepInput {
  run: ExecutingRun;
  step: { index: number; actionId: string; type: string; params: Record<string, unknown> };
  /** The run context with the steps before this one. */
  context: RunContext;
  /** `<runId>:<index>`: passed to every service the step changes, so a repeat applies nothing. */
  idempotencyKey: string;
  /** Who the changes are made by: channel automation, token and member of the triggering event. */
  actor: Actor;
}

export interface StepResult {
  output: unknown;
  /** Events written to the outbox in the transaction that marks the step completed (exactly once). */
  events?: CloudEvent[];
  /**
   * Writes that belong to the step's completion, in its transaction; what it returns (unless undefined)
   * becomes the step's output.
   */
  commit?: (manager: EntityManager) => Promise<unknown>;
  /** Actions inserted as pending steps right after this one (a branch's chosen list). */
  insert?: AutomationAction[];
  /**
   * The run waits at this step (status `waiting`, `output` kept on the step) instead of going on: until
   * `resumeAt`, when a timer of `timerKind` fires, or until a person acts (a task) when `resumeAt` is null.
   */
  suspend?: { resumeAt: Date | null; timerKind: string };
  /**
   * The step had nothing to do, for this reason (no one to notify): it is recorded `skipped` with the reason
   * as its error, and the run goes on.
   */
  skip?: string;
}

/**
 * One action type. `execute` does the work (or, for an action without side effects, only evaluates);
 * `describe` says what a side-effecting action would do, without doing it (sandbox and dry-run).
 */
export interface ActionHandler {
  readonly type: ActionType;
  execute(input: StepInput): Promise<StepResult>;
  describe(input: StepInput): Promise<unknown>;
}

/** The lead a step acts on; a run without one cannot run lead actions. */
export function requireEntry(input: StepInput): string {
  if (!input.run.entryId) throw new StepFailure('the run has no lead');
  return input.run.entryId;
}

/** The context as a plain record, for templates and JSON Logic. */
export const contextRecord = (input: StepInput): Record<string, unknown> =>
  input.context as unknown as Record<string, unknown>;
