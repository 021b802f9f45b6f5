import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { PipelineEntity } from './pipeline.entity';

@Entity({ name: 'pipeline_stages' })
// A pipeline's stages in order; positions are rewritten whole on a PATCH, so they are not unique mid-statement.
@Index('pipeline_stages_pipeline_idx', ['pipelineId', 'position'])
// `pipelinesByStage` finds a stage within its organization.
@Index('pipeline_stages_org_idx', ['organizationId', 'id'])
export class PipelineStageEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'pipeline_id', type: 'uuid' })
  pipelineId: string;

  // Deleting a pipeline deletes its stages.
  @ManyToOne(() => PipelineEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'pipeline_id' })
  pipeline?: PipelineEntity;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'int' })
  position: number;
}
