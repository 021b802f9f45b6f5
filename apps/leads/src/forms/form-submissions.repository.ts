import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { uuidv7, type EntryData } from '@rocketlead/contracts';
import { returnedRows } from '@rocketlead/persistence';

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

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

const toStaged = (row: SubmissionRow): StagedSubmission => ({
  id: row.id,
  organizationId: row.organization_id,
  formId: row.form_id,
  entryId: row.entry_id,
  data: row.data,
  bookingStart: row.booking_start,
});

/** Staged submissions and their single-use tokens. */
@Injectable()
export class FormSubmissionsRepository {
  constructor(private readonly dataSource: DataSource) {}

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
}
