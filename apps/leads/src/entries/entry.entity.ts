import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { EntryData, EntryValue } from '@rocketlead/contracts';
import { PoolEntity } from '../pools/pool.entity';
import { LeadStateEntity } from '../lead-states/lead-state.entity';
import { MemberEntity } from '../members/member.entity';

@Entity({ name: 'entries' })
@Index('entries_pool_page_idx', ['organizationId', 'tableId', 'createdAt', 'id'])
@Index('entries_org_page_idx', ['organizationId', 'createdAt', 'id'])
// `GET /connect/table_entries/:id/duplicates`: the entries pointing to an original.
@Index('entries_duplicate_of_idx', ['organizationId', 'duplicateOfId', 'createdAt', 'id'], {
  where: 'duplicate_of_id IS NOT NULL',
})
// `GET /connect/table_entries?leadStateId=`: one state's leads, newest first, without walking the others.
@Index('entries_state_page_idx', ['organizationId', 'leadStateId', 'createdAt', 'id'])
// `?assignedMemberId=`: a member's leads. Unassigned leads (most new ones) are left out of it.
@Index('entries_assignee_page_idx', ['organizationId', 'assignedMemberId', 'createdAt', 'id'], {
  where: 'assigned_member_id IS NOT NULL',
})
@Index('entries_idempotency_key', ['organizationId', 'idempotencyKey'], {
  unique: true,
  where: 'idempotency_key IS NOT NULL',
})
export class EntryEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'table_id', type: 'uuid' })
  tableId: string;

  @ManyToOne(() => PoolEntity)
  @JoinColumn({ name: 'table_id' })
  pool?: PoolEntity;

  @Column({ type: 'jsonb' })
  data: EntryData;

  @Column({ name: 'custom_field_data', type: 'jsonb', default: () => "'{}'::jsonb" })
  customFieldData: Record<string, EntryValue>;

  @Column({ name: 'lead_state_id', type: 'uuid' })
  leadStateId: string;

  @ManyToOne(() => LeadStateEntity)
  @JoinColumn({ name: 'lead_state_id' })
  leadState?: LeadStateEntity;

  @Column({ name: 'assigned_member_id', type: 'uuid', nullable: true })
  assignedMemberId: string | null;

  @ManyToOne(() => MemberEntity)
  @JoinColumn({ name: 'assigned_member_id' })
  assignedMember?: MemberEntity;

  @Column({ name: 'duplicate_of_id', type: 'uuid', nullable: true })
  duplicateOfId: string | null;

  @Column({ name: 'idempotency_key', type: 'text', nullable: true })
  idempotencyKey: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
