import { Injectable } from '@nestjs/common';
import { LeadsGateway } from '../gateways/leads.gateway';
import { RunsRepository } from '../runs/runs.repository';
import { AutomationIndexService } from '../engine/automation-index';
import { EngineRepository } from '../engine/engine.repository';
import { RunFactory } from '../engine/run-factory';
import {
  StepFailure,
  requireEntry,
  type ActionHandler,
  type StepInput,
  type StepResult,
} from './action-handler';

/**
 * `start_workflow {automationId}` (Lead Actions "Start Workflow"): stops that automation's runs still in
 * progress for this lead, then starts it for the lead, one level deeper in the cascade. The new run is
 * created with this step's completion and executed after the current run, in the same lead's queue.
 */
@Injectable()
export class StartWorkflowAction implements ActionHandler {
  readonly type = 'start_workflow' as const;

  constructor(
    private readonly automations: EngineRepository,
    private readonly index: AutomationIndexService,
    private readonly leads: LeadsGateway,
    private readonly runs: RunsRepository,
    private readonly factory: RunFactory,
  ) {}

  async execute(input: StepInput): Promise<StepResult> {
    const { run } = input;
    const entryId = requireEntry(input);
    const target = await this.target(input);
    const entry = await this.leads.entry(run.organizationId, entryId, run.snapshot.event.traceparent);
    if (!entry) throw new StepFailure('the lead no longer exists');
    const sandbox = target.sandbox || (await this.index.sandbox(run.organizationId));
    return {
      output: null,
      commit: async (manager) => {
        const cancelled = await this.runs.cancelRuns(manager, {
          organizationId: run.organizationId,
          entryId,
          automationId: target.id,
          exceptRunId: run.id,
          reason: `restarted by run ${run.id}`,
        });
        const created = await this.factory.create(manager, {
          automation: target,
          triggerKey: input.idempotencyKey,
          snapshot: { ...run.snapshot, entry },
          entryId,
          depth: run.depth + 1,
          sandbox,
          triggerName: `Started by ${run.automationName}`,
          causationId: run.id,
          restart: true,
        });
        return { runId: created.runId, status: created.status, reason: created.reason, cancelled };
      },
    };
  }

  async describe(input: StepInput): Promise<unknown> {
    const entryId = requireEntry(input);
    const target = await this.target(input);
    const stops = await this.runs.runningRuns({
      organizationId: input.run.organizationId,
      entryId,
      automationId: target.id,
      exceptRunId: input.run.id,
    });
    return { startWorkflow: { automationId: target.id, name: target.name, cancels: stops } };
  }

  private async target(input: StepInput) {
    const id = input.step.params.automationId as string;
    const target = await this.automations.automation(input.run.organizationId, id);
    if (!target || target.status === 'archived') throw new StepFailure(`automation ${id} not found`);
    if (target.status !== 'active') throw new StepFailure(`automation ${id} is ${target.status}, not active`);
    return target;
  }
}
