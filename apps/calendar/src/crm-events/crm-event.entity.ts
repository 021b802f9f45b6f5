import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** The unique index that links one Eventbrite event to at most one CRM event of an organization. */
export const EVENTBRITE_EVENT_UNIQUE = 'crm_events_eventbrite_event_unique';

@Entity({ name: 'crm_events' })
@Index(EVENTBRITE_EVENT_UNIQUE, ['organizationId', 'eventbriteEventId'], {
  unique: true,
  where: '"eventbrite_event_id" IS NOT NULL',
})
@Index('crm_events_org_page_idx', ['organizationId', 'startsAt', 'id'])
export class CrmEventEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'table_id', type: 'uuid' })
  tableId: string;

  @Column({ name: 'starts_at', type: 'timestamptz' })
  startsAt: Date;

  @Column({ name: 'ends_at', type: 'timestamptz', nullable: true })
  endsAt: Date | null;

  @Column({ type: 'integer', nullable: true })
  capacity: number | null;

  @Column({ name: 'eventbrite_event_id', type: 'text', nullable: true })
  eventbriteEventId: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
