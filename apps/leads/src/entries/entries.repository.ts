import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { prepared, queryPrepared, returnedRows, type CursorPosition } from '@rocketlead/persistence';
import {
  uuidv7,
  type Milestone,
  type EntryData,
  type EntryTag,
  type EntryValue,
  type TableEntry,
} from '@rocketlead/contracts';
import { queryStatement, type Statement } from '@rocketlead/messaging';

interface EntryRow {
  id: string;
  organization_id: string;
  table_id: string;
  data: EntryData;
  custom_field_data: Record<string, EntryValue>;
  lead_state_id: string;
  assigned_member_id: string | null;
  duplicate_of_id: string | null;
  tags: EntryTag[];
  created_at: Date;
  updated_at: Date;
}

// An entry's tags come with it, ordered by name, in the statement that reads (or returns) the entry.
const TAGS = `COALESCE((SELECT json_agg(json_build_object('id', t.id, 'name', t.name) ORDER BY t.name_key, t.id)
  FROM leads.entry_tags et JOIN leads.tags t ON t.id = et.tag_id WHERE et.entry_id = entries.id), '[]'::json) AS tags`;

const COLUMNS = `id, organization_id, table_id, data, custom_field_data, lead_state_id, assigned_member_id,
  duplicate_of_id, ${TAGS}, created_at, updated_at`;

// The statements of every entry update (automation steps make thousands a second): prepared, see `prepared`.
// Locks the entry and claims the change's idempotency key (if any) in one round trip. The key is claimed only
// for an entry that exists; a repeat finds it taken (after the first claimer commits, if it has not yet).
const LOCK_CLAIMING = prepared(
  `WITH claim AS (
     INSERT INTO leads.applied_updates (organization_id, idempotency_key, entry_id)
     SELECT organization_id, $3, id FROM leads.entries
     WHERE organization_id = $1 AND id = $2 AND $3::text IS NOT NULL
     ON CONFLICT DO NOTHING RETURNING 1)
   SELECT ${COLUMNS}, EXISTS (SELECT 1 FROM claim) AS claimed
   FROM leads.entries WHERE organization_id = $1 AND id = $2 FOR UPDATE`,
);
const FIND_ENTRY = prepared(`SELECT ${COLUMNS} FROM leads.entries WHERE organization_id = $1 AND id = $2`);

// Data only, and only while the data is still as it was read ($4): the optimistic update's change.
const UPDATE_DATA_IF_UNCHANGED = `UPDATE leads.entries SET data = $3::jsonb, updated_at = now()
   WHERE organization_id = $1 AND id = $2 AND data = $4::jsonb RETURNING ${COLUMNS}`;

const UPDATE_ENTRY = `UPDATE leads.entries SET data = $3::jsonb, custom_field_data = $4::jsonb, lead_state_id = $5,
     assigned_member_id = $6, updated_at = now()
   WHERE organization_id = $1 AND id = $2 RETURNING ${COLUMNS}`;

