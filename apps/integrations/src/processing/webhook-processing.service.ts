import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { MetricsRegistry, ServiceOutbox } from '@rocketlead/messaging';
import { JsonLogger } from '@rocketlead/observability';
import { nextRetry, TimerRunner, type FiredTimer } from '@rocketlead/timers';
import { INTEGRATIONS_CONFIG } from '../config.token';
import type { IntegrationsConfig } from '../config';
import { ConnectionsRepository } from '../connections/connections.repository';
import { INTEGRATIONS_SCHEMA } from '../database/entities';
import { PurchasesRepository } from '../purchases/purchases.repository';
import {
  InboundWebhooksRepository,
  type WebhookClaim,
  type WebhookTimerPayload,
} from '../webhooks/inbound-webhooks.repository';
import { failed, failureOf, type ProcessingOutcome } from './processing-outcome';
import { integrationActor, WebhookProcessor } from './webhook-processor';

/** Attempts processed at the same time per replica. */
const CONCURRENCY = 8;

interface DueAttempt extends WebhookClaim {
  traceparent: string;
}

/**
 * Processes inbound webhooks through durable timers. A firing claims the webhook (its attempt number, and the
 * timer turned into a lease) and commits; the attempt then runs outside any transaction (providers and other
 * services may take seconds) and records its outcome: done (purchases and their events in the same
 * transaction), or the next retry per INTEGRATIONS_RETRY_SCHEDULE, or failed once the schedule is used up.
 * A process that dies mid-attempt leaves the lease, which fires the next attempt later.
 */
@Injectable()
export class WebhookProcessingService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly runner: TimerRunner;
  private readonly leaseMs: number;
  private claimed: DueAttempt[] = [];
  private readonly queue: DueAttempt[] = [];
  private running = 0;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    dataSource: DataSource,
    private readonly logger: JsonLogger,
    @Inject(INTEGRATIONS_CONFIG) private readonly config: IntegrationsConfig,
    private readonly webhooks: InboundWebhooksRepository,
    private readonly connections: ConnectionsRepository,
    private readonly purchases: PurchasesRepository,
    private readonly processor: WebhookProcessor,
    private readonly outbox: ServiceOutbox,
    metrics: MetricsRegistry,
  ) {
    // Longer than an attempt can take: a provider call, and a few requests to other services per contact.
    this.leaseMs = Math.max(
      5 * 60_000,
      4 * (config.INTEGRATIONS_PROVIDER_TIMEOUT_MS + config.RPC_TIMEOUT_MS),
    );
    this.runner = new TimerRunner({
      dataSource,
      url: config.DATABASE_URL,
      schema: INTEGRATIONS_SCHEMA,
      logger,
      batchSize: 100,
      handler: (timer, manager) => this.claim(timer, manager),
      onCommitted: () => {
        const claimed = this.claimed;
        this.claimed = [];
        for (const attempt of claimed) this.enqueue(attempt);
      },
      retention: { doneMs: config.TIMERS_RETENTION, deadMs: config.DEAD_LETTER_RETENTION },
    });
    metrics.register(this.runner);
  }

  onApplicationBootstrap(): Promise<void> {
    return this.runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
    // Attempts not started yet keep their lease and run again after it.
    this.queue.length = 0;
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private async claim(timer: FiredTimer, manager: EntityManager): Promise<void> {
    const { id } = timer.payload as WebhookTimerPayload;
    const claim = await this.webhooks.claim(manager, id, new Date(Date.now() + this.leaseMs));
    if (claim) this.claimed.push({ ...claim, traceparent: timer.traceparent });
  }

  private enqueue(attempt: DueAttempt): void {
    this.queue.push(attempt);
    this.drain();
  }

  private drain(): void {
    while (this.running < CONCURRENCY && this.queue.length > 0) {
      const attempt = this.queue.shift()!;
      this.running += 1;
      const work = this.attempt(attempt)
        .catch((error: Error) =>
          // The lease fires the next attempt.
          this.logger.event('warn', 'inbound webhook outcome could not be recorded; its lease will retry', {
            deliveryId: attempt.id,
            error: error.message,
          }),
        )
        .finally(() => {
          this.running -= 1;
          this.inFlight.delete(work);
          this.drain();
        });
      this.inFlight.add(work);
    }
  }

  private async attempt(attempt: DueAttempt): Promise<void> {
    const webhook = await this.webhooks.find(attempt.id);
    if (!webhook || webhook.status !== 'pending') return;
    const connection = await this.connections.find(webhook.organizationId, webhook.connectionId);
    let outcome: ProcessingOutcome;
    try {
      outcome = connection
        ? await this.processor.process(webhook, connection, attempt.traceparent)
        : failed('the connection was deleted');
    } catch (error) {
      const failure = failureOf(error);
      const retry = failure.transient
        ? nextRetry(this.config.INTEGRATIONS_RETRY_SCHEDULE, attempt.attempts, null)
        : ({ retry: false } as const);
      if (retry.retry) {
        await this.webhooks.retryLater(attempt, failure.reason, new Date(Date.now() + retry.delayMs));
        return;
      }
      outcome = failed(
        failure.transient ? `gave up after ${attempt.attempts} attempts: ${failure.reason}` : failure.reason,
      );
    }
    await this.record(attempt, outcome, webhook, connection);
  }

  private async record(
    attempt: DueAttempt,
    outcome: ProcessingOutcome,
    webhook: Parameters<WebhookProcessor['process']>[0],
    connection: Parameters<WebhookProcessor['process']>[1] | null,
  ): Promise<void> {
    if (outcome.status !== 'succeeded') {
      const recorded = await this.webhooks.finish(attempt, outcome.status, outcome.reason);
      // Reasons name what failed (provider answers, other services' codes), never a secret.
      if (recorded && outcome.status === 'failed')
        this.logger.event('warn', 'inbound webhook failed', {
          deliveryId: attempt.id,
          provider: webhook.provider,
          attempts: attempt.attempts,
          reason: outcome.reason,
        });
      return;
    }
    const actor = integrationActor(webhook, attempt.traceparent);
    let wrote = false;
    await this.webhooks.finish(attempt, 'succeeded', outcome.note, async (manager) => {
      if (connection && outcome.purchases.length > 0)
        wrote = (await this.purchases.record(manager, actor, connection, outcome.purchases)).length > 0;
    });
    if (wrote) this.outbox.committed();
  }
}
