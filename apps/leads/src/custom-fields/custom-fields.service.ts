import { Injectable } from '@nestjs/common';
import {
  assertReplyFits,
  assertWithinLimits,
  DomainError,
  validationFailed,
  MAX_CUSTOM_FIELDS_PER_ORGANIZATION,
  type CustomField,
  type CustomFieldsCreateRequest,
  type CustomFieldsListRequest,
} from '@rocketlead/contracts';
import { CustomFieldsRepository, toCustomField } from './custom-fields.repository';

@Injectable()
export class CustomFieldsService {
  constructor(private readonly fields: CustomFieldsRepository) {}

  async create(request: CustomFieldsCreateRequest): Promise<CustomField> {
    assertWithinLimits(request.name, { path: 'name' });
    const row = await this.fields.insert(
      request.organizationId,
      request.name,
      request.type,
      MAX_CUSTOM_FIELDS_PER_ORGANIZATION,
    );
    if (row === 'duplicate')
      throw new DomainError('CONFLICT', `A custom field named "${request.name}" already exists`, {
        field: 'name',
      });
    // Their list is one reply, so an organization holds a bounded number.
    if (row === 'full')
      throw validationFailed([
        {
          field: 'name',
          message: `an organization has at most ${MAX_CUSTOM_FIELDS_PER_ORGANIZATION} custom fields; this one is full`,
        },
      ]);
    return toCustomField(row);
  }

  async list(request: CustomFieldsListRequest): Promise<CustomField[]> {
    return assertReplyFits(
      (await this.fields.list(request.organizationId)).map(toCustomField),
      'The list of custom fields',
    );
  }
}
