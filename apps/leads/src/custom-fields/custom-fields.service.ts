import { Injectable } from '@nestjs/common';
import {
  DomainError,
  type CustomField,
  type CustomFieldsCreateRequest,
  type CustomFieldsListRequest,
} from '@rocketlead/contracts';
import { CustomFieldsRepository, toCustomField } from './custom-fields.repository';

@Injectable()
export class CustomFieldsService {
  constructor(private readonly fields: CustomFieldsRepository) {}

  async create(request: CustomFieldsCreateRequest): Promise<CustomField> {
    const row = await this.fields.insert(request.organizationId, request.name, request.type);
    if (!row)
      throw new DomainError('CONFLICT', `A custom field named "${request.name}" already exists`, {
        field: 'name',
      });
    return toCustomField(row);
  }

  async list(request: CustomFieldsListRequest): Promise<CustomField[]> {
    return (await this.fields.list(request.organizationId)).map(toCustomField);
  }
}
