import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Milestone, TableEntry } from '@rocketlead/contracts';
import type { Statement } from '@rocketlead/messaging';
import type { DedupeKey, KeyOwner } from './dedupe-keys';
import { insertEntriesSql } from './entries.repository';

/** An entry to store with the rows that make it a contact of its pool and its first milestone. */
export interface ClaimingInsert {
  entry: TableEntry;
  idempotencyKey: string | null;
  /** Its normalised dedupe keys (empty: the pool compares none of its values). */
  keys: DedupeKey[];
  /** The milestone of its initial lead state, reached by being created in it. */
  milestone: Milestone | null;
}

/** Identifies a claim of `entryId` on `key` in the set `insertClaiming` returns. */
export const claimId = (entryId: string, key: string): string => `${entryId}\n${key}`;

/** Identifies a (pool, key, value) in the map `owners` returns. */
export const ownerId = (tableId: string, key: string, value: string): string =>
  `${tableId}\n${key}\n${value}`;

/** Entries inserted with their dedupe key claims and initial milestones: the rows only this path writes. */
@Injectable()
export class DedupeRepository {
  /**
   * Inserts the entries, their milestones and their dedupe keys in ONE statement (the keys reference entries
   * inserted by it: foreign keys are checked at its end). A key another entry already holds is not claimed;
   * a key held by an uncommitted transaction waits for it. The claims are sorted by (pool, key, value), so
   * concurrent writers take them in one order and never deadlock, and of entries of this statement with the
   * same value the first one claims it. Returns the claims made, as `claimId`s.
   * A repeated idempotency key fails the statement with the unique violation `isIdempotencyConflict` names.
   */
  async insertClaiming(manager: EntityManager, items: ClaimingInsert[]): Promise<Set<string>> {
    const params: unknown[] = [];
    const add = (...values: unknown[]): string[] => values.map((value) => `$${params.push(value)}`);
    const ctes = [`inserted AS (${insertEntriesSql(items, params)} RETURNING 1)`];
    const milestones = items.flatMap(({ entry, milestone }) =>
      milestone ? [`(${add(entry.id, milestone, entry.organizationId, entry.leadStateId).join(', ')})`] : [],
    );
    if (milestones.length) {
      ctes.push(`milestones AS (INSERT INTO leads.entry_milestones (entry_id, milestone, organization_id, lead_state_id)
        SELECT entry_id::uuid, milestone, organization_id::uuid, lead_state_id::uuid
        FROM (VALUES ${milestones.join(', ')}) AS m(entry_id, milestone, organization_id, lead_state_id))`);
    }
    const claims = items
      .flatMap(({ entry, keys }, position) =>
        keys.map((k) => ({ entry, position, key: k.key, value: k.value })),
      )
      .sort(
        (a, b) =>
          compare(a.entry.tableId, b.entry.tableId) ||
          compare(a.key, b.key) ||
          compare(a.value, b.value) ||
          a.position - b.position,
      )
      .map(
        ({ entry, key, value }) =>
          `(${add(entry.tableId, key, value, entry.organizationId, entry.id).join(', ')})`,
      );
    if (claims.length === 0) {
      await manager.query(`WITH ${ctes.join(', ')} SELECT count(*) FROM inserted`, params);
      return new Set();
    }
    const rows = (await manager.query(
      `WITH ${ctes.join(', ')}
       INSERT INTO leads.dedupe_keys (table_id, key, value, organization_id, entry_id)
       SELECT table_id::uuid, key, value, organization_id::uuid, entry_id::uuid
       FROM (VALUES ${claims.join(', ')}) AS c(table_id, key, value, organization_id, entry_id)
       ON CONFLICT DO NOTHING RETURNING entry_id, key`,
      params,
    )) as { entry_id: string; key: string }[];
    return new Set(rows.map((row) => claimId(row.entry_id, row.key)));
  }

  /**
   * Claims keys for an existing entry whose values changed: a value no entry holds yet now identifies it; one
   * held already stays with the entry that had it first.
   */
  async claim(
    manager: EntityManager,
    entry: Pick<TableEntry, 'id' | 'tableId' | 'organizationId'>,
    keys: DedupeKey[],
  ): Promise<void> {
    if (keys.length === 0) return;
    await manager.query(
      `INSERT INTO leads.dedupe_keys (table_id, key, value, organization_id, entry_id)
       SELECT $1::uuid, key, value, $2::uuid, $3::uuid FROM unnest($4::text[], $5::text[]) AS k(key, value)
       ORDER BY key, value
       ON CONFLICT DO NOTHING`,
      [entry.tableId, entry.organizationId, entry.id, keys.map((k) => k.key), keys.map((k) => k.value)],
    );
  }

  /** The entries holding these keys (committed, or claimed in this transaction), by `ownerId`. */
  async owners(
    manager: EntityManager,
    keys: (DedupeKey & { organizationId: string; tableId: string })[],
  ): Promise<Map<string, KeyOwner>> {
    const rows = (await manager.query(
      `SELECT d.table_id, d.key, d.value, d.entry_id, e.created_at
       FROM leads.dedupe_keys d JOIN leads.entries e ON e.id = d.entry_id AND e.organization_id = d.organization_id
       WHERE (d.organization_id, d.table_id, d.key, d.value) IN
         (SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]))`,
      [
        keys.map((k) => k.organizationId),
        keys.map((k) => k.tableId),
        keys.map((k) => k.key),
        keys.map((k) => k.value),
      ],
    )) as { table_id: string; key: string; value: string; entry_id: string; created_at: Date }[];
    return new Map(
      rows.map((row) => [
        ownerId(row.table_id, row.key, row.value),
        { entryId: row.entry_id, createdAt: row.created_at.toISOString() },
      ]),
    );
  }

  /** Points the entries at their originals in one statement that `withEvents` extends with the events. */
  async markDuplicates(
    manager: EntityManager,
    duplicates: { organizationId: string; id: string; duplicateOfId: string }[],
    withEvents: (change: Statement) => Statement,
  ): Promise<void> {
    const params: unknown[] = [];
    const rows = duplicates.map((d) => {
      const n = params.push(d.organizationId, d.id, d.duplicateOfId);
      return `($${n - 2}::uuid, $${n - 1}::uuid, $${n}::uuid)`;
    });
    const statement = withEvents({
      sql: `UPDATE leads.entries e SET duplicate_of_id = v.duplicate_of_id
            FROM (VALUES ${rows.join(', ')}) AS v(organization_id, id, duplicate_of_id)
            WHERE e.organization_id = v.organization_id AND e.id = v.id RETURNING e.id`,
      params,
    });
    await manager.query(statement.sql, statement.params);
  }
}

// Code unit order: any total order works, as long as every writer uses the same one.
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
