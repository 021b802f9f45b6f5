import type { MetricSample } from '@rocketlead/observability';

export type RunEnding = 'completed' | 'failed';

/**
 * Runs this process ended, by how they ended. Counters per process (sum them over replicas), reported from
 * zero so that a rate over them is defined before the first failure.
 */
export class RunMetrics {
  private readonly ended: Record<RunEnding, number> = { completed: 0, failed: 0 };

  runEnded(how: RunEnding): void {
    this.ended[how] += 1;
  }

  /** For /health/ready: how many runs ended each way. */
  status(): Record<RunEnding, number> {
    return { ...this.ended };
  }

  samples(): MetricSample[] {
    return (Object.keys(this.ended) as RunEnding[]).map((status) => ({
      name: 'rocketlead_automation_runs_ended_total',
      help: 'Automation runs this process ended, by status',
      type: 'counter',
      value: this.ended[status],
      labels: { status },
    }));
  }
}
