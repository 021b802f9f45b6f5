import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  COMMANDS,
  type CustomField,
  CustomFieldsCreateCommand,
  CustomFieldsGetCommand,
  CustomFieldsListCommand,
  CustomFieldsUpdateCommand,
} from '@rocketlead/contracts';
import { CustomFieldsService } from './custom-fields.service';

/** Command handlers, served by the command transport of @rocketlead/messaging. */
@Controller()
export class CustomFieldsHandlers {
  constructor(private readonly fields: CustomFieldsService) {}

  @MessagePattern(COMMANDS.customFieldsCreate)
  create(@Payload() command: CustomFieldsCreateCommand): Promise<CustomField> {
    return this.fields.create(command);
  }

  @MessagePattern(COMMANDS.customFieldsList)
  list(@Payload() command: CustomFieldsListCommand): Promise<CustomField[]> {
    return this.fields.list(command);
  }

  @MessagePattern(COMMANDS.customFieldsGet)
  get(@Payload() command: CustomFieldsGetCommand): Promise<CustomField> {
    return this.fields.get(command);
  }

  @MessagePattern(COMMANDS.customFieldsUpdate)
  update(@Payload() command: CustomFieldsUpdateCommand): Promise<CustomField> {
    return this.fields.update(command);
  }
}
