import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  COMMANDS,
  OrganizationSettingsGetCommand,
  OrganizationSettingsUpdateCommand,
  type OrganizationSettings,
} from '@rocketlead/contracts';
import { OrganizationSettingsService } from './organization-settings.service';

/** Command handlers, served by the command transport of @rocketlead/messaging. */
@Controller()
export class OrganizationSettingsHandlers {
  constructor(private readonly settings: OrganizationSettingsService) {}

  @MessagePattern(COMMANDS.organizationSettingsGet)
  get(@Payload() command: OrganizationSettingsGetCommand): Promise<OrganizationSettings> {
    return this.settings.get(command);
  }

  @MessagePattern(COMMANDS.organizationSettingsUpdate)
  update(@Payload() command: OrganizationSettingsUpdateCommand): Promise<OrganizationSettings> {
    return this.settings.update(command);
  }
}
