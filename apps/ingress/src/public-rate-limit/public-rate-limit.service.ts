import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CRM_EVENT_LIMITS, FORM_LIMITS } from '@rocketlead/contracts';
import { JsonLogger } from '@rocketlead/observability';
import { PeriodicSweep } from '@rocketlead/persistence';
import type { RateLimitScope } from './public-rate-limit-hit.entity';
import { PublicRateLimitRepository, type RateKey, type RateVerdict } from './public-rate-limit.repository';

export const PUBLIC_RATE_WINDOW_SECONDS = 60;
const SWEEP_INTERVAL_MS = 10 * 60_000;

/** Attempts one client IP may make in any 60 seconds: submissions to one form; RSVPs and cancellations of one event. */
const LIMITS: Record<RateLimitScope, number> = {
  form: FORM_LIMITS.submissionsPerMinute,
  event: CRM_EVENT_LIMITS.rsvpsPerMinute,
};

/** The public endpoints' rate limits, counted in Postgres (see PublicRateLimitRepository). */
@Injectable()
export class PublicRateLimitService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly sweeper: PeriodicSweep;

  constructor(
    private readonly hits: PublicRateLimitRepository,
    private readonly logger: JsonLogger,
  ) {
    this.sweeper = new PeriodicSweep(
      SWEEP_INTERVAL_MS,
      () => this.hits.deleteOutside(PUBLIC_RATE_WINDOW_SECONDS),
      (error) =>
        this.logger.event('warn', 'public rate limit sweep failed', { error: (error as Error).message }),
    );
  }

  onApplicationBootstrap(): void {
    this.sweeper.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.sweeper.stop();
  }

  hit(key: RateKey): Promise<RateVerdict> {
    return this.hits.hit(key, LIMITS[key.scope], PUBLIC_RATE_WINDOW_SECONDS);
  }
}
