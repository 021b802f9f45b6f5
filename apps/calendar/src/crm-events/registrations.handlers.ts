import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  COMMANDS,
  type EventRegistration,
  type Page,
  type RegistrationResult,
  RegistrationsListCommand,
  RegistrationsRegisterCommand,
  RegistrationsRsvpCancelCommand,
  RegistrationsRsvpCommand,
  type RsvpResult,
} from '@rocketlead/contracts';
import { RegistrationsService } from './registrations.service';

/** Command handlers, served by the command transport of @rocketlead/messaging. */
@Controller()
export class RegistrationsHandlers {
  constructor(private readonly registrations: RegistrationsService) {}

  @MessagePattern(COMMANDS.registrationsList)
  list(@Payload() command: RegistrationsListCommand): Promise<Page<EventRegistration>> {
    return this.registrations.list(command);
  }

  @MessagePattern(COMMANDS.registrationsRsvp)
  rsvp(@Payload() command: RegistrationsRsvpCommand): Promise<RsvpResult> {
    return this.registrations.rsvp(command);
  }

  @MessagePattern(COMMANDS.registrationsRsvpCancel)
  rsvpCancel(@Payload() command: RegistrationsRsvpCancelCommand): Promise<EventRegistration> {
    return this.registrations.rsvpCancel(command);
  }

  @MessagePattern(COMMANDS.registrationsRegister)
  register(@Payload() command: RegistrationsRegisterCommand): Promise<RegistrationResult> {
    return this.registrations.register(command);
  }
}