function toEntry(row: EntryRow): TableEntry {
  return {
    id: row.id,
    tableId: row.table_id,
    organizationId: row.organization_id,
    data: row.data,
    customFieldData: row.custom_field_data,
    leadStateId: row.lead_state_id,
    assignedMemberId: row.assigned_member_id,
    duplicateOfId: row.duplicate_of_id,
    tags: row.tags,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export interface NewEntry {
  organizationId: string;
  tableId: string;
  data: EntryData;
  customFieldData: Record<string, EntryValue>;
  leadStateId: string;
  duplicateOfId?: string | null;
  /** Chosen by the caller when other records must name the entry before it is stored. */
  id?: string;
}

const UNIQUE_VIOLATION = '23505';

export function isIdempotencyConflict(error: unknown): boolean {
  const e = error as {
    code?: string;
    constraint?: string;
    driverError?: { code?: string; constraint?: string };
  };
  const code = e.code ?? e.driverError?.code;
  const constraint = e.constraint ?? e.driverError?.constraint;
  return code === UNIQUE_VIOLATION && constraint === 'entries_idempotency_key';
}

/**
 * `INSERT INTO leads.entries … VALUES …` for several new entries, their values appended to `params` (so the
 * statement can go on with more, or sit in a CTE). Without RETURNING: the caller says what it needs back.
 */
export function insertEntriesSql(
  items: { entry: TableEntry; idempotencyKey: string | null }[],
  params: unknown[],
): string {
  const rows = items.map(({ entry, idempotencyKey }) => {
    const n = params.push(
      entry.id,
      entry.organizationId,
      entry.tableId,
      JSON.stringify(entry.data),
      JSON.stringify(entry.customFieldData),
      entry.leadStateId,
      idempotencyKey,
      entry.createdAt,
    );
    return `($${n - 7}::uuid, $${n - 6}::uuid, $${n - 5}::uuid, $${n - 4}::jsonb, $${n - 3}::jsonb, $${n - 2}::uuid, $${n - 1}, $${n}::timestamptz, $${n}::timestamptz)`;
  });
  return `INSERT INTO leads.entries (id, organization_id, table_id, data, custom_field_data, lead_state_id, idempotency_key, created_at, updated_at)
              VALUES ${rows.join(', ')}`;
}

/** What the entries list narrows by; `assignedMemberId: null` selects the unassigned. */
export interface EntriesFilter {
  tableId?: string;
  tagId?: string;
  leadStateId?: string;
  assignedMemberId?: string | null;
}

/** A duplicate whose original was deleted: what deciding its new place among its pool's contacts needs. */
export interface OrphanedDuplicate {
  id: string;
  tableId: string;
  organizationId: string;
  data: EntryData;
  createdAt: Date;
}

// Plain SQL: this is the ingest hot path and every round trip counts.
@Injectable()
export class EntriesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** A new entry with its id and timestamps; nothing is stored until `insertWithEvents`. */
  build(fields: NewEntry): TableEntry {
    const now = new Date();
    return {
      id: fields.id ?? uuidv7(now.getTime()),
      tableId: fields.tableId,
      organizationId: fields.organizationId,
      data: fields.data,
      customFieldData: fields.customFieldData,
      leadStateId: fields.leadStateId,
      assignedMemberId: null,
      duplicateOfId: fields.duplicateOfId ?? null,
      tags: [],
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
  }

  /**
   * Stores the entry in one statement that `withEvents` extends with its events (so it is atomic even
   * outside a transaction).
   * A repeated idempotency key fails with the unique violation `isIdempotencyConflict` recognizes.
   */
  async insertWithEvents(
    manager: EntityManager | undefined,
    entry: TableEntry,
    idempotencyKey: string | null,
    withEvents: (change: Statement) => Statement,
  ): Promise<void> {
    await this.insertManyWithEvents([{ entry, idempotencyKey }], withEvents, manager);
  }

  /**
   * Stores several entries in ONE statement that `withEvents` extends with all their events: one commit for
   * the group, and all or nothing (any failure, such as a repeated idempotency key, stores none of them).
   */
  async insertManyWithEvents(
    items: { entry: TableEntry; idempotencyKey: string | null }[],
    withEvents: (change: Statement) => Statement,
    manager?: EntityManager,
  ): Promise<void> {
    const params: unknown[] = [];
    const statement = withEvents({ sql: `${insertEntriesSql(items, params)} RETURNING id`, params });
    await (manager ?? this.dataSource.manager).query(statement.sql, statement.params);
  }

  async find(organizationId: string, id: string, manager?: EntityManager): Promise<TableEntry | null> {
    const rows = await queryPrepared<EntryRow>(this.dataSource, manager, FIND_ENTRY, [organizationId, id]);
    return rows[0] ? toEntry(rows[0]) : null;
  }

  /**
   * The entry, locked for a change in `manager`'s transaction, with its idempotency key claimed in the same
   * round trip: `repeat` when the key had been applied before (the change must do nothing); null when there
   * is no such entry.
   */
  async lockForChange(
    manager: EntityManager,
    organizationId: string,
    id: string,
    idempotencyKey?: string | null,
  ): Promise<{ entry: TableEntry; repeat: boolean } | null> {
    const key = idempotencyKey || null;
    const rows = await queryPrepared<EntryRow & { claimed: boolean }>(
      this.dataSource,
      manager,
      LOCK_CLAIMING,
      [organizationId, id, key],
    );
    const row = rows[0];
    return row ? { entry: toEntry(row), repeat: key !== null && !row.claimed } : null;
  }

  async findByIdempotencyKey(organizationId: string, key: string): Promise<TableEntry | null> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM leads.entries WHERE organization_id = $1 AND idempotency_key = $2`,
      [organizationId, key],
    )) as EntryRow[];
    return rows[0] ? toEntry(rows[0]) : null;
  }

  /** Newest first; `after` continues below the given position, so pages never overlap or skip. */
  async list(
    organizationId: string,
    filter: EntriesFilter,
    limit: number,
    after?: CursorPosition,
  ): Promise<TableEntry[]> {
    const params: unknown[] = [organizationId];
    const where = ['organization_id = $1'];
    if (filter.tableId) {
      params.push(filter.tableId);
      where.push(`table_id = $${params.length}`);
    }
    if (filter.tagId) {
      params.push(filter.tagId);
      where.push(`id IN (SELECT et.entry_id FROM leads.entry_tags et
        WHERE et.organization_id = $1 AND et.tag_id = $${params.length})`);
    }
    if (filter.leadStateId) {
      params.push(filter.leadStateId);
      where.push(`lead_state_id = $${params.length}`);
    }
    if (filter.assignedMemberId === null) where.push('assigned_member_id IS NULL');
    else if (filter.assignedMemberId) {
      params.push(filter.assignedMemberId);
      where.push(`assigned_member_id = $${params.length}`);
    }
    if (after) {
      params.push(after.at, after.id);
      where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(limit);
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM leads.entries WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    )) as EntryRow[];
    return rows.map(toEntry);
  }

  /**
   * Deletes the entry under its row lock, with what exists only for it: its deals and form submissions here,
   * its tags, milestones and dedupe claims by cascade. The entry as it was and its former duplicates (no longer
   * pointing at it, oldest first), or null when the organization has no such entry.
   */
  async delete(
    manager: EntityManager,
    organizationId: string,
    id: string,
  ): Promise<{ entry: TableEntry; orphans: OrphanedDuplicate[] } | null> {
    const rows = (await manager.query(
      `SELECT ${COLUMNS} FROM leads.entries WHERE organization_id = $1 AND id = $2 FOR UPDATE`,
      [organizationId, id],
    )) as EntryRow[];
    if (!rows[0]) return null;
    const params = [organizationId, id];
    await manager.query('DELETE FROM leads.deals WHERE organization_id = $1 AND entry_id = $2', params);
    await manager.query(
      'DELETE FROM leads.form_submissions WHERE organization_id = $1 AND entry_id = $2',
      params,
    );
    const orphans = returnedRows<{ id: string; table_id: string; data: EntryData; created_at: Date }>(
      await manager.query(
        `UPDATE leads.entries SET duplicate_of_id = NULL WHERE organization_id = $1 AND duplicate_of_id = $2
         RETURNING id, table_id, data, created_at`,
        params,
      ),
    )
      .map((row) => ({
        id: row.id,
        tableId: row.table_id,
        organizationId,
        data: row.data,
        createdAt: row.created_at,
      }))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
    await manager.query('DELETE FROM leads.entries WHERE organization_id = $1 AND id = $2', params);
    return { entry: toEntry(rows[0]), orphans };
  }

  /**
   * The entries linked to `id` by duplicate detection, newest first after `after`: those pointing at it and
   * the original it points at (`duplicateOfId`, when it is a duplicate).
   */
  async linked(
    organizationId: string,
    id: string,
    duplicateOfId: string | null,
    limit: number,
    after?: CursorPosition,
  ): Promise<TableEntry[]> {
    const params: unknown[] = [organizationId, id, duplicateOfId, limit];
    let below = '';
    if (after) {
      params.push(after.at, after.id);
      below = 'AND (created_at, id) < ($5::timestamptz, $6::uuid)';
    }
    // Two index scans (entries_duplicate_of_idx and the primary key), merged in order.
    const rows = (await this.dataSource.query(
      `(SELECT ${COLUMNS} FROM leads.entries WHERE organization_id = $1 AND duplicate_of_id = $2 ${below}
         ORDER BY created_at DESC, id DESC LIMIT $4)
       UNION ALL
       (SELECT ${COLUMNS} FROM leads.entries WHERE organization_id = $1 AND id = $3::uuid ${below})
       ORDER BY created_at DESC, id DESC LIMIT $4`,
      params,
    )) as EntryRow[];
    return rows.map(toEntry);
  }

  /** Records that the entry reached `milestone` in its current state; false when it had reached it before. */
  async reachMilestone(manager: EntityManager, entry: TableEntry, milestone: Milestone): Promise<boolean> {
    const rows = (await manager.query(
      `INSERT INTO leads.entry_milestones (entry_id, milestone, organization_id, lead_state_id)
       VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1`,
      [entry.id, milestone, entry.organizationId, entry.leadStateId],
    )) as unknown[];
    return rows.length > 0;
  }

  /**
   * Stores the entry's data, custom fields, state and assignee; `withEvents` wraps the UPDATE into the
   * statement that also writes its events (one round trip). The entry as stored.
   */
  async update(
    manager: EntityManager,
    entry: TableEntry,
    withEvents: (change: Statement) => Statement,
  ): Promise<TableEntry> {
    const statement = withEvents({
      sql: UPDATE_ENTRY,
      params: [
        entry.organizationId,
        entry.id,
        JSON.stringify(entry.data),
        JSON.stringify(entry.customFieldData),
        entry.leadStateId,
        entry.assignedMemberId,
      ],
    });
    const rows = await queryStatement<EntryRow>(this.dataSource, manager, statement);
    return toEntry(rows[0]!);
  }

  /**
   * Stores `next.data` without a lock or a transaction, in one statement with the idempotency key's claim and
   * the events, applied only if the entry's data is still `read.data`. `changed`: it is not (nothing was
   * written); `repeat`: the key was applied before (nothing was written).
   */
  async updateDataIfUnchanged(
    read: TableEntry,
    next: TableEntry,
    idempotencyKey: string | null,
    withEvents: (change: Statement) => Statement,
  ): Promise<TableEntry | 'changed' | 'repeat'> {
    const params: unknown[] = [
      read.organizationId,
      read.id,
      JSON.stringify(next.data),
      JSON.stringify(read.data),
    ];
    let ctes = `updated AS (${UPDATE_DATA_IF_UNCHANGED})`;
    if (idempotencyKey !== null) {
      // Claimed only with the change, and without ON CONFLICT: a key applied before fails the whole statement.
      params.push(idempotencyKey);
      ctes += `, claimed AS (INSERT INTO leads.applied_updates (organization_id, idempotency_key, entry_id)
        SELECT organization_id, $${params.length}, id FROM updated RETURNING 1)`;
    }
    const statement = withEvents({ ctes, sql: 'SELECT * FROM updated', params });
    try {
      const rows = await queryStatement<EntryRow>(this.dataSource, undefined, statement);
      return rows[0] ? toEntry(rows[0]) : 'changed';
    } catch (error) {
      const e = error as { code?: string; table?: string };
      if (e.code === UNIQUE_VIOLATION && e.table === 'applied_updates') return 'repeat';
      throw error;
    }
  }
}
