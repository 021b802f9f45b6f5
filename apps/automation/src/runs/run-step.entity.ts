import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { StepStatus } from '@rocketlead/contracts';

@Entity({ name: 'run_steps' })
export class RunStepEntity {
  @PrimaryColumn({ name: 'run_id', type: 'uuid' })
  runId: string;

  @PrimaryColumn({ type: 'integer' })
  index: number;

  @Column({ name: 'action_id', type: 'text' })
  actionId: string;

  @Column({ type: 'text' })
  type: string;

  @Column({ type: 'jsonb' })
  params: Record<string, unknown>;

  @Column({ type: 'text' })
  status: StepStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ type: 'jsonb', nullable: true })
  output: unknown;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ name: 'would_do', type: 'jsonb', nullable: true })
  wouldDo: unknown;

  /** While the step waits: when its timer resumes it (or expires its task). */
  @Column({ name: 'resume_at', type: 'timestamptz', nullable: true })
  resumeAt: Date | null;
}
