import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { uuidv7, type Form, type FormField } from '@rocketlead/contracts';
import { returnedRows, type CursorPosition } from '@rocketlead/persistence';

interface FormRow {
  id: string;
  organization_id: string;
  name: string;
  table_id: string;
  fields: FormField[];
  dedupe_key: string;
  double_opt_in: boolean;
  booking_calendar_id: string | null;
  redirect_url: string | null;
  webhook_url: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, organization_id, name, table_id, fields, dedupe_key, double_opt_in, booking_calendar_id,
  redirect_url, webhook_url, created_at, updated_at`;

/** A form with the organization it belongs to (public requests know only the form's id). */
export interface StoredForm extends Form {
  organizationId: string;
}

/** Every field of a form but its id and times: what is written on create and update. */
export type FormFields = Omit<StoredForm, 'id' | 'createdAt' | 'updatedAt'>;

const toForm = (row: FormRow): StoredForm => ({
  id: row.id,
  organizationId: row.organization_id,
  name: row.name,
  tableId: row.table_id,
  fields: row.fields,
  dedupeKey: row.dedupe_key,
  doubleOptIn: row.double_opt_in,
  bookingCalendarId: row.booking_calendar_id,
  redirectUrl: row.redirect_url,
  webhookUrl: row.webhook_url,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/** The form as the Connect API shows it: without the organization, which the caller's token implies. */
export const shownForm = ({ organizationId: _organizationId, ...form }: StoredForm): Form => form;

@Injectable()
export class FormsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(organizationId: string, id: string, manager?: EntityManager): Promise<StoredForm | null> {
    const rows = (await (manager ?? this.dataSource.manager).query(
      `SELECT ${COLUMNS} FROM leads.forms WHERE organization_id = $1 AND id = $2`,
      [organizationId, id],
    )) as FormRow[];
    return rows[0] ? toForm(rows[0]) : null;
  }

  /** A form by id alone: for the public endpoints, where the form's id is all the caller has. */
  async findPublic(id: string): Promise<StoredForm | null> {
    const rows = (await this.dataSource.query(`SELECT ${COLUMNS} FROM leads.forms WHERE id = $1`, [
      id,
    ])) as FormRow[];
    return rows[0] ? toForm(rows[0]) : null;
  }

  /** The form, locked until commit (an update checks the whole of it again). */
  async lock(manager: EntityManager, organizationId: string, id: string): Promise<StoredForm | null> {
    const rows = (await manager.query(
      `SELECT ${COLUMNS} FROM leads.forms WHERE organization_id = $1 AND id = $2 FOR UPDATE`,
      [organizationId, id],
    )) as FormRow[];
    return rows[0] ? toForm(rows[0]) : null;
  }

  async insert(manager: EntityManager, form: FormFields): Promise<StoredForm> {
    const rows = (await manager.query(
      `INSERT INTO leads.forms (id, organization_id, name, table_id, fields, dedupe_key, double_opt_in,
         booking_calendar_id, redirect_url, webhook_url)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10) RETURNING ${COLUMNS}`,
      [uuidv7(), ...this.values(form)],
    )) as FormRow[];
    return toForm(rows[0]!);
  }

  async update(manager: EntityManager, id: string, form: FormFields): Promise<StoredForm> {
    const rows = returnedRows<FormRow>(
      await manager.query(
        `UPDATE leads.forms SET name = $3, table_id = $4, fields = $5::jsonb, dedupe_key = $6,
           double_opt_in = $7, booking_calendar_id = $8, redirect_url = $9, webhook_url = $10, updated_at = now()
         WHERE organization_id = $2 AND id = $1 RETURNING ${COLUMNS}`,
        [id, ...this.values(form)],
      ),
    );
    return toForm(rows[0]!);
  }

  /** Deletes the form and its staged submissions (their links then answer 404); null when there is none. */
  async delete(manager: EntityManager, organizationId: string, id: string): Promise<StoredForm | null> {
    const rows = returnedRows<FormRow>(
      await manager.query(
        `DELETE FROM leads.forms WHERE organization_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
        [organizationId, id],
      ),
    );
    if (!rows[0]) return null;
    await manager.query(`DELETE FROM leads.form_submissions WHERE organization_id = $1 AND form_id = $2`, [
      organizationId,
      id,
    ]);
    return toForm(rows[0]);
  }

  /** Newest first, after `after`; `limit` rows at most. */
  async list(
    organizationId: string,
    tableId: string | undefined,
    limit: number,
    after?: CursorPosition,
  ): Promise<{ form: StoredForm; position: CursorPosition }[]> {
    const params: unknown[] = [organizationId];
    let where = 'organization_id = $1';
    if (tableId) {
      params.push(tableId);
      where += ` AND table_id = $${params.length}`;
    }
    if (after) {
      params.push(after.at, after.id);
      where += ` AND (created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`;
    }
    params.push(limit);
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM leads.forms WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    )) as FormRow[];
    return rows.map((row) => ({
      form: toForm(row),
      position: { at: row.created_at.toISOString(), id: row.id },
    }));
  }

  private values(form: FormFields): unknown[] {
    return [
      form.organizationId,
      form.name,
      form.tableId,
      JSON.stringify(form.fields),
      form.dedupeKey,
      form.doubleOptIn,
      form.bookingCalendarId,
      form.redirectUrl,
      form.webhookUrl,
    ];
  }
}
