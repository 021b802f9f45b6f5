import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  COMMANDS,
  type Calendar,
  CalendarsCreateCommand,
  CalendarsGetCommand,
  CalendarsListCommand,
  CalendarsUpdateCommand,
  type Page,
} from '@rocketlead/contracts';
import { CalendarsService } from './calendars.service';

/** Command handlers, served by the command transport of @rocketlead/messaging. */
@Controller()
export class CalendarsHandlers {
  constructor(private readonly calendars: CalendarsService) {}

  @MessagePattern(COMMANDS.calendarsCreate)
  create(@Payload() command: CalendarsCreateCommand): Promise<Calendar> {
    return this.calendars.create(command);
  }

  @MessagePattern(COMMANDS.calendarsGet)
  get(@Payload() command: CalendarsGetCommand): Promise<Calendar> {
    return this.calendars.get(command);
  }

  @MessagePattern(COMMANDS.calendarsList)
  list(@Payload() command: CalendarsListCommand): Promise<Page<Calendar>> {
    return this.calendars.list(command);
  }

  @MessagePattern(COMMANDS.calendarsUpdate)
  update(@Payload() command: CalendarsUpdateCommand): Promise<Calendar> {
    return this.calendars.update(command);
  }
}
