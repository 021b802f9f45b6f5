import type { MetricSample } from '@rocketlead/observability';

const ENDINGS = ['completed', 'failed'] as const;
export type RunEnding = (typeof ENDINGS)[number];

/**
 * Runs this process ended, by how they ended. Counters per process (sum them over replicas), reported from
 * zero so that a rate over them is defined before the first failure.
 */
export class RunMetrics {
  private readonly ended = new Map<RunEnding, number>();

  runEnded(how: RunEnding): void {
    this.ended.set(how, (this.ended.get(how) ?? 0) + 1);
  }

  /** For /health/ready: how many runs ended each way. */
  status(): Record<RunEnding, number> {
    return { completed: this.ended.get('completed') ?? 0, failed: this.ended.get('failed') ?? 0 };
  }

  samples(): MetricSample[] {
    return ENDINGS.map((status) => ({
      name: 'rocketlead_automation_runs_ended_total',
      help: 'Automation runs this process ended, by status',
      type: 'counter' as const,
      value: this.ended.get(status) ?? 0,
      labels: { status },
    }));
  }
}
