import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { Milestone } from '@rocketlead/contracts';
import { PoolEntity } from '../pools/pool.entity';

@Entity({ name: 'lead_states' })
@Index('lead_states_pool_idx', ['organizationId', 'tableId'])
export class LeadStateEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'table_id', type: 'uuid' })
  tableId: string;

  @ManyToOne(() => PoolEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'table_id' })
  pool?: PoolEntity;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', nullable: true })
  milestone: Milestone | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
