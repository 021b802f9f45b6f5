import { Injectable } from '@nestjs/common';
import type { MetricSample, StatusSource } from '@rocketlead/observability';

/** What the status sources of a service report: a section each for /health/ready, and all their samples. */
export interface CollectedStatus {
  status: Record<string, Record<string, number>>;
  metrics: MetricSample[];
}

/** The parts of a service that report numbers (outbox relay, timer runner) register here. */
@Injectable()
export class MetricsRegistry {
  private readonly sources: StatusSource[] = [];

  register(source: StatusSource): void {
    this.sources.push(source);
  }

  /** Asks every source; one that fails (its database is down) is left out rather than failing the rest. */
  async collect(): Promise<CollectedStatus> {
    const results = await Promise.allSettled(this.sources.map((source) => source.collect()));
    const out: CollectedStatus = { status: {}, metrics: processMetrics() };
    for (const [i, result] of results.entries()) {
      if (result.status !== 'fulfilled') continue;
      out.status[this.sources[i]!.statusName] = result.value.status;
      out.metrics.push(...result.value.metrics);
    }
    return out;
  }
}

/** Every service reports these, whatever else it runs. */
function processMetrics(): MetricSample[] {
  return [
    {
      name: 'rocketlead_process_uptime_seconds',
      help: 'Seconds since the process started',
      type: 'gauge',
      value: Math.round(process.uptime()),
    },
    {
      name: 'rocketlead_process_resident_memory_bytes',
      help: 'Resident memory of the process',
      type: 'gauge',
      value: process.memoryUsage.rss(),
    },
  ];
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** Prometheus text exposition format (0.0.4): a HELP and TYPE line per metric, then its samples. */
export function renderPrometheus(samples: MetricSample[]): string {
  const byName = new Map<string, MetricSample[]>();
  for (const sample of samples) byName.set(sample.name, [...(byName.get(sample.name) ?? []), sample]);
  const lines: string[] = [];
  for (const [name, group] of byName) {
    lines.push(`# HELP ${name} ${group[0]!.help}`, `# TYPE ${name} ${group[0]!.type}`);
    for (const sample of group) {
      const labels = Object.entries(sample.labels ?? {})
        .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
        .join(',');
      lines.push(`${name}${labels ? `{${labels}}` : ''} ${sample.value}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
