import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { EntryEntity } from '../entries/entry.entity';
import { TagEntity } from './tag.entity';

@Entity({ name: 'entry_tags' })
// `GET /connect/table_entries?tagId=` pages the tag's entries newest first.
@Index('entry_tags_tag_idx', ['organizationId', 'tagId', 'entryId'])
export class EntryTagEntity {
  @PrimaryColumn({ name: 'entry_id', type: 'uuid' })
  entryId: string;

  @PrimaryColumn({ name: 'tag_id', type: 'uuid' })
  tagId: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  // Deleting a tag removes it from every entry.
  @ManyToOne(() => TagEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tag_id' })
  tag?: TagEntity;

  @ManyToOne(() => EntryEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'entry_id' })
  entry?: EntryEntity;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
