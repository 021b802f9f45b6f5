import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'calendars' })
@Index('calendars_org_idx', ['organizationId', 'id'])
export class CalendarEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', default: 'UTC' })
  timezone: string;

  @Column({ type: 'boolean', default: false })
  exclusive: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
