import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  AUTOMATION_RUN_STARTED,
  createEvent,
  uuidv7,
  type AutomationAction,
  type AutomationRunEventData,
  type RunStatus,
} from '@rocketlead/contracts';
import { ServiceOutbox } from '@rocketlead/messaging';
import { AUTOMATION_CONFIG } from '../config.token';
import type { AutomationConfig } from '../config';
import { RunsRepository, type NewStep } from '../runs/runs.repository';
import { executionOrder } from './action-order';
import { EVENT_SOURCE, contextRef, toRunSnapshot, type StoredSnapshot } from './run-context';

export interface RunRequest {
  automation: { id: string; organizationId: string; version: number; actions: AutomationAction[] };
  /** The event id, or `<runId>:<step>` for a run started by start_workflow. */
  triggerKey: string;
  snapshot: StoredSnapshot;
  entryId: string | null;
  /** The depth of the event (or run) that starts it; the run's own changes carry depth + 1. */
  depth: number;
  sandbox: boolean;
  triggerName: string | null;
  /** The causation of automation.run.started: the triggering event, or the run that started this one. */
  causationId: string;
  /** start_workflow cancels the automation's runs first: those do not count as a loop. */
  restart?: boolean;
}

export interface CreatedRun {
  runId: string;
  status: RunStatus;
  reason: string | null;
  /** False when the run for this (automation, trigger key) already existed. */
  created: boolean;
}

/** The run lifecycle event of a run (run.started, run.completed, run.failed). */
export function runEvent(
  type: string,
  run: {
    id: string;
    organizationId: string;
    automationId: string;
    automationVersion: number;
    entryId: string | null;
    sandbox: boolean;
    depth: number;
    snapshot: StoredSnapshot;
  },
  status: RunStatus,
  error: string | null,
  causationId: string,
) {
  const event = run.snapshot.event;
  return createEvent<AutomationRunEventData>({
    type,
    source: EVENT_SOURCE,
    subject: run.id,
    data: {
      runId: run.id,
      automationId: run.automationId,
      automationVersion: run.automationVersion,
      entryId: run.entryId,
      status,
      sandbox: run.sandbox,
      triggerEventId: event.id,
      error,
    },
    actor: {
      organizationId: run.organizationId,
      channel: 'automation',
      apiTokenId: event.apiTokenId,
      memberId: event.memberId,
      correlationId: event.correlationId,
      traceparent: event.traceparent,
    },
    causationId,
    depth: run.depth,
  });
}

/**
 * Records a run (with one pending step per top-level action, runsFirst actions first, and
 * automation.run.started) in the caller's transaction, or records it `skipped` when the cascade rules say so:
 * deeper than AUTOMATION_MAX_DEPTH (`cascade depth limit`), or this automation already ran for this lead in
 * this correlation chain (`loop detected`).
 */
@Injectable()
export class RunFactory {
  constructor(
    private readonly runs: RunsRepository,
    private readonly outbox: ServiceOutbox,
    @Inject(AUTOMATION_CONFIG) private readonly config: AutomationConfig,
  ) {}

  async create(manager: EntityManager, request: RunRequest): Promise<CreatedRun> {
    const { automation, snapshot, entryId, depth } = request;
    const correlationId = snapshot.event.correlationId;
    let reason: string | null = null;
    if (depth > this.config.AUTOMATION_MAX_DEPTH) reason = 'cascade depth limit';
    else if (
      entryId !== null &&
      (await this.runs.hasRunInChain(manager, automation.id, entryId, correlationId, request.restart))
    )
      reason = 'loop detected';
    const status: RunStatus = reason ? 'skipped' : 'running';
    const run = {
      id: uuidv7(),
      organizationId: automation.organizationId,
      automationId: automation.id,
      automationVersion: automation.version,
      entryId,
      sandbox: request.sandbox,
      depth,
      snapshot,
    };
    const steps: NewStep[] =
      status === 'running'
        ? executionOrder(automation.actions).map((action, index) => ({
            index,
            actionId: action.id,
            type: action.type,
            params: action.params ?? {},
            status: 'pending',
          }))
        : [];
    const created = await this.runs.insertRun(
      manager,
      {
        ...run,
        triggerKey: request.triggerKey,
        status,
        reason,
        dryRun: false,
        triggerName: request.triggerName,
        correlationId,
        context: contextRef(snapshot, entryId, depth),
        snapshot: toRunSnapshot(snapshot),
        finished: status !== 'running',
      },
      steps,
    );
    if (created && status === 'running')
      await this.outbox.append(manager, [
        runEvent(AUTOMATION_RUN_STARTED, run, 'running', null, request.causationId),
      ]);
    return { runId: run.id, status, reason, created };
  }
}
