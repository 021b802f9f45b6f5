import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  COMMANDS,
  MemberGroupsCreateCommand,
  MemberGroupsDeleteCommand,
  MemberGroupsGetCommand,
  MemberGroupsListCommand,
  MemberGroupsUpdateCommand,
  type MemberGroup,
  type Page,
} from '@rocketlead/contracts';
import { MemberGroupsService } from './member-groups.service';

/** Command handlers, served by the command transport of @rocketlead/messaging. */
@Controller()
export class MemberGroupsHandlers {
  constructor(private readonly groups: MemberGroupsService) {}

  @MessagePattern(COMMANDS.memberGroupsCreate)
  create(@Payload() command: MemberGroupsCreateCommand): Promise<MemberGroup> {
    return this.groups.create(command);
  }

  @MessagePattern(COMMANDS.memberGroupsList)
  list(@Payload() command: MemberGroupsListCommand): Promise<Page<MemberGroup>> {
    return this.groups.list(command);
  }

  @MessagePattern(COMMANDS.memberGroupsGet)
  get(@Payload() command: MemberGroupsGetCommand): Promise<MemberGroup> {
    return this.groups.get(command);
  }

  @MessagePattern(COMMANDS.memberGroupsUpdate)
  update(@Payload() command: MemberGroupsUpdateCommand): Promise<MemberGroup> {
    return this.groups.update(command);
  }

  @MessagePattern(COMMANDS.memberGroupsDelete)
  delete(@Payload() command: MemberGroupsDeleteCommand): Promise<MemberGroup> {
    return this.groups.delete(command);
  }
}
