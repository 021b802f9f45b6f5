import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
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

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
