import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Settings of an organization read by leads (its time zone: the local day of birthdays). */
@Entity({ name: 'organization_settings' })
export class OrganizationSettingsEntity {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  // IANA name; organizations without a row are on UTC.
  @Column({ type: 'text', default: 'UTC' })
  timezone: string;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
