import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { MetricsRegistry, ServiceOutbox } from '@rocketlead/messaging';
import { JsonLogger } from '@rocketlead/observability';
import { TimerRunner, type FiredTimer } from '@rocketlead/timers';
import { AUTOMATION_CONFIG } from '../config.token';
import type { AutomationConfig } from '../config';
import { AUTOMATION_SCHEMA } from '../database/entities';
import { RunExecutor } from '../engine/run-executor';
import { TimerKinds } from './timer-kinds';

// A burst of waits ending together (10,000 runs waiting for the same moment) fires in few transactions.
const BATCH_SIZE = 2_000;
// Resumed runs executed at once by one replica: few while timers are still firing (a burst of waits ending
// together), so that the firing keeps the cores; more once it is over. Measured with bench:waits
// (docs/performance.md).
const RESUMED_CONCURRENCY_WHILE_FIRING = 2;
const RESUMED_CONCURRENCY = 16;
// A firing within this long counts as "still firing".
const FIRING_QUIET_MS = 500;

/**
 * Fires automation's timers (waits, task deadlines, reminders) once across replicas, each kind through its
 * handler in the transaction that marks it fired, and executes the runs they resumed or started once that
 * commits. A crash in between leaves those runs leased to nobody for at most a lease, then the sweep takes them.
 */
@Injectable()
export class TimerDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly runner: TimerRunner;
  private due: string[] = [];
  private readonly queue: string[] = [];
  private active = 0;
  private stopped = false;
  private lastFiring = 0;

  constructor(
    dataSource: DataSource,
    private readonly logger: JsonLogger,
    @Inject(AUTOMATION_CONFIG) private readonly config: AutomationConfig,
    private readonly kinds: TimerKinds,
    private readonly executor: RunExecutor,
    private readonly outbox: ServiceOutbox,
    metrics: MetricsRegistry,
  ) {
    this.runner = new TimerRunner({
      dataSource,
      url: config.DATABASE_URL,
      schema: AUTOMATION_SCHEMA,
      logger,
      batchSize: BATCH_SIZE,
      handler: (timer, manager) => this.fire([timer], manager),
      batchHandler: (timers, manager) => this.fire(timers, manager),
      onCommitted: () => {
        this.outbox.committed();
        const due = this.due;
        this.due = [];
        this.enqueue(due);
      },
      retention: { doneMs: config.TIMERS_RETENTION, deadMs: config.DEAD_LETTER_RETENTION },
    });
    metrics.register(this.runner);
  }

  onApplicationBootstrap(): Promise<void> {
    return this.runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.runner.stop();
  }

  private async fire(timers: FiredTimer[], manager: EntityManager): Promise<void> {
    this.lastFiring = Date.now();
    const byKind = new Map<string, FiredTimer[]>();
    for (const timer of timers) {
      // One array per kind, appended to: a burst of 2,000 timers is grouped without copying.
      const group = byKind.get(timer.kind);
      if (group) group.push(timer);
      else byKind.set(timer.kind, [timer]);
    }
    const runs: string[] = [];
    for (const [kind, group] of byKind) runs.push(...(await this.kinds.handler(kind).fire(group, manager)));
    // Kept only once the whole batch is through: a batch that fails is retried timer by timer.
    this.due.push(...runs);
  }

  /**
   * Executes the runs a few at a time while timers are firing (so that a burst of resumed runs leaves the pool
   * and the cores to the timers still due), more once the firing is over; each finished run re-evaluates.
   */
  private enqueue(runIds: string[]): void {
    this.queue.push(...runIds);
    const firing = Date.now() - this.lastFiring < FIRING_QUIET_MS;
    const limit = Math.min(
      firing ? RESUMED_CONCURRENCY_WHILE_FIRING : RESUMED_CONCURRENCY,
      this.config.AUTOMATION_CONCURRENCY,
    );
    while (!this.stopped && this.active < limit && this.queue.length > 0) {
      const runId = this.queue.shift()!;
      this.active += 1;
      this.executor
        .executeResumed(runId)
        .catch((error: Error) =>
          this.logger.event('warn', 'resumed run failed to execute; the sweep retries it', {
            runId,
            error: error.message,
          }),
        )
        .finally(() => {
          this.active -= 1;
          this.enqueue([]);
        });
    }
  }
}
