import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  COMMANDS,
  type AutomationRun,
  type AutomationRunListItem,
  type Page,
  RunsCancelCommand,
  RunsCompleteTaskCommand,
  RunsGetCommand,
  RunsListCommand,
  RunsRetryCommand,
} from '@rocketlead/contracts';
import { RunControlService } from './run-control.service';
import { RunsService } from './runs.service';

@Controller()
export class RunsHandlers {
  constructor(
    private readonly runs: RunsService,
    private readonly control: RunControlService,
  ) {}

  @MessagePattern(COMMANDS.runsList)
  list(@Payload() command: RunsListCommand): Promise<Page<AutomationRunListItem>> {
    return this.runs.list(command);
  }

  @MessagePattern(COMMANDS.runsGet)
  get(@Payload() command: RunsGetCommand): Promise<AutomationRun> {
    return this.runs.get(command);
  }

  @MessagePattern(COMMANDS.runsRetry)
  retry(@Payload() command: RunsRetryCommand): Promise<AutomationRun> {
    return this.control.retry(command);
  }

  @MessagePattern(COMMANDS.runsCancel)
  cancel(@Payload() command: RunsCancelCommand): Promise<AutomationRun> {
    return this.control.cancel(command);
  }

  @MessagePattern(COMMANDS.runsCompleteTask)
  completeTask(@Payload() command: RunsCompleteTaskCommand): Promise<AutomationRun> {
    return this.control.completeTask(command);
  }
}
