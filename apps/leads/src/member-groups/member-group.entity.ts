import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'member_groups' })
@Index('member_groups_org_page_idx', ['organizationId', 'createdAt', 'id'])
export class MemberGroupEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ type: 'text' })
  name: string;

  // Round robin's turn: taken and advanced under the group's row lock, so concurrent picks share evenly.
  @Column({ name: 'next_turn', type: 'bigint', default: 0 })
  nextTurn: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
