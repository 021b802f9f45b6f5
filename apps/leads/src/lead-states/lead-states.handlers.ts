import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  COMMANDS,
  type LeadState,
  LeadStatesCreateCommand,
  LeadStatesListCommand,
  LeadStatesUpdateCommand,
} from '@rocketlead/contracts';
import { LeadStatesService } from './lead-states.service';

/** Command handlers, served by the command transport of @rocketlead/messaging. */
@Controller()
export class LeadStatesHandlers {
  constructor(private readonly states: LeadStatesService) {}

  @MessagePattern(COMMANDS.leadStatesCreate)
  create(@Payload() command: LeadStatesCreateCommand): Promise<LeadState> {
    return this.states.create(command);
  }

  @MessagePattern(COMMANDS.leadStatesList)
  list(@Payload() command: LeadStatesListCommand): Promise<LeadState[]> {
    return this.states.list(command);
  }

  @MessagePattern(COMMANDS.leadStatesUpdate)
  update(@Payload() command: LeadStatesUpdateCommand): Promise<LeadState> {
    return this.states.update(command);
  }
}
