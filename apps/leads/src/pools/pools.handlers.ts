import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  COMMANDS,
  type LeadPool,
  PoolsCreateCommand,
  PoolsGetCommand,
  PoolsListCommand,
  type Page,
  PoolsUpdateCommand,
} from '@rocketlead/contracts';
import { PoolsService } from './pools.service';

/** Command handlers, served by the command transport of @rocketlead/messaging. */
@Controller()
export class PoolsHandlers {
  constructor(private readonly pools: PoolsService) {}

  @MessagePattern(COMMANDS.poolsCreate)
  create(@Payload() command: PoolsCreateCommand): Promise<LeadPool> {
    return this.pools.create(command);
  }

  @MessagePattern(COMMANDS.poolsGet)
  get(@Payload() command: PoolsGetCommand): Promise<LeadPool> {
    return this.pools.get(command);
  }

  @MessagePattern(COMMANDS.poolsList)
  list(@Payload() command: PoolsListCommand): Promise<Page<LeadPool>> {
    return this.pools.list(command);
  }

  @MessagePattern(COMMANDS.poolsUpdate)
  update(@Payload() command: PoolsUpdateCommand): Promise<LeadPool> {
    return this.pools.update(command);
  }
}
