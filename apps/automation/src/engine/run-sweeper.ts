import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { JsonLogger } from '@rocketlead/observability';
import { RunsRepository } from '../runs/runs.repository';
import { RunExecutor } from './run-executor';

const SWEEP_INTERVAL_MS = 10_000;
const BATCH = 50;
/** A run nobody ever claimed is left this long to its event's own consumer before it is taken over. */
const UNCLAIMED_AFTER_MS = 2 * 60_000;

/**
 * Resumes runs whose replica died mid-run (their lease expired): at start-up and every 10 s. The event's
 * redelivery usually resumes them first; this catches the rest (e.g. runs started by start_workflow).
 */
@Injectable()
export class RunSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly runs: RunsRepository,
    private readonly executor: RunExecutor,
    private readonly logger: JsonLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sweeping;
  }

  /** One pass: every abandoned run taken (unless another replica is quicker) and executed. */
  async sweep(): Promise<number> {
    let resumed = 0;
    for (const runId of await this.runs.abandonedRuns(BATCH, UNCLAIMED_AFTER_MS)) {
      if (this.stopped) break;
      await this.executor.execute(runId, false);
      resumed += 1;
    }
    return resumed;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.sweeping = this.sweep()
        .then((resumed) => {
          if (resumed > 0) this.logger.event('info', 'abandoned runs resumed', { resumed });
        })
        .catch((error: unknown) => {
          this.logger.event('warn', 'run sweep failed', { error: (error as Error).message });
        })
        .finally(() => this.schedule(SWEEP_INTERVAL_MS));
    }, delayMs);
    this.timer.unref();
  }
}
