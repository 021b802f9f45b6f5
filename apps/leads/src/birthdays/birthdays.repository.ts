import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { BIRTHDAY_VALUE_SQL } from './birthday-dates';

/** An entry whose pool's birthday field holds a birthday on one of the month-days asked for. */
export interface BirthdayCandidate {
  entryId: string;
  tableId: string;
  value: string;
}

@Injectable()
export class BirthdaysRepository {
  /**
   * One page (by entry id, after `afterId`) of the organization's entries whose pool has a birthdayField and
   * whose value there is `YYYY-MM-DD` or `MM-DD` with one of `monthDays`.
   */
  async candidates(
    manager: EntityManager,
    organizationId: string,
    monthDays: string[],
    afterId: string | null,
    limit: number,
  ): Promise<BirthdayCandidate[]> {
    const rows = (await manager.query(
      `SELECT e.id, e.table_id, e.data ->> p.birthday_field AS value
       FROM leads.entries e
       JOIN leads.pools p ON p.organization_id = e.organization_id AND p.id = e.table_id
       WHERE e.organization_id = $1 AND p.birthday_field IS NOT NULL
         AND ($3::uuid IS NULL OR e.id > $3::uuid)
         AND jsonb_typeof(e.data -> p.birthday_field) = 'string'
         AND (e.data ->> p.birthday_field) ~ '${BIRTHDAY_VALUE_SQL}'
         AND right(e.data ->> p.birthday_field, 5) = ANY($2::text[])
       ORDER BY e.id LIMIT $4`,
      [organizationId, monthDays, afterId, limit],
    )) as { id: string; table_id: string; value: string }[];
    return rows.map((row) => ({ entryId: row.id, tableId: row.table_id, value: row.value }));
  }

  /**
   * Records the birthdays of `year` as emitted; returns the entries recorded now. Entries already recorded
   * for that year (by any sweep, replica or earlier run) are left out: that is the once-per-year guarantee.
   */
  async markEmitted(
    manager: EntityManager,
    organizationId: string,
    entryIds: string[],
    year: number,
    date: string,
  ): Promise<Set<string>> {
    if (entryIds.length === 0) return new Set();
    const rows = (await manager.query(
      `INSERT INTO leads.birthdays_emitted (entry_id, year, organization_id, date)
       SELECT id, $2, $3, $4::date FROM unnest($1::uuid[]) AS t(id)
       ON CONFLICT (entry_id, year) DO NOTHING RETURNING entry_id`,
      [entryIds, year, organizationId, date],
    )) as { entry_id: string }[];
    return new Set(rows.map((row) => row.entry_id));
  }
}
