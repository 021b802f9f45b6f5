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
import { RunsRepository, type ClaimedRun, type NewStep } from '../runs/runs.repository';
import { executionOrder } from './action-order';
import { EVENT_SOURCE, contextRef, toRunSnapshot, type StoredSnapshot } from './run-context';

export interface RunRequest {
  automation: {
    id: string;
    organizationId: string;
    name: string;
    version: number;
    actions: AutomationAction[];
  };
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
  /** The run leased to the caller (`createMany` with `leased`), ready to execute. */
  claimed?: ClaimedRun;
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
 * Records runs (with one pending step per top-level action, runsFirst actions first, and
 * automation.run.started) in the caller's transaction, or records them `skipped` when the cascade rules say
 * so: deeper than AUTOMATION_MAX_DEPTH (`cascade depth limit`), or this automation already ran for this lead in
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
    const [created] = await this.createMany(manager, [request]);
    return created!;
  }

  /**
   * The runs of several automations (and events) at once, in the order given: one loop check, one insert and
   * one outbox write for all. With `leased`, the running runs are leased to the caller and come
   * back `claimed`, their first step's attempt begun: the caller executes them next without claiming them.
   */
  async createMany(manager: EntityManager, requests: RunRequest[], leased = false): Promise<CreatedRun[]> {
    const looped = await this.looped(manager, requests);
    const records = requests.map((request) => {
      const { automation, snapshot, entryId, depth } = request;
      let reason: string | null = null;
      if (depth > this.config.AUTOMATION_MAX_DEPTH) reason = 'cascade depth limit';
      else if (looped.has(request)) reason = 'loop detected';
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
              // A leased run's first step begins as soon as the run is committed.
              status: leased && index === 0 ? 'running' : 'pending',
              attempts: leased && index === 0 ? 1 : 0,
            }))
          : [];
      return { request, run, status, reason, steps };
    });
    const inserted = await this.runs.insertRuns(
      manager,
      records.map(({ request, run, status, reason, steps }) => ({
        run: {
          ...run,
          triggerKey: request.triggerKey,
          status,
          reason,
          dryRun: false,
          triggerName: request.triggerName,
          correlationId: request.snapshot.event.correlationId,
          context: contextRef(request.snapshot, request.entryId, request.depth),
          snapshot: toRunSnapshot(request.snapshot),
          finished: status !== 'running',
        },
        steps,
      })),
      leased,
    );
    const started = records.filter((r) => r.status === 'running' && inserted.has(r.run.id));
    await this.outbox.append(
      manager,
      started.map(({ request, run }) =>
        runEvent(AUTOMATION_RUN_STARTED, run, 'running', null, request.causationId),
      ),
    );
    return records.map(({ request, run, status, reason, steps }) => {
      const created = inserted.has(run.id);
      const claimed =
        leased && created && status === 'running' ? claimedRun(request, run.id, steps) : undefined;
      return { runId: run.id, status, reason, created, ...(claimed ? { claimed } : {}) };
    });
  }

  /** The requests whose automation already ran for their lead in their correlation chain (one query). */
  private async looped(manager: EntityManager, requests: RunRequest[]): Promise<Set<RunRequest>> {
    const asked = requests.flatMap((request) =>
      request.entryId !== null && request.depth <= this.config.AUTOMATION_MAX_DEPTH
        ? [{ request, entryId: request.entryId }]
        : [],
    );
    const ran = await this.runs.ranInChains(
      manager,
      asked.map(({ request, entryId }) => ({
        automationId: request.automation.id,
        entryId,
        correlationId: request.snapshot.event.correlationId,
        ignoreCancelled: request.restart === true,
      })),
    );
    return new Set(asked.filter((_, i) => ran.has(i)).map(({ request }) => request));
  }
}

/** A run just inserted leased to this process, as `RunsRepository.claim` would have read it. */
function claimedRun(request: RunRequest, runId: string, steps: NewStep[]): ClaimedRun {
  const { automation, snapshot } = request;
  return {
    id: runId,
    organizationId: automation.organizationId,
    automationId: automation.id,
    automationVersion: automation.version,
    automationName: automation.name,
    status: 'running',
    sandbox: request.sandbox,
    dryRun: false,
    entryId: request.entryId,
    correlationId: snapshot.event.correlationId,
    depth: request.depth,
    triggerKey: request.triggerKey,
    snapshot: toRunSnapshot(snapshot),
    startedAt: new Date(),
    steps: steps.map((s) => ({
      index: s.index,
      actionId: s.actionId,
      type: s.type,
      params: s.params,
      status: s.status,
      attempts: s.attempts ?? 0,
      output: null,
    })),
    begunStep: 0,
  };
}
