import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { AutomationAction, AutomationStatus, AutomationTrigger } from '@rocketlead/contracts';
import type { ActiveAutomation } from './matcher';

/** An automations row as the engine reads it. */
export interface AutomationRow {
  id: string;
  organization_id: string;
  seq: string;
  name: string;
  trigger: AutomationTrigger;
  actions: AutomationAction[];
  status: AutomationStatus;
  sandbox: boolean;
  version: number;
}

/** The columns of an AutomationRow. */
export const AUTOMATION_COLUMNS =
  'id, organization_id, seq, name, trigger, actions, status, sandbox, version';

export const toAutomation = (row: AutomationRow): ActiveAutomation & { status: AutomationStatus } => ({
  id: row.id,
  organizationId: row.organization_id,
  seq: Number(row.seq),
  name: row.name,
  trigger: row.trigger,
  actions: row.actions,
  sandbox: row.sandbox,
  version: row.version,
  status: row.status,
});

/** What the engine reads of automations and organization settings (the API writes them). */
@Injectable()
export class EngineRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The organization's active automations in creation order: one query per (re)load of the index. */
  async activeAutomations(organizationId: string, manager?: EntityManager): Promise<ActiveAutomation[]> {
    const rows = (await (manager ?? this.dataSource.manager).query(
      `SELECT ${AUTOMATION_COLUMNS} FROM automation.automations
       WHERE organization_id = $1 AND status = 'active' ORDER BY seq`,
      [organizationId],
    )) as AutomationRow[];
    return rows.map(toAutomation);
  }

  async automation(
    organizationId: string,
    id: string,
  ): Promise<(ActiveAutomation & { status: AutomationStatus }) | null> {
    const rows = (await this.dataSource.query(
      `SELECT ${AUTOMATION_COLUMNS} FROM automation.automations WHERE organization_id = $1 AND id = $2`,
      [organizationId, id],
    )) as AutomationRow[];
    return rows[0] ? toAutomation(rows[0]) : null;
  }

  async sandboxEnabled(organizationId: string, manager?: EntityManager): Promise<boolean> {
    const rows = (await (manager ?? this.dataSource.manager).query(
      'SELECT sandbox_enabled FROM automation.organization_settings WHERE organization_id = $1',
      [organizationId],
    )) as { sandbox_enabled: boolean }[];
    return rows[0]?.sandbox_enabled ?? false;
  }
}
