import { Injectable } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import { uuidv7, type CustomField, type FieldType } from '@rocketlead/contracts';
import { returnedRows } from '@rocketlead/persistence';
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

  /**
   * Returns `duplicate` when the organization already has a field of that name and `full` when it has
   * `max` fields; an advisory lock per organization makes the count exact under concurrent creates.
   */
  async insert(
    organizationId: string,
    name: string,
    type: FieldType,
    max: number,
  ): Promise<CustomFieldEntity | 'duplicate' | 'full'> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        await manager.query(`SELECT pg_advisory_xact_lock(hashtext('leads.custom_fields:' || $1))`, [
          organizationId,
        ]);
        if ((await this.repo(manager).countBy({ organizationId })) >= max) return 'full' as const;
        return this.repo(manager).save(
          this.repo(manager).create({ id: uuidv7(), organizationId, name, type }),
        );
      });
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) return 'duplicate';
      throw error;
    }
  }

  find(organizationId: string, id: string): Promise<CustomFieldEntity | null> {
    return this.repo().findOneBy({ organizationId, id });
  }

  /** The renamed field; null when the organization has none with this id, `duplicate` when the name is taken. */
  async rename(
    organizationId: string,
    id: string,
    name: string,
  ): Promise<CustomFieldEntity | null | 'duplicate'> {
    try {
      const rows = returnedRows<CustomFieldEntity>(
        await this.dataSource.query(
          `UPDATE leads.custom_fields SET name = $3 WHERE organization_id = $1 AND id = $2
           RETURNING id, organization_id AS "organizationId", name, type, created_at AS "createdAt"`,
          [organizationId, id, name],
        ),
      );
      return rows[0] ?? null;
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) return 'duplicate';
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
