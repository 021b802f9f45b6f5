import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { COMMANDS, ContactsResolveCommand, type ContactResolution } from '@rocketlead/contracts';
import { ContactsService } from './contacts.service';

/** Command handlers, served by the command transport of @rocketlead/messaging. */
@Controller()
export class ContactsHandlers {
  constructor(private readonly contacts: ContactsService) {}

  @MessagePattern(COMMANDS.contactsResolve)
  resolve(@Payload() command: ContactsResolveCommand): Promise<ContactResolution> {
    return this.contacts.resolve(command);
  }
}
