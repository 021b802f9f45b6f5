import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  COMMANDS,
  EntriesCreateCommand,
  EntriesDuplicatesCommand,
  EntriesGetCommand,
  EntriesListCommand,
  EntriesUpdateCommand,
  EntriesDeleteCommand,
  type Page,
  type TableEntry,
} from '@rocketlead/contracts';
import { EntriesService } from './entries.service';

/** Command handlers, served by the command transport of @rocketlead/messaging. */
@Controller()
export class EntriesHandlers {
  constructor(private readonly entries: EntriesService) {}

  @MessagePattern(COMMANDS.entriesCreate)
  create(@Payload() command: EntriesCreateCommand): Promise<TableEntry> {
    return this.entries.create(command);
  }

  @MessagePattern(COMMANDS.entriesGet)
  get(@Payload() command: EntriesGetCommand): Promise<TableEntry> {
    return this.entries.get(command);
  }

  @MessagePattern(COMMANDS.entriesList)
  list(@Payload() command: EntriesListCommand): Promise<Page<TableEntry>> {
    return this.entries.list(command);
  }

  @MessagePattern(COMMANDS.entriesDuplicates)
  duplicates(@Payload() command: EntriesDuplicatesCommand): Promise<Page<TableEntry>> {
    return this.entries.duplicates(command);
  }

  @MessagePattern(COMMANDS.entriesUpdate)
  update(@Payload() command: EntriesUpdateCommand): Promise<TableEntry> {
    return this.entries.update(command);
  }

  @MessagePattern(COMMANDS.entriesDelete)
  delete(@Payload() command: EntriesDeleteCommand): Promise<TableEntry> {
    return this.entries.delete(command);
  }
}
