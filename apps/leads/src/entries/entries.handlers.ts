import { Injectable } from '@nestjs/common';
import {
  COMMANDS,
  type EntriesCreateRequest,
  type EntriesGetRequest,
  type EntriesListRequest,
  type EntriesUpdateRequest,
  type Page,
  type TableEntry,
} from '@rocketlead/contracts';
import { CommandHandler } from '@rocketlead/messaging';
import { EntriesService } from './entries.service';

@Injectable()
export class EntriesHandlers {
  constructor(private readonly entries: EntriesService) {}

  @CommandHandler(COMMANDS.entriesCreate)
  create(request: EntriesCreateRequest): Promise<TableEntry> {
    return this.entries.create(request);
  }

  @CommandHandler(COMMANDS.entriesGet)
  get(request: EntriesGetRequest): Promise<TableEntry> {
    return this.entries.get(request);
  }

  @CommandHandler(COMMANDS.entriesList)
  list(request: EntriesListRequest): Promise<Page<TableEntry>> {
    return this.entries.list(request);
  }

  @CommandHandler(COMMANDS.entriesUpdate)
  update(request: EntriesUpdateRequest): Promise<TableEntry> {
    return this.entries.update(request);
  }
}
