import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { EntryEntity } from './entry.entity';

/**
 * The first entry of a pool with a normalised value of a dedupe key. Claimed with ON CONFLICT DO NOTHING in
 * the transaction storing the entry: of concurrent identical leads exactly one claims it (the original).
 */
@Entity({ name: 'dedupe_keys' })
@Index('dedupe_keys_entry_idx', ['entryId'])
export class DedupeKeyEntity {
  @PrimaryColumn({ name: 'table_id', type: 'uuid' })
  tableId: string;

  @PrimaryColumn({ type: 'text' })
  key: string;

  @PrimaryColumn({ type: 'text' })
  value: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'entry_id', type: 'uuid' })
  entryId: string;

  @ManyToOne(() => EntryEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'entry_id' })
  entry?: EntryEntity;
}
