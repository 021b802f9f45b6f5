import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  COMMANDS,
  EntriesAssignCommand,
  EntriesTagApplyCommand,
  EntriesTagRemoveCommand,
  type TableEntry,
} from '@rocketlead/contracts';
import { EntryContactsService } from './entry-contacts.service';

/** Command handlers, served by the command transport of @rocketlead/messaging. */
@Controller()
export class EntryContactsHandlers {
  constructor(private readonly contacts: EntryContactsService) {}

  @MessagePattern(COMMANDS.entriesTagApply)
  applyTag(@Payload() command: EntriesTagApplyCommand): Promise<TableEntry> {
    return this.contacts.applyTag(command);
  }

  @MessagePattern(COMMANDS.entriesTagRemove)
  removeTag(@Payload() command: EntriesTagRemoveCommand): Promise<TableEntry> {
    return this.contacts.removeTag(command);
  }

  @MessagePattern(COMMANDS.entriesAssign)
  assign(@Payload() command: EntriesAssignCommand): Promise<TableEntry> {
    return this.contacts.assign(command);
  }
}
