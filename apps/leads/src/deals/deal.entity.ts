import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { DealStatus } from '@rocketlead/contracts';
import { EntryEntity } from '../entries/entry.entity';
import { PipelineEntity } from '../pipelines/pipeline.entity';
import { PipelineStageEntity } from '../pipelines/pipeline-stage.entity';

@Entity({ name: 'deals' })
@Check('deals_status_check', `status IN ('open', 'won', 'lost')`)
@Index('deals_org_page_idx', ['organizationId', 'createdAt', 'id'])
@Index('deals_entry_page_idx', ['organizationId', 'entryId', 'createdAt', 'id'])
@Index('deals_pipeline_page_idx', ['organizationId', 'pipelineId', 'createdAt', 'id'])
// Removing a stage checks (foreign key) that no deal is in it.
@Index('deals_stage_idx', ['stageId'])
export class DealEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'entry_id', type: 'uuid' })
  entryId: string;

  @ManyToOne(() => EntryEntity)
  @JoinColumn({ name: 'entry_id' })
  entry?: EntryEntity;

  // A pipeline is deleted only without open deals; its won and lost deals go with it.
  @Column({ name: 'pipeline_id', type: 'uuid' })
  pipelineId: string;

  @ManyToOne(() => PipelineEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'pipeline_id' })
  pipeline?: PipelineEntity;

  // No cascade: a stage holding a deal cannot be removed (NO ACTION, checked after a pipeline's cascade).
  @Column({ name: 'stage_id', type: 'uuid' })
  stageId: string;

  @ManyToOne(() => PipelineStageEntity)
  @JoinColumn({ name: 'stage_id' })
  stage?: PipelineStageEntity;

  @Column({ type: 'text' })
  title: string;

  @Column({ type: 'numeric', nullable: true })
  value: string | null;

  @Column({ type: 'text', nullable: true })
  currency: string | null;

  @Column({ type: 'text', default: 'open' })
  status: DealStatus;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
