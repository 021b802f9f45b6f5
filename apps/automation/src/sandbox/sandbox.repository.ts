import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { notifyChanged } from '@rocketlead/persistence';
import { SETTINGS_CHANNEL } from '../database/channels';

/** The organization's automation settings; no row means the defaults (sandbox off). */
@Injectable()
export class SandboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  async enabled(organizationId: string): Promise<boolean> {
    const rows = (await this.dataSource.query(
      'SELECT sandbox_enabled FROM automation.organization_settings WHERE organization_id = $1',
      [organizationId],
    )) as { sandbox_enabled: boolean }[];
    return rows[0]?.sandbox_enabled ?? false;
  }

  /** Upserts the setting and tells every replica's engine, both in the caller's transaction. */
  async setEnabled(manager: EntityManager, organizationId: string, enabled: boolean): Promise<boolean> {
    const rows = (await manager.query(
      `INSERT INTO automation.organization_settings (organization_id, sandbox_enabled, updated_at)
       VALUES ($1, $2, now())
       ON CONFLICT (organization_id) DO UPDATE SET sandbox_enabled = EXCLUDED.sandbox_enabled, updated_at = now()
       RETURNING sandbox_enabled`,
      [organizationId, enabled],
    )) as { sandbox_enabled: boolean }[];
    const notify = notifyChanged(SETTINGS_CHANNEL, organizationId);
    await manager.query(notify.sql, notify.params);
    return rows[0]!.sandbox_enabled;
  }
}
