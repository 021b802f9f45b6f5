import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { Milestone } from '@rocketlead/contracts';
import { EntryEntity } from './entry.entity';

/** A milestone an entry has reached: its primary key makes `table.entry.milestone.reached` once-only. */
@Entity({ name: 'entry_milestones' })
export class EntryMilestoneEntity {
  @PrimaryColumn({ name: 'entry_id', type: 'uuid' })
  entryId: string;

  @PrimaryColumn({ type: 'text' })
  milestone: Milestone;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'lead_state_id', type: 'uuid' })
  leadStateId: string;

  @ManyToOne(() => EntryEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'entry_id' })
  entry?: EntryEntity;

  @Column({ name: 'reached_at', type: 'timestamptz', default: () => 'now()' })
  reachedAt: Date;
}
