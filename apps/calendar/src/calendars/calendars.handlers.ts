import { Injectable } from '@nestjs/common';
import {
  COMMANDS,
  type Calendar,
  type CalendarsCreateRequest,
  type CalendarsGetRequest,
} from '@rocketlead/contracts';
import { CommandHandler } from '@rocketlead/messaging';
import { CalendarsService } from './calendars.service';

@Injectable()
export class CalendarsHandlers {
  constructor(private readonly calendars: CalendarsService) {}

  @CommandHandler(COMMANDS.calendarsCreate)
  create(request: CalendarsCreateRequest): Promise<Calendar> {
    return this.calendars.create(request);
  }

  @CommandHandler(COMMANDS.calendarsGet)
  get(request: CalendarsGetRequest): Promise<Calendar> {
    return this.calendars.get(request);
  }
}
