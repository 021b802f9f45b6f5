import { Injectable } from '@nestjs/common';
import { RunsRepository } from '../runs/runs.repository';
import { requireEntry, type ActionHandler, type StepInput, type StepResult } from './action-handler';

/**
 * `stop_workflow {automationId?}`: cancels the runs in progress for this lead of that automation, or, without
 * one, of every other automation. The current run is never stopped by its own step.
 */
@Injectable()
export class StopWorkflowAction implements ActionHandler {
  readonly type = 'stop_workflow' as const;

  constructor(private readonly runs: RunsRepository) {}

  execute(input: StepInput): Promise<StepResult> {
    const scope = this.scope(input);
    return Promise.resolve({
      output: null,
      commit: async (manager) => ({
        cancelled: await this.runs.cancelRuns(manager, {
          ...scope,
          reason: `stopped by run ${input.run.id}`,
        }),
      }),
    });
  }

  async describe(input: StepInput): Promise<unknown> {
    const scope = this.scope(input);
    return {
      stopWorkflow: {
        automationId: scope.automationId ?? null,
        cancels: await this.runs.runningRuns(scope),
      },
    };
  }

  private scope(input: StepInput): {
    organizationId: string;
    entryId: string;
    exceptRunId: string;
    automationId?: string;
    exceptAutomationId?: string;
  } {
    const entryId = requireEntry(input);
    const automationId = input.step.params.automationId as string | undefined;
    return {
      organizationId: input.run.organizationId,
      entryId,
      exceptRunId: input.run.id,
      ...(automationId ? { automationId } : { exceptAutomationId: input.run.automationId }),
    };
  }
}
