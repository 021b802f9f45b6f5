import { DELIVERY_KINDS, type DeliveryKind } from '@rocketlead/contracts';
import type { MetricSample } from '@rocketlead/observability';

const RESULTS = ['succeeded', 'failed'] as const;

/**
 * What this process sent: attempts by kind and result, and deliveries that reached their final outcome.
 * Counters per process (sum them over replicas); every kind and result is reported from zero, so that a
 * rate over them is defined before the first failure.
 */
export class DeliveryMetrics {
  private readonly attempts = new Map<string, number>();
  private readonly finished = new Map<string, number>();

  /** One attempt's result; `final` when it ends the delivery (success, a permanent error, the last retry). */
  attempted(kind: DeliveryKind, ok: boolean, final: boolean): void {
    const key = `${kind} ${ok ? 'succeeded' : 'failed'}`;
    this.attempts.set(key, (this.attempts.get(key) ?? 0) + 1);
    if (final) this.finished.set(key, (this.finished.get(key) ?? 0) + 1);
  }

  samples(inFlight: number): MetricSample[] {
    const out: MetricSample[] = [
      {
        name: 'rocketlead_delivery_in_flight',
        help: 'Deliveries queued, being sent or being recorded in this process',
        type: 'gauge',
        value: inFlight,
      },
    ];
    for (const kind of DELIVERY_KINDS)
      for (const result of RESULTS) {
        const key = `${kind} ${result}`;
        out.push(
          {
            name: 'rocketlead_delivery_attempts_total',
            help: 'Webhook requests, emails and text messages this process attempted, by result',
            type: 'counter',
            value: this.attempts.get(key) ?? 0,
            labels: { kind, result },
          },
          {
            name: 'rocketlead_deliveries_finished_total',
            help: 'Deliveries that reached their final outcome in this process (failed: no retry left)',
            type: 'counter',
            value: this.finished.get(key) ?? 0,
            labels: { kind, status: result },
          },
        );
      }
    return out;
  }
}
