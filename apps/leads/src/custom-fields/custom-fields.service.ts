import { Injectable } from '@nestjs/common';
import {
  assertReplyFits,
  assertWithinLimits,
  DomainError,
  validationFailed,
  MAX_CUSTOM_FIELDS_PER_ORGANIZATION,
  type CustomField,
  type CustomFieldsCreateRequest,
  type CustomFieldsGetCommand,
  type CustomFieldsListRequest,
  type CustomFieldsUpdateCommand,
} from '@rocketlead/contracts';
import { CustomFieldsRepository, toCustomField } from './custom-fields.repository';

const customFieldNotFound = (): DomainError => new DomainError('NOT_FOUND', 'Custom field not found');
const nameTaken = (name: string): DomainError =>
  new DomainError('CONFLICT', `A custom field named "${name}" already exists`, { field: 'name' });

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
    if (row === 'duplicate') throw nameTaken(request.name);
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

  async get(request: CustomFieldsGetCommand): Promise<CustomField> {
    const row = await this.fields.find(request.organizationId, request.id);
    if (!row) throw customFieldNotFound();
    return toCustomField(row);
  }

  /** Renames the field; values stored under its id keep their meaning (entries refer to the id). */
  async update(request: CustomFieldsUpdateCommand): Promise<CustomField> {
    assertWithinLimits(request.name, { path: 'name' });
    const row = await this.fields.rename(request.organizationId, request.id, request.name);
    if (row === 'duplicate') throw nameTaken(request.name);
    if (!row) throw customFieldNotFound();
    return toCustomField(row);
  }
}
