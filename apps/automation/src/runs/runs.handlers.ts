import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  COMMANDS,
  type AutomationRun,
  type AutomationRunSummary,
  type Page,
  RunsGetCommand,
  RunsListCommand,
} from '@rocketlead/contracts';
import { RunsService } from './runs.service';

@Controller()
export class RunsHandlers {
  constructor(private readonly runs: RunsService) {}

  @MessagePattern(COMMANDS.runsList)
  list(@Payload() command: RunsListCommand): Promise<Page<AutomationRunSummary>> {
    return this.runs.list(command);
  }

  @MessagePattern(COMMANDS.runsGet)
  get(@Payload() command: RunsGetCommand): Promise<AutomationRun> {
    return this.runs.get(command);
  }
}
