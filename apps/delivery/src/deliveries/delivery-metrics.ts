import { DELIVERY_KINDS, type DeliveryKind } from '@rocketlead/contracts';
import type { MetricSample } from '@rocketlead/observability';

type Result = 'succeeded' | 'failed';
type Counts = Record<DeliveryKind, Record<Result, number>>;

const zero = (): Counts =>
  Object.fromEntries(DELIVERY_KINDS.map((kind) => [kind, { succeeded: 0, failed: 0 }])) as Counts;

/**
 * What this process sent: attempts by kind and result, and deliveries that reached their final outcome.
 * Counters per process (sum them over replicas); every kind and result is reported from zero, so that a
 * rate over them is defined before the first failure.
 */
export class DeliveryMetrics {
  private readonly attempts = zero();
  private readonly finished = zero();

  /** One attempt's result; `final` when it ends the delivery (success, a permanent error, the last retry). */
  attempted(kind: DeliveryKind, ok: boolean, final: boolean): void {
    const result: Result = ok ? 'succeeded' : 'failed';
    this.attempts[kind][result] += 1;
    if (final) this.finished[kind][result] += 1;
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
      for (const result of ['succeeded', 'failed'] as const)
        out.push(
          {
            name: 'rocketlead_delivery_attempts_total',
            help: 'Webhook requests, emails and text messages this process attempted, by result',
            type: 'counter',
            value: this.attempts[kind][result],
            labels: { kind, result },
          },
          {
            name: 'rocketlead_deliveries_finished_total',
            help: 'Deliveries that reached their final outcome in this process (failed: no retry left)',
            type: 'counter',
            value: this.finished[kind][result],
            labels: { kind, status: result },
          },
        );
    return out;
  }
}
