import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type TimerState = 'pending' | 'fired' | 'cancelled';

/**
 * A durable timer. Written in the same transaction as the change that caused it; fired exactly once by
 * whichever replica claims it (FOR UPDATE SKIP LOCKED) in the transaction that records its effect.
 */
@Entity({ name: 'timers' })
@Index('timers_due_idx', ['dueAt'], { where: "state = 'pending'" })
export class TimerEntity {
  @PrimaryColumn({ type: 'text' })
  key: string;

  @Column({ type: 'text' })
  kind: string;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt: Date;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  payload: unknown;

  @Column({ type: 'text', default: 'pending' })
  state: TimerState;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'fired_at', type: 'timestamptz', nullable: true })
  firedAt: Date | null;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;
}
