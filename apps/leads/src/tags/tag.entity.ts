import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'tags' })
@Index('tags_org_name_key', ['organizationId', 'nameKey'], { unique: true })
@Index('tags_org_page_idx', ['organizationId', 'createdAt', 'id'])
export class TagEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ type: 'text' })
  name: string;

  // The name lower-cased: names are unique per organization case-insensitively.
  @Column({ name: 'name_key', type: 'text' })
  nameKey: string;

  @Column({ type: 'text', nullable: true })
  color: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
