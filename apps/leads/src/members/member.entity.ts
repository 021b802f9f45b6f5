import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'members' })
@Index('members_org_email_key', ['organizationId', 'emailKey'], { unique: true })
@Index('members_org_page_idx', ['organizationId', 'createdAt', 'id'])
export class MemberEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  email: string;

  // The email trimmed and lower-cased: unique per organization, so case never makes a second member.
  @Column({ name: 'email_key', type: 'text' })
  emailKey: string;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
