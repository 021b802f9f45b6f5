import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/** The time zone of an organization that never set one. */
export const DEFAULT_TIMEZONE = 'UTC';

/** Stored settings of organizations; one row per organization that changed a default. */
@Injectable()
export class OrganizationSettingsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The organization's stored time zone, null when it never set one. */
  async timezone(organizationId: string, manager?: EntityManager): Promise<string | null> {
    const rows = (await (manager ?? this.dataSource.manager).query(
      'SELECT timezone FROM leads.organization_settings WHERE organization_id = $1',
      [organizationId],
    )) as { timezone: string }[];
    return rows[0]?.timezone ?? null;
  }

  /** The organization's time zone: the stored one, else UTC. */
  async timezoneOrDefault(organizationId: string, manager?: EntityManager): Promise<string> {
    return (await this.timezone(organizationId, manager)) ?? DEFAULT_TIMEZONE;
  }

  async saveTimezone(manager: EntityManager, organizationId: string, timezone: string): Promise<void> {
    await manager.query(
      `INSERT INTO leads.organization_settings (organization_id, timezone) VALUES ($1, $2)
       ON CONFLICT (organization_id) DO UPDATE SET timezone = EXCLUDED.timezone, updated_at = now()`,
      [organizationId, timezone],
    );
  }
}
