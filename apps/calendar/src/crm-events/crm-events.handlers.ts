import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  COMMANDS,
  type CrmEvent,
  CrmEventsByEventbriteIdCommand,
  CrmEventsCreateCommand,
  CrmEventsDeleteCommand,
  CrmEventsGetCommand,
  CrmEventsListCommand,
  CrmEventsPublicGetCommand,
  CrmEventsUpdateCommand,
  type Page,
  type PublicCrmEvent,
} from '@rocketlead/contracts';
import { CrmEventsService } from './crm-events.service';

/** Command handlers, served by the command transport of @rocketlead/messaging. */
@Controller()
export class CrmEventsHandlers {
  constructor(private readonly events: CrmEventsService) {}

  @MessagePattern(COMMANDS.crmEventsCreate)
  create(@Payload() command: CrmEventsCreateCommand): Promise<CrmEvent> {
    return this.events.create(command);
  }

  @MessagePattern(COMMANDS.crmEventsList)
  list(@Payload() command: CrmEventsListCommand): Promise<Page<CrmEvent>> {
    return this.events.list(command);
  }

  @MessagePattern(COMMANDS.crmEventsGet)
  get(@Payload() command: CrmEventsGetCommand): Promise<CrmEvent> {
    return this.events.get(command);
  }

  @MessagePattern(COMMANDS.crmEventsUpdate)
  update(@Payload() command: CrmEventsUpdateCommand): Promise<CrmEvent> {
    return this.events.update(command);
  }

  @MessagePattern(COMMANDS.crmEventsDelete)
  remove(@Payload() command: CrmEventsDeleteCommand): Promise<CrmEvent> {
    return this.events.delete(command);
  }

  @MessagePattern(COMMANDS.crmEventsPublicGet)
  publicGet(@Payload() command: CrmEventsPublicGetCommand): Promise<PublicCrmEvent> {
    return this.events.publicGet(command);
  }

  @MessagePattern(COMMANDS.crmEventsByEventbriteId)
  byEventbriteId(@Payload() command: CrmEventsByEventbriteIdCommand): Promise<CrmEvent> {
    return this.events.byEventbriteId(command);
  }
}
