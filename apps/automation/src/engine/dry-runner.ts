import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  DomainError,
  TABLE_ENTRY_ADDED,
  TABLE_ENTRY_LEAD_STATE_CHANGED,
  actionDefinition,
  createEvent,
  isActionType,
  isKnownEventType,
  uuidv7,
  type Actor,
  type Automation,
  type AutomationAction,
  type DryRunResult,
  type StepStatus,
  type TableEntry,
} from '@rocketlead/contracts';
import { ActionRegistry } from '../actions/action-registry';
import { StepFailure, isTransient, type ExecutingRun } from '../actions/action-handler';
import { LeadsGateway } from '../gateways/leads.gateway';
import { RunsRepository, type NewStep } from '../runs/runs.repository';
import { executionOrder } from './action-order';
import { matchAutomation } from './matcher';
import {
  EVENT_SOURCE,
  buildSnapshot,
  contextRef,
  eventSubjects,
  runContext,
  toRunSnapshot,
  type ContextStep,
  type StoredSnapshot,
} from './run-context';
import { stepActor } from './run-executor';
import { TriggerNames } from './trigger-names';

export interface DryRunInput {
  automation: Automation;
  entryId: string;
  /** The event to evaluate against; by default a table.entry.added for the lead. */
  event?: { type: string; data?: Record<string, unknown> };
  actor: Actor;
}

interface DescribedStep extends NewStep {
  wouldDo: unknown;
}

/** The data of an event of `type` about this lead when the caller gives none (given keys win). */
function eventData(type: string, entry: TableEntry, given: Record<string, unknown> | undefined) {
  const defaults: Record<string, unknown> =
    type === TABLE_ENTRY_ADDED
      ? { ...entry }
      : type === TABLE_ENTRY_LEAD_STATE_CHANGED
        ? { entryId: entry.id, tableId: entry.tableId, from: null, to: entry.leadStateId }
        : {};
  return { ...defaults, ...(given ?? {}) };
}

/**
 * Evaluates an automation (drafts too) against a real lead without changing anything: the trigger and
 * conditions, then what every step would do (branches are evaluated and their chosen list described). The
 * result is recorded as a sandbox dry run, so it shows in the run history.
 */
@Injectable()
export class DryRunner {
  constructor(
    private readonly dataSource: DataSource,
    private readonly leads: LeadsGateway,
    private readonly runs: RunsRepository,
    private readonly registry: ActionRegistry,
    private readonly names: TriggerNames,
  ) {}

  async dryRun(input: DryRunInput): Promise<DryRunResult> {
    const { automation, actor } = input;
    const organizationId = automation.organizationId;
    const entry = await this.leads.entry(organizationId, input.entryId, actor.traceparent);
    if (!entry) throw new DomainError('NOT_FOUND', 'Table entry not found');
    const type = input.event?.type ?? TABLE_ENTRY_ADDED;
    if (!isKnownEventType(type))
      throw new DomainError('VALIDATION_FAILED', 'Validation failed', {
        errors: [{ field: 'event.type', message: `unknown event type ${type}` }],
      });
    const event = createEvent({
      type,
      source: EVENT_SOURCE,
      subject: entry.id,
      data: eventData(type, entry, input.event?.data),
      actor,
    });
    const snapshot = buildSnapshot(event, entry, eventSubjects(type, event.data).booking);
    const runId = uuidv7();
    const run: ExecutingRun = {
      id: runId,
      organizationId,
      automationId: automation.id,
      automationVersion: automation.version,
      automationName: automation.name,
      entryId: entry.id,
      correlationId: actor.correlationId,
      depth: 0,
      sandbox: true,
      dryRun: true,
      snapshot,
    };
    const decision = matchAutomation(
      automation.trigger,
      event,
      runContext(snapshot, this.automationRef(automation)),
    );
    const steps = decision.matched ? await this.describe(run, automation, snapshot) : [];
    const triggerName = await this.names.resolve(organizationId, event);
    await this.runs.insertRun(
      this.dataSource.manager,
      {
        id: runId,
        organizationId,
        automationId: automation.id,
        automationVersion: automation.version,
        triggerKey: `dry-run:${runId}`,
        status: decision.matched ? 'completed' : 'skipped',
        reason: decision.matched ? null : decision.reason,
        sandbox: true,
        dryRun: true,
        triggerName,
        entryId: entry.id,
        correlationId: actor.correlationId,
        depth: 0,
        context: contextRef(snapshot, entry.id, 0),
        snapshot: toRunSnapshot(snapshot),
        finished: true,
      },
      steps,
    );
    return {
      matched: decision.matched,
      ...(decision.matched ? {} : { reason: decision.reason }),
      runId,
      steps: steps.map((s) => ({ type: s.type, status: s.status, wouldDo: s.wouldDo })),
    };
  }

  private automationRef(automation: Automation) {
    return { id: automation.id, name: automation.name, version: automation.version };
  }

  /**
   * Each step's `wouldDo`, in order; a step without side effects (a branch) is evaluated, and the actions it
   * would insert follow it. A step that would fail ends the list, as it would end the run.
   */
  private async describe(
    run: ExecutingRun,
    automation: Automation,
    snapshot: StoredSnapshot,
  ): Promise<DescribedStep[]> {
    // In the order a run would execute them (runsFirst actions first).
    const queue: AutomationAction[] = executionOrder(automation.actions);
    const described: DescribedStep[] = [];
    for (let index = 0; index < queue.length; index += 1) {
      const action = queue[index]!;
      const steps: ContextStep[] = described.map((s) => ({
        index: s.index,
        type: s.type,
        status: s.status,
        output: s.output,
      }));
      const input = {
        run,
        step: { index, actionId: action.id, type: action.type, params: action.params ?? {} },
        context: runContext(snapshot, this.automationRef(automation), steps),
        idempotencyKey: `${run.id}:${index}`,
        actor: stepActor(run),
      };
      const base = {
        index,
        actionId: action.id,
        type: action.type,
        params: action.params ?? {},
        finished: true,
      };
      const handler = this.registry.handler(action.type);
      try {
        if (!handler || !isActionType(action.type))
          throw new StepFailure(`unknown action type ${action.type}`);
        if (actionDefinition(action.type).sideEffect) {
          described.push({ ...base, status: 'wouldRun', wouldDo: await handler.describe(input) });
        } else {
          const result = await handler.execute(input);
          described.push({ ...base, status: 'wouldRun', wouldDo: result.output, output: result.output });
          queue.splice(index + 1, 0, ...(result.insert ?? []));
        }
      } catch (error) {
        // Postgres or another service unavailable: the caller may try again (503), nothing is recorded.
        if (isTransient(error)) throw error;
        const message = (error as Error).message;
        const status: StepStatus = 'failed';
        described.push({ ...base, status, wouldDo: { error: message }, error: message });
        break;
      }
    }
    return described;
  }
}
