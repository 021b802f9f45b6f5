import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  COMMANDS,
  MembersCreateCommand,
  MembersDeactivateCommand,
  MembersGetCommand,
  MembersListCommand,
  MembersUpdateCommand,
  type Member,
  type Page,
} from '@rocketlead/contracts';
import { MembersService } from './members.service';

/** Command handlers, served by the command transport of @rocketlead/messaging. */
@Controller()
export class MembersHandlers {
  constructor(private readonly members: MembersService) {}

  @MessagePattern(COMMANDS.membersCreate)
  create(@Payload() command: MembersCreateCommand): Promise<Member> {
    return this.members.create(command);
  }

  @MessagePattern(COMMANDS.membersList)
  list(@Payload() command: MembersListCommand): Promise<Page<Member>> {
    return this.members.list(command);
  }

  @MessagePattern(COMMANDS.membersGet)
  get(@Payload() command: MembersGetCommand): Promise<Member> {
    return this.members.get(command);
  }

  @MessagePattern(COMMANDS.membersUpdate)
  update(@Payload() command: MembersUpdateCommand): Promise<Member> {
    return this.members.update(command);
  }

  @MessagePattern(COMMANDS.membersDeactivate)
  deactivate(@Payload() command: MembersDeactivateCommand): Promise<Member> {
    return this.members.deactivate(command);
  }
}
