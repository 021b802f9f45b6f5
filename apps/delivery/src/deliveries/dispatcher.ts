import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { MetricsRegistry } from '@rocketlead/messaging';
import { JsonLogger } from '@rocketlead/observability';
import { GroupWriter } from '@rocketlead/persistence';
import { nextRetry } from '@rocketlead/timers';
import { DELIVERY_CONFIG } from '../config.token';
import type { DeliveryConfig } from '../config';
import { EndpointsRepository } from '../endpoints/endpoints.repository';
import { DeliveriesRepository, type AttemptRecord, type DeliveryRef } from './deliveries.repository';
import type { DeliveryEntity } from './delivery.entity';
import { DeliveryMetrics } from './delivery-metrics';
import { KeyedLimiter } from './keyed-limiter';
import { laneOf } from './lane';
import { LONG_QUEUE_WAIT_MS, leaseMs } from './lease';
import { outcomeEvents } from './outcome-events';
import { Senders, type AttemptResult } from './senders';

const STOP_WAIT_MS = 15_000;
// The receiver already has the request when its attempt is recorded: records trickling in share one
// transaction per window (about seven round trips each) instead of one each.
const RECORD_LINGER_MS = 20;

/**
 * Sends pending deliveries: each attempt in its lane (at most DELIVERY_ENDPOINT_CONCURRENCY at once per
 * endpoint), then records it with the next attempt's timer or the final outcome. Attempts start at once
 * after the delivery commits; the lease timer written with it covers a crash before the attempt is recorded.
 */
@Injectable()
export class Dispatcher implements BeforeApplicationShutdown {
  private readonly lanes: KeyedLimiter;
  private readonly completions: GroupWriter<AttemptRecord>;
  // Deliveries queued, sending or being recorded in this process, and the recordings under way.
  private readonly active = new Set<string>();
  private readonly recording = new Set<Promise<void>>();
  private readonly metrics = new DeliveryMetrics();
  private stopping = false;

  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly endpoints: EndpointsRepository,
    private readonly senders: Senders,
    private readonly logger: JsonLogger,
    @Inject(DELIVERY_CONFIG) private readonly config: DeliveryConfig,
    registry: MetricsRegistry,
  ) {
    this.lanes = new KeyedLimiter(config.DELIVERY_ENDPOINT_CONCURRENCY);
    registry.register({
      statusName: 'deliveries',
      collect: () =>
        Promise.resolve({
          status: { inFlight: this.active.size },
          metrics: this.metrics.samples(this.active.size),
        }),
    });
    this.completions = new GroupWriter(
      (records) =>
        this.deliveries.complete(records, (manager, org, endpointId, reason) =>
          this.endpoints.disable(manager, org, endpointId, reason),
        ),
      { lingerMs: RECORD_LINGER_MS },
    );
  }

  /** Queues committed pending deliveries for an attempt in this process. */
  enqueue(rows: DeliveryEntity[]): void {
    if (this.stopping) return;
    for (const row of rows) {
      // Queued, sending or being recorded here already: the lease timer that fired finds it busy.
      if (row.status !== 'pending' || this.active.has(row.id)) continue;
      this.active.add(row.id);
      this.lanes.run(laneOf(row), row.id, (queuedMs) => this.attempt(row, queuedMs));
    }
  }

  /** A timer came due (a retry, or a lease after a crash): load the delivery and queue it. */
  async resume(refs: DeliveryRef[]): Promise<void> {
    for (const ref of refs) {
      const row = await this.deliveries.load(ref);
      if (row) this.enqueue([row]);
    }
  }

  get inFlight(): number {
    return this.active.size;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    // Unfinished attempts are not lost: their lease timers fire on whichever replica is up.
    const deadline = Date.now() + STOP_WAIT_MS;
    await this.lanes.idle(deadline);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.allSettled([...this.recording]),
        new Promise((r) => (timer = setTimeout(r, Math.max(0, deadline - Date.now())))),
      ]);
    } finally {
      // Left running, it would keep a stopped process alive until the deadline.
      clearTimeout(timer);
    }
  }

  /**
   * Holds the lane only while the request is out: recording the result (a group commit) happens after the
   * lane is free, so a slow Postgres write never lowers what one endpoint can take.
   */
  private async attempt(row: DeliveryEntity, queuedMs: number): Promise<void> {
    const ref = { organizationId: row.organizationId, deliveryId: row.id };
    try {
      if (queuedMs > LONG_QUEUE_WAIT_MS)
        await this.deliveries.extendLease(ref, new Date(Date.now() + leaseMs(row)));
      const attemptedAt = this.deliveries.now();
      const result = await this.senders.send(row);
      const recorded = this.completions
        .add(this.record(row, attemptedAt, result))
        .catch((error: Error) => this.unrecorded(row, error))
        .finally(() => {
          this.active.delete(row.id);
          this.recording.delete(recorded);
        });
      this.recording.add(recorded);
    } catch (error) {
      this.unrecorded(row, error as Error);
      this.active.delete(row.id);
    }
  }

  private unrecorded(row: DeliveryEntity, error: Error): void {
    // Postgres was unavailable: the lease timer tries again later.
    this.logger.event('warn', 'delivery attempt could not be recorded; its lease will retry it', {
      deliveryId: row.id,
      error: error.message,
    });
  }

  private record(row: DeliveryEntity, attemptedAt: Date, result: AttemptResult): AttemptRecord {
    const attempts = row.attempts + 1;
    const decision =
      result.ok || result.permanent || result.gone
        ? { retry: false as const }
        : nextRetry(this.config.DELIVERY_RETRY_SCHEDULE, attempts, result.retryAfterMs);
    const finishedAt = new Date(attemptedAt.getTime() + result.durationMs);
    const nextAttemptAt = decision.retry ? new Date(finishedAt.getTime() + decision.delayMs) : null;
    const final = result.ok || !decision.retry;
    this.metrics.attempted(row.kind, result.ok, final);
    return {
      ref: { organizationId: row.organizationId, deliveryId: row.id },
      endpointId: row.endpointId,
      eventType: row.eventType,
      attemptedAt,
      durationMs: result.durationMs,
      succeeded: result.ok,
      responseStatus: result.responseStatus,
      error: result.ok ? null : result.error,
      responseBody: result.responseBody,
      providerMessageId: result.providerMessageId ?? null,
      nextAttemptAt,
      events: final
        ? outcomeEvents(
            row,
            result.ok ? 'succeeded' : 'failed',
            attempts,
            result.ok ? null : result.error,
            finishedAt,
          )
        : [],
      disableEndpoint: result.gone ? 'the receiver answered 410 Gone' : null,
    };
  }
}
