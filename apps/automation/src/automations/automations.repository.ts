import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type {
  Automation,
  AutomationAction,
  AutomationStatus,
  AutomationTrigger,
} from '@rocketlead/contracts';
import { notifyChanged, returnedRows } from '@rocketlead/persistence';
import { AUTOMATIONS_CHANNEL } from '../database/channels';

/** What an automation is made of, as stored: every write replaces all of it. */
export interface AutomationDefinition {
  name: string;
  description: string | null;
  trigger: AutomationTrigger;
  actions: AutomationAction[];
  status: AutomationStatus;
  sandbox: boolean;
}

export interface AutomationFilter {
  /** One status; without it, every status but `archived`. */
  status?: AutomationStatus;
  /** Exact event type of the trigger. */
  event?: string;
}

interface AutomationRow {
  id: string;
  organization_id: string;
  name: string;
  description: string | null;
  trigger: AutomationTrigger;
  actions: AutomationAction[];
  status: AutomationStatus;
  sandbox: boolean;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const S = 'automation';
const COLUMNS =
  'id, organization_id, name, description, trigger, actions, status, sandbox, version, created_at, updated_at';

const toAutomation = (row: AutomationRow): Automation => ({
  id: row.id,
  organizationId: row.organization_id,
  name: row.name,
  description: row.description,
  trigger: row.trigger,
  actions: row.actions,
  status: row.status,
  sandbox: row.sandbox,
  version: row.version,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

// pg would send a JS array as a Postgres array: jsonb values go as JSON text.
const json = (value: unknown): string => JSON.stringify(value);

/** Automations and their versions. Every write keeps the version's definition and notifies the engine. */
@Injectable()
export class AutomationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The new automation; null when one with this id exists already (a repeated idempotent create). */
  async insert(
    manager: EntityManager,
    organizationId: string,
    id: string,
    definition: AutomationDefinition,
  ): Promise<Automation | null> {
    const d = definition;
    const rows = (await manager.query(
      `INSERT INTO ${S}.automations
         (id, organization_id, name, description, trigger, actions, event_type, status, sandbox, version)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8, $9, 1)
       ON CONFLICT (id) DO NOTHING
       RETURNING ${COLUMNS}`,
      [
        id,
        organizationId,
        d.name,
        d.description,
        json(d.trigger),
        json(d.actions),
        d.trigger.event,
        d.status,
        d.sandbox,
      ],
    )) as AutomationRow[];
    if (!rows[0]) return null;
    const automation = toAutomation(rows[0]);
    await this.changed(manager, automation);
    return automation;
  }

  /**
   * Replaces the definition if the automation is still at `expectedVersion`, as the next version; null when
   * it changed meanwhile (the caller merges again) or does not exist.
   */
  async update(
    manager: EntityManager,
    organizationId: string,
    id: string,
    expectedVersion: number,
    definition: AutomationDefinition,
  ): Promise<Automation | null> {
    const d = definition;
    const rows = returnedRows<AutomationRow>(
      await manager.query(
        `UPDATE ${S}.automations
         SET name = $4, description = $5, trigger = $6::jsonb, actions = $7::jsonb, event_type = $8,
           status = $9, sandbox = $10, version = version + 1, updated_at = now()
         WHERE organization_id = $1 AND id = $2 AND version = $3
         RETURNING ${COLUMNS}`,
        [
          organizationId,
          id,
          expectedVersion,
          d.name,
          d.description,
          json(d.trigger),
          json(d.actions),
          d.trigger.event,
          d.status,
          d.sandbox,
        ],
      ),
    );
    if (!rows[0]) return null;
    const automation = toAutomation(rows[0]);
    await this.changed(manager, automation);
    return automation;
  }

  async find(
    organizationId: string,
    id: string,
    manager: EntityManager | DataSource = this.dataSource,
  ): Promise<Automation | null> {
    const rows = (await manager.query(
      `SELECT ${COLUMNS} FROM ${S}.automations WHERE organization_id = $1 AND id = $2`,
      [organizationId, id],
    )) as AutomationRow[];
    return rows[0] ? toAutomation(rows[0]) : null;
  }

  /** Creation-order position of an automation of the organization (a page cursor's anchor). */
  async position(organizationId: string, id: string): Promise<string | null> {
    const rows = (await this.dataSource.query(
      `SELECT seq FROM ${S}.automations WHERE organization_id = $1 AND id = $2`,
      [organizationId, id],
    )) as { seq: string }[];
    return rows[0]?.seq ?? null;
  }

  /** In creation order (the order automations matching one event run in), after `afterSeq` when given. */
  async list(
    organizationId: string,
    filter: AutomationFilter,
    limit: number,
    afterSeq?: string,
  ): Promise<Automation[]> {
    const params: unknown[] = [organizationId];
    const where = ['organization_id = $1'];
    const add = (sql: (n: number) => string, value: unknown): void => {
      params.push(value);
      where.push(sql(params.length));
    };
    if (filter.status) add((n) => `status = $${n}`, filter.status);
    else where.push(`status <> 'archived'`);
    if (filter.event) add((n) => `event_type = $${n}`, filter.event);
    if (afterSeq !== undefined) add((n) => `seq > $${n}::bigint`, afterSeq);
    params.push(limit);
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM ${S}.automations WHERE ${where.join(' AND ')}
       ORDER BY seq LIMIT $${params.length}`,
      params,
    )) as AutomationRow[];
    return rows.map(toAutomation);
  }

  /** The version's definition (runs show the version they started with) and the engine's NOTIFY, in the change's transaction. */
  private async changed(manager: EntityManager, automation: Automation): Promise<void> {
    await manager.query(
      `INSERT INTO ${S}.automation_versions (automation_id, version, organization_id, name, trigger, actions)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)`,
      [
        automation.id,
        automation.version,
        automation.organizationId,
        automation.name,
        json(automation.trigger),
        json(automation.actions),
      ],
    );
    const notify = notifyChanged(AUTOMATIONS_CHANNEL, automation.organizationId);
    await manager.query(notify.sql, notify.params);
  }
}
