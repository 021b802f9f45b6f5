import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  COMMANDS,
  type Automation,
  AutomationsArchiveCommand,
  AutomationsCreateCommand,
  AutomationsDryRunCommand,
  AutomationsGetCommand,
  AutomationsListCommand,
  AutomationsUpdateCommand,
  type DryRunResult,
  type Page,
} from '@rocketlead/contracts';
import { AutomationsService } from './automations.service';

/** Command handlers, served by the command transport of @rocketlead/messaging (queue group `automation`). */
@Controller()
export class AutomationsHandlers {
  constructor(private readonly automations: AutomationsService) {}

  @MessagePattern(COMMANDS.automationsCreate)
  create(@Payload() command: AutomationsCreateCommand): Promise<Automation> {
    return this.automations.create(command);
  }

  @MessagePattern(COMMANDS.automationsList)
  list(@Payload() command: AutomationsListCommand): Promise<Page<Automation>> {
    return this.automations.list(command);
  }

  @MessagePattern(COMMANDS.automationsGet)
  get(@Payload() command: AutomationsGetCommand): Promise<Automation> {
    return this.automations.get(command);
  }

  @MessagePattern(COMMANDS.automationsUpdate)
  update(@Payload() command: AutomationsUpdateCommand): Promise<Automation> {
    return this.automations.update(command);
  }

  @MessagePattern(COMMANDS.automationsArchive)
  archive(@Payload() command: AutomationsArchiveCommand): Promise<Automation> {
    return this.automations.archive(command);
  }

  @MessagePattern(COMMANDS.automationsDryRun)
  dryRun(@Payload() command: AutomationsDryRunCommand): Promise<DryRunResult> {
    return this.automations.dryRun(command);
  }
}
