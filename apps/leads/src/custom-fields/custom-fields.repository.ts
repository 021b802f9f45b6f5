import { Injectable } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import { uuidv7, type CustomField, type FieldType } from '@rocketlead/contracts';
import { CustomFieldEntity } from './custom-field.entity';

export const toCustomField = (row: CustomFieldEntity): CustomField => ({
  id: row.id,
  name: row.name,
  type: row.type,
});

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class CustomFieldsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(CustomFieldEntity);
  }

  /** Returns null when the organization already has a field of that name. */
  async insert(organizationId: string, name: string, type: FieldType): Promise<CustomFieldEntity | null> {
    try {
      return await this.repo().save(this.repo().create({ id: uuidv7(), organizationId, name, type }));
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) return null;
      throw error;
    }
  }

  list(organizationId: string): Promise<CustomFieldEntity[]> {
    return this.repo().find({ where: { organizationId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** Types of the organization's fields among `ids`, keyed by id. */
  async typesOf(
    organizationId: string,
    ids: string[],
    manager?: EntityManager,
  ): Promise<Map<string, FieldType>> {
    const valid = ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
    if (valid.length === 0) return new Map();
    const rows = await this.repo(manager).find({ where: { organizationId, id: In(valid) } });
    return new Map(rows.map((row) => [row.id, row.type]));
  }
}
