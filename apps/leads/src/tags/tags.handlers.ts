import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  COMMANDS,
  TagsCreateCommand,
  TagsDeleteCommand,
  TagsGetCommand,
  TagsListCommand,
  TagsUpdateCommand,
  type Page,
  type Tag,
} from '@rocketlead/contracts';
import { TagsService } from './tags.service';

/** Command handlers, served by the command transport of @rocketlead/messaging. */
@Controller()
export class TagsHandlers {
  constructor(private readonly tags: TagsService) {}

  @MessagePattern(COMMANDS.tagsCreate)
  create(@Payload() command: TagsCreateCommand): Promise<Tag> {
    return this.tags.create(command);
  }

  @MessagePattern(COMMANDS.tagsList)
  list(@Payload() command: TagsListCommand): Promise<Page<Tag>> {
    return this.tags.list(command);
  }

  @MessagePattern(COMMANDS.tagsGet)
  get(@Payload() command: TagsGetCommand): Promise<Tag> {
    return this.tags.get(command);
  }

  @MessagePattern(COMMANDS.tagsUpdate)
  update(@Payload() command: TagsUpdateCommand): Promise<Tag> {
    return this.tags.update(command);
  }

  @MessagePattern(COMMANDS.tagsDelete)
  delete(@Payload() command: TagsDeleteCommand): Promise<Tag> {
    return this.tags.delete(command);
  }
}
