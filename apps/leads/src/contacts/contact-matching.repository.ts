import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Slots } from '@rocketlead/persistence';
import type { EntryData } from '@rocketlead/contracts';
import { normaliseKey } from '../entries/dedupe-keys';
import { LEADS_CONFIG } from '../config.token';
import type { LeadsConfig } from '../config';

// Contacts compared at most per lookup: the oldest entries holding the value come first.
const MATCH_CANDIDATES = 50;

/**
 * Finding a pool's existing contact by one normalised value, and taking lookups about one value one at a
 * time, for everything that matches or creates contacts (form submissions, contacts.resolve).
 */
@Injectable()
export class ContactMatchingRepository {
  // Each holder of a contact lock keeps a pool connection while its work needs another: at most half the
  // pool holds locks, the others wait here, so the work always finds a connection.
  private readonly holders: Slots;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(LEADS_CONFIG) config: LeadsConfig,
  ) {
    this.holders = new Slots(Math.max(1, Math.floor(config.DB_POOL_SIZE / 2)));
  }

  /**
   * Runs `work` holding a Postgres advisory lock on `key` (a session lock on a connection of its own, so
   * `work` may commit transactions of its own meanwhile): one holder at a time, across replicas. Callers
   * matching by the same key and value use the same `key` (`<tableId>:<key>:<value>`), so a form submission
   * and a contacts.resolve about one address exclude each other too.
   */
  async exclusively<T>(key: string, work: () => Promise<T>): Promise<T> {
    await this.holders.acquire();
    try {
      return await this.locked(key, work);
    } finally {
      this.holders.release();
    }
  }

  private async locked<T>(key: string, work: () => Promise<T>): Promise<T> {
    // The prefix is the one forms first used: replicas of the previous version still take the same lock.
    const lock = `leads.form-contact:${key}`;
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [lock]);
      try {
        return await work();
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [lock]);
      }
    } finally {
      await runner.release();
    }
  }

  /**
   * The pool's existing contact whose `key` holds `value` once normalised (as duplicate detection compares),
   * or null. Originals come before entries marked as their duplicates, then the oldest. The SQL narrows the
   * candidates (same text ignoring case and spaces around, or the same trailing digits for a phone number);
   * the normalisation decides.
   */
  async findContact(
    organizationId: string,
    tableId: string,
    key: string,
    value: string,
    phoneRegion: string | null,
  ): Promise<string | null> {
    const digits = value.startsWith('+') ? value.replace(/\D/g, '').slice(-7) : null;
    const rows = (await this.dataSource.query(
      `SELECT id, data -> $3 AS value FROM leads.entries
       WHERE organization_id = $1 AND table_id = $2 AND data ? $3
         AND (lower(btrim(data ->> $3)) = $4
              OR ($5::text IS NOT NULL AND regexp_replace(data ->> $3, '[^0-9]', '', 'g') LIKE '%' || $5))
       ORDER BY duplicate_of_id IS NOT NULL, created_at, id LIMIT ${MATCH_CANDIDATES}`,
      [organizationId, tableId, key, value, digits],
    )) as { id: string; value: EntryData[string] }[];
    const match = rows.find((row) => normaliseKey(key, row.value, phoneRegion) === value);
    return match?.id ?? null;
  }
}
