import { Column, Entity, Generated, Index, PrimaryColumn } from 'typeorm';
import type { AutomationAction, AutomationStatus, AutomationTrigger } from '@rocketlead/contracts';

@Entity({ name: 'automations' })
// Lists page by creation order within an organization (and status).
@Index('automations_org_seq_idx', ['organizationId', 'seq'])
export class AutomationEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  /** Creation order: automations matching one event run in this order. */
  @Column({ type: 'bigint', unique: true })
  @Generated('increment')
  seq: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'jsonb' })
  trigger: AutomationTrigger;

  @Column({ type: 'jsonb' })
  actions: AutomationAction[];

  /** Copied from trigger.event so lists can filter by it. */
  @Column({ name: 'event_type', type: 'text' })
  eventType: string;

  @Column({ type: 'text' })
  status: AutomationStatus;

  @Column({ type: 'boolean', default: false })
  sandbox: boolean;

  @Column({ type: 'integer', default: 1 })
  version: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
