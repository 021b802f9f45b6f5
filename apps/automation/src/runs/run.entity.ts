import { Column, Entity, Index, PrimaryColumn, Unique } from 'typeorm';
import type { RunContextRef, RunStatus } from '@rocketlead/contracts';

/** What a run works on, kept so that a run resumed after a crash sees what it started with. */
export interface RunSnapshot {
  event: Record<string, unknown>;
  entry: Record<string, unknown> | null;
  booking: Record<string, unknown> | null;
}

@Entity({ name: 'runs' })
// One run per (automation, trigger): an event id, or `<runId>:<step>` for start_workflow.
@Unique('runs_automation_trigger_key', ['automationId', 'triggerKey'])
// Run history of an automation, newest first.
@Index('runs_history_idx', ['organizationId', 'automationId', 'startedAt', 'id'])
// Loop detection: has this automation run for this lead in this correlation chain?
@Index('runs_chain_idx', ['automationId', 'entryId', 'correlationId'])
// Runs of a lead (stop_workflow, start_workflow).
@Index('runs_entry_idx', ['organizationId', 'entryId', 'status'])
// The sweep that resumes runs whose replica died looks only at unfinished runs.
@Index('runs_unfinished_idx', ['startedAt'], { where: "status = 'running'" })
export class RunEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'automation_id', type: 'uuid' })
  automationId: string;

  @Column({ name: 'automation_version', type: 'integer' })
  automationVersion: number;

  @Column({ name: 'trigger_key', type: 'text' })
  triggerKey: string;

  @Column({ type: 'text' })
  status: RunStatus;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ type: 'boolean', default: false })
  sandbox: boolean;

  /** A dry run: evaluated on request, never executed. */
  @Column({ name: 'dry_run', type: 'boolean', default: false })
  dryRun: boolean;

  @Column({ name: 'trigger_name', type: 'text', nullable: true })
  triggerName: string | null;

  @Column({ name: 'entry_id', type: 'uuid', nullable: true })
  entryId: string | null;

  @Column({ name: 'correlation_id', type: 'text' })
  correlationId: string;

  @Column({ type: 'integer', default: 0 })
  depth: number;

  @Column({ type: 'jsonb' })
  context: RunContextRef;

  @Column({ type: 'jsonb' })
  snapshot: RunSnapshot;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ name: 'started_at', type: 'timestamptz', default: () => 'now()' })
  startedAt: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  /** A replica executing the run holds it until then; an expired lease lets another resume it. */
  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil: Date | null;
}
