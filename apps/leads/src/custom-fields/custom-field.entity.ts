import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { FieldType } from '@rocketlead/contracts';

@Entity({ name: 'custom_fields' })
@Index('custom_fields_org_name_key', ['organizationId', 'name'], { unique: true })
export class CustomFieldEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  type: FieldType;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
