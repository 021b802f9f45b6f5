import type { EntityManager } from 'typeorm';
import type { FiredTimer } from '@rocketlead/timers';

/**
 * What one kind of automation timer does when it fires, in the transaction that marks it fired. It returns
 * the runs to execute once that commits (a resumed wait, a continued task, a reminder's new run).
 */
export interface TimerKindHandler {
  readonly kinds: readonly string[];
  fire(timers: FiredTimer[], manager: EntityManager): Promise<string[]>;
}

/** The key of the one timer a waiting run has (a wait's resume or a task's deadline): one wait at a time. */
export const wakeKey = (runId: string): string => `run:${runId}`;
