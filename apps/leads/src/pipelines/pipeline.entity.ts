import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'pipelines' })
@Index('pipelines_org_page_idx', ['organizationId', 'createdAt', 'id'])
export class PipelineEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
