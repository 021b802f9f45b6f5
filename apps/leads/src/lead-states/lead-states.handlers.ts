import { Injectable } from '@nestjs/common';
import {
  COMMANDS,
  type LeadState,
  type LeadStatesCreateRequest,
  type LeadStatesListRequest,
} from '@rocketlead/contracts';
import { CommandHandler } from '@rocketlead/messaging';
import { LeadStatesService } from './lead-states.service';

@Injectable()
export class LeadStatesHandlers {
  constructor(private readonly states: LeadStatesService) {}

  @CommandHandler(COMMANDS.leadStatesCreate)
  create(request: LeadStatesCreateRequest): Promise<LeadState> {
    return this.states.create(request);
  }

  @CommandHandler(COMMANDS.leadStatesList)
  list(request: LeadStatesListRequest): Promise<LeadState[]> {
    return this.states.list(request);
  }
}
