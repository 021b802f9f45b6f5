import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One row per entry and year whose `table.entry.birthday` was emitted: inserting it (ON CONFLICT DO NOTHING)
 * is what makes the event once per entry and year across sweeps, restarts and replicas.
 */
@Entity({ name: 'birthdays_emitted' })
@Index('birthdays_emitted_org_idx', ['organizationId', 'year'])
export class BirthdayEmittedEntity {
  @PrimaryColumn({ name: 'entry_id', type: 'uuid' })
  entryId: string;

  @PrimaryColumn({ type: 'int' })
  year: number;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  // The local date celebrated (Feb 28 for a Feb 29 birthday in a non-leap year).
  @Column({ type: 'date' })
  date: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
