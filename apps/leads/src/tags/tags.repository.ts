import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { uuidv7, type Tag } from '@rocketlead/contracts';
import { newestFirst, returnedRows, type CursorPosition } from '@rocketlead/persistence';

interface TagRow {
  id: string;
  name: string;
  color: string | null;
  created_at: Date;
}

const COLUMNS = 'id, name, color, created_at';

export const toTag = (row: TagRow): Tag => ({ id: row.id, name: row.name, color: row.color });

/** A tag as listed: the tag and where it stands in the newest-first order. */
export interface ListedTag {
  tag: Tag;
  position: CursorPosition;
}

/** What makes two tag names one: case never does. */
export const tagNameKey = (name: string): string => name.toLowerCase();

const UNIQUE_VIOLATION = '23505';

/** True when `error` is the unique violation of a tag name in its organization. */
export function isTagNameConflict(error: unknown): boolean {
  const e = error as {
    code?: string;
    constraint?: string;
    driverError?: { code?: string; constraint?: string };
  };
  return (
    (e.code ?? e.driverError?.code) === UNIQUE_VIOLATION &&
    (e.constraint ?? e.driverError?.constraint) === 'tags_org_name_key'
  );
}

@Injectable()
export class TagsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(organizationId: string, id: string, manager?: EntityManager): Promise<Tag | null> {
    const rows = (await (manager ?? this.dataSource.manager).query(
      `SELECT ${COLUMNS} FROM leads.tags WHERE organization_id = $1 AND id = $2`,
      [organizationId, id],
    )) as TagRow[];
    return rows[0] ? toTag(rows[0]) : null;
  }

  /** The tag, kept from deletion until commit (FOR KEY SHARE), for an entry about to carry it. */
  async findForEntry(manager: EntityManager, organizationId: string, id: string): Promise<Tag | null> {
    const rows = (await manager.query(
      `SELECT ${COLUMNS} FROM leads.tags WHERE organization_id = $1 AND id = $2 FOR KEY SHARE`,
      [organizationId, id],
    )) as TagRow[];
    return rows[0] ? toTag(rows[0]) : null;
  }

  /** Stores a tag; a name already used in the organization fails with `isTagNameConflict`. */
  async insert(
    manager: EntityManager,
    organizationId: string,
    fields: { name: string; color: string | null },
  ): Promise<Tag> {
    const rows = (await manager.query(
      `INSERT INTO leads.tags (id, organization_id, name, name_key, color) VALUES ($1, $2, $3, $4, $5)
       RETURNING ${COLUMNS}`,
      [uuidv7(), organizationId, fields.name, tagNameKey(fields.name), fields.color],
    )) as TagRow[];
    return toTag(rows[0]!);
  }

  /** Changes the given fields (`color: null` removes it); null when there is no such tag. */
  async update(
    manager: EntityManager,
    organizationId: string,
    id: string,
    changes: { name?: string; color?: string | null },
  ): Promise<Tag | null> {
    const rows = returnedRows<TagRow>(
      await manager.query(
        `UPDATE leads.tags SET name = COALESCE($3, name), name_key = COALESCE($4, name_key),
           color = CASE WHEN $5::boolean THEN $6::text ELSE color END
         WHERE organization_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
        [
          organizationId,
          id,
          changes.name ?? null,
          changes.name !== undefined ? tagNameKey(changes.name) : null,
          changes.color !== undefined,
          changes.color ?? null,
        ],
      ),
    );
    return rows[0] ? toTag(rows[0]) : null;
  }

  /** Deletes the tag, and with it (cascade) every entry's use of it; null when there is none. */
  async delete(manager: EntityManager, organizationId: string, id: string): Promise<Tag | null> {
    const rows = returnedRows<TagRow>(
      await manager.query(
        `DELETE FROM leads.tags WHERE organization_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
        [organizationId, id],
      ),
    );
    return rows[0] ? toTag(rows[0]) : null;
  }

  /** Newest first, after `after`; `limit` rows at most. */
  async list(organizationId: string, limit: number, after?: CursorPosition): Promise<ListedTag[]> {
    const rows = await newestFirst<TagRow>(
      this.dataSource,
      'leads.tags',
      COLUMNS,
      organizationId,
      limit,
      after,
    );
    return rows.map((row) => ({
      tag: toTag(row),
      position: { at: row.created_at.toISOString(), id: row.id },
    }));
  }

  /** The ids of the tags the entry carries (at most CONTACT_LIMITS.tagsPerEntry), as committed now. */
  async idsOnEntry(manager: EntityManager, organizationId: string, entryId: string): Promise<string[]> {
    const rows = (await manager.query(
      'SELECT tag_id FROM leads.entry_tags WHERE organization_id = $1 AND entry_id = $2',
      [organizationId, entryId],
    )) as { tag_id: string }[];
    return rows.map((row) => row.tag_id);
  }

  /** Puts the tag on the entry; false when it already was. */
  async applyToEntry(
    manager: EntityManager,
    organizationId: string,
    entryId: string,
    tagId: string,
  ): Promise<boolean> {
    const rows = (await manager.query(
      `INSERT INTO leads.entry_tags (entry_id, tag_id, organization_id) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [entryId, tagId, organizationId],
    )) as unknown[];
    return rows.length > 0;
  }

  /** Takes the tag off the entry; false when it did not carry it. */
  async removeFromEntry(
    manager: EntityManager,
    organizationId: string,
    entryId: string,
    tagId: string,
  ): Promise<boolean> {
    const rows = returnedRows<unknown>(
      await manager.query(
        `DELETE FROM leads.entry_tags WHERE organization_id = $1 AND entry_id = $2 AND tag_id = $3 RETURNING 1`,
        [organizationId, entryId, tagId],
      ),
    );
    return rows.length > 0;
  }
}
