import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AutomationAction, AutomationTrigger } from '@rocketlead/contracts';

/** Every version's definition, written with the change that made it: a run shows the version it started with. */
@Entity({ name: 'automation_versions' })
export class AutomationVersionEntity {
  @PrimaryColumn({ name: 'automation_id', type: 'uuid' })
  automationId: string;

  @PrimaryColumn({ type: 'integer' })
  version: number;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'jsonb' })
  trigger: AutomationTrigger;

  @Column({ type: 'jsonb' })
  actions: AutomationAction[];

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
