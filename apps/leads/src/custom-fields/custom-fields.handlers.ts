import { Injectable } from '@nestjs/common';
import {
  COMMANDS,
  type CustomField,
  type CustomFieldsCreateRequest,
  type CustomFieldsListRequest,
} from '@rocketlead/contracts';
import { CommandHandler } from '@rocketlead/messaging';
import { CustomFieldsService } from './custom-fields.service';

@Injectable()
export class CustomFieldsHandlers {
  constructor(private readonly fields: CustomFieldsService) {}

  @CommandHandler(COMMANDS.customFieldsCreate)
  create(request: CustomFieldsCreateRequest): Promise<CustomField> {
    return this.fields.create(request);
  }

  @CommandHandler(COMMANDS.customFieldsList)
  list(request: CustomFieldsListRequest): Promise<CustomField[]> {
    return this.fields.list(request);
  }
}
