import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { uuidv7, type EntryData } from '@rocketlead/contracts';
import { returnedRows } from '@rocketlead/persistence';
import { normaliseKey } from '../entries/dedupe-keys';
import { LEADS_CONFIG } from '../config.token';
import type { LeadsConfig } from '../config';

interface SubmissionRow {
  id: string;
  organization_id: string;
  form_id: string;
  entry_id: string;
  data: EntryData;
  booking_start: string | null;
  expires_at: Date;
  used_at: Date | null;
}

/** A staged submission of an existing contact, waiting for its verification link. */
export interface StagedSubmission {
  id: string;
  organizationId: string;
  formId: string;
  entryId: string;
  data: EntryData;
  bookingStart: string | null;
}

/** Why a link cannot be used: never issued (or its form is gone), or already used or expired. */
export type TokenState = 'unknown' | 'spent' | 'usable';

const COLUMNS = 'id, organization_id, form_id, entry_id, data, booking_start, expires_at, used_at';
const TOKEN_BYTES = 32;
// Contacts compared at most per submission: the oldest entries holding the value come first.
const MATCH_CANDIDATES = 50;

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

const toStaged = (row: SubmissionRow): StagedSubmission => ({
  id: row.id,
  organizationId: row.organization_id,
  formId: row.form_id,
  entryId: row.entry_id,
  data: row.data,
  bookingStart: row.booking_start,
});

/** Staged submissions and their single-use tokens; the lookup of a form's existing contact. */
@Injectable()
export class FormSubmissionsRepository {
  // Each holder of a contact lock keeps a pool connection while its work needs another: at most half the
  // pool holds locks, the others wait here, so the work always finds a connection.
  private readonly maxHolders: number;
  private holders = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly dataSource: DataSource,
    @Inject(LEADS_CONFIG) config: LeadsConfig,
  ) {
    this.maxHolders = Math.max(1, Math.floor(config.DB_POOL_SIZE / 2));
  }

  newId(): string {
    return uuidv7();
  }

  now(): Date {
    return new Date();
  }

  /** A fresh link token: 256 random bits, URL-safe. Only its hash is stored. */
  newToken(): string {
    return randomBytes(TOKEN_BYTES).toString('base64url');
  }

  async stage(
    manager: EntityManager,
    submission: StagedSubmission,
    token: string,
    expiresAt: Date,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO leads.form_submissions
         (id, organization_id, form_id, entry_id, data, booking_start, token_hash, expires_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8)`,
      [
        submission.id,
        submission.organizationId,
        submission.formId,
        submission.entryId,
        JSON.stringify(submission.data),
        submission.bookingStart,
        hashToken(token),
        expiresAt,
      ],
    );
  }

  /**
   * Runs `work` holding a Postgres advisory lock on `key` (a session lock on a connection of its own, so
   * `work` may commit transactions of its own meanwhile): one holder at a time, across replicas.
   */
  async exclusively<T>(key: string, work: () => Promise<T>): Promise<T> {
    if (this.holders >= this.maxHolders) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.holders += 1;
    try {
      return await this.locked(key, work);
    } finally {
      // A waiter takes over this holder's place (the count stays), else the place is freed.
      const next = this.waiting.shift();
      if (next) next();
      else this.holders -= 1;
    }
  }

  private async locked<T>(key: string, work: () => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [`leads.form-contact:${key}`]);
      try {
        return await work();
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [
          `leads.form-contact:${key}`,
        ]);
      }
    } finally {
      await runner.release();
    }
  }

  /** Deletes staged submissions whose link expired or was used more than `keepMs` ago; how many. */
  async purge(keepMs: number): Promise<number> {
    const rows = returnedRows<{ id: string }>(
      await this.dataSource.query(
        `DELETE FROM leads.form_submissions
         WHERE COALESCE(used_at, expires_at) < now() - make_interval(secs => $1) RETURNING id`,
        [keepMs / 1000],
      ),
    );
    return rows.length;
  }

  /** What a token stands for now, without using it. */
  async state(token: string): Promise<TokenState> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM leads.form_submissions WHERE token_hash = $1`,
      [hashToken(token)],
    )) as SubmissionRow[];
    const row = rows[0];
    if (!row) return 'unknown';
    return row.used_at !== null || row.expires_at.getTime() <= Date.now() ? 'spent' : 'usable';
  }

  /**
   * Uses the token in `manager`'s transaction: the submission when it was usable, else null (already used,
   * expired, or used by a concurrent request a moment ago). Rolled back with the transaction.
   */
  async use(manager: EntityManager, token: string): Promise<StagedSubmission | null> {
    const rows = returnedRows<SubmissionRow>(
      await manager.query(
        `UPDATE leads.form_submissions SET used_at = now()
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING ${COLUMNS}`,
        [hashToken(token)],
      ),
    );
    return rows[0] ? toStaged(rows[0]) : null;
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
