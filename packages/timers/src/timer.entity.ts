import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** `dead`: its handler failed on every attempt; kept with its last error for the dead-letter retention. */
export type TimerState = 'pending' | 'fired' | 'cancelled' | 'dead';

/**
 * A durable timer. Written in the same transaction as the change that caused it; fired exactly once by
 * whichever replica claims it (FOR UPDATE SKIP LOCKED) in the transaction that records its effect. The table
 * comes from `timersMigrations(schema)`.
 */
@Entity({ name: 'timers' })
@Index('timers_due_idx', ['dueAt'], { where: "state = 'pending'" })
@Index('timers_done_idx', ['doneAt'], { where: "state IN ('fired', 'cancelled')" })
@Index('timers_dead_idx', ['doneAt'], { where: "state = 'dead'" })
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

  /** When it left `pending` (fired, cancelled or dead); retention counts from here. */
  @Column({ name: 'done_at', type: 'timestamptz', nullable: true })
  doneAt: Date | null;
}
