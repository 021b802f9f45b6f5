import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { DedupeConfig, TableSchema } from '@rocketlead/contracts';

@Entity({ name: 'pools' })
@Index('pools_org_idx', ['organizationId', 'id'])
export class PoolEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'default_lead_state_id', type: 'uuid', nullable: true })
  defaultLeadStateId: string | null;

  // Keys are locked by their first value; keys are only ever added, never retyped or removed.
  @Column({ name: 'table_schema', type: 'jsonb', default: () => "'{}'::jsonb" })
  tableSchema: TableSchema;

  // Duplicate detection; null when off (the default).
  @Column({ type: 'jsonb', nullable: true })
  dedupe: DedupeConfig | null;

  // The data key holding birthdays (`YYYY-MM-DD` or `MM-DD`); null: no birthday events.
  @Column({ name: 'birthday_field', type: 'text', nullable: true })
  birthdayField: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
