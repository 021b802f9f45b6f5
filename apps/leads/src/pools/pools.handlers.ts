import { Injectable } from '@nestjs/common';
import {
  COMMANDS,
  type LeadPool,
  type PoolsCreateRequest,
  type PoolsGetRequest,
  type PoolsUpdateRequest,
} from '@rocketlead/contracts';
import { CommandHandler } from '@rocketlead/messaging';
import { PoolsService } from './pools.service';

@Injectable()
export class PoolsHandlers {
  constructor(private readonly pools: PoolsService) {}

  @CommandHandler(COMMANDS.poolsCreate)
  create(request: PoolsCreateRequest): Promise<LeadPool> {
    return this.pools.create(request);
  }

  @CommandHandler(COMMANDS.poolsGet)
  get(request: PoolsGetRequest): Promise<LeadPool> {
    return this.pools.get(request);
  }

  @CommandHandler(COMMANDS.poolsUpdate)
  update(request: PoolsUpdateRequest): Promise<LeadPool> {
    return this.pools.update(request);
  }
}
