import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { FormField } from '@rocketlead/contracts';

@Entity({ name: 'forms' })
@Index('forms_org_page_idx', ['organizationId', 'createdAt', 'id'])
export class FormEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'table_id', type: 'uuid' })
  tableId: string;

  @Column({ type: 'jsonb' })
  fields: FormField[];

  @Column({ name: 'dedupe_key', type: 'text' })
  dedupeKey: string;

  @Column({ name: 'double_opt_in', type: 'boolean' })
  doubleOptIn: boolean;

  @Column({ name: 'booking_calendar_id', type: 'uuid', nullable: true })
  bookingCalendarId: string | null;

  @Column({ name: 'redirect_url', type: 'text', nullable: true })
  redirectUrl: string | null;

  @Column({ name: 'webhook_url', type: 'text', nullable: true })
  webhookUrl: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
