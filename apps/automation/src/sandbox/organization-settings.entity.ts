import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Per-organization automation settings; no row = defaults (sandbox off). */
@Entity({ name: 'organization_settings' })
export class OrganizationSettingsEntity {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'sandbox_enabled', type: 'boolean', default: false })
  sandboxEnabled: boolean;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
