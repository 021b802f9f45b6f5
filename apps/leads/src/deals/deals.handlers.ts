import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  COMMANDS,
  DealsCreateCommand,
  DealsGetCommand,
  DealsListCommand,
  DealsUpdateCommand,
  type Deal,
  type Page,
} from '@rocketlead/contracts';
import { DealsService } from './deals.service';

/** Command handlers, served by the command transport of @rocketlead/messaging. */
@Controller()
export class DealsHandlers {
  constructor(private readonly deals: DealsService) {}

  @MessagePattern(COMMANDS.dealsCreate)
  create(@Payload() command: DealsCreateCommand): Promise<Deal> {
    return this.deals.create(command);
  }

  @MessagePattern(COMMANDS.dealsList)
  list(@Payload() command: DealsListCommand): Promise<Page<Deal>> {
    return this.deals.list(command);
  }

  @MessagePattern(COMMANDS.dealsGet)
  get(@Payload() command: DealsGetCommand): Promise<Deal> {
    return this.deals.get(command);
  }

  @MessagePattern(COMMANDS.dealsUpdate)
  update(@Payload() command: DealsUpdateCommand): Promise<Deal> {
    return this.deals.update(command);
  }
}
