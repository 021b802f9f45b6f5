import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { FORM_LIMITS } from '@rocketlead/contracts';
import { JsonLogger } from '@rocketlead/observability';
import { PeriodicSweep } from '@rocketlead/persistence';
import { FormRateLimitRepository, type RateVerdict } from './form-rate-limit.repository';

export const FORM_RATE_WINDOW_SECONDS = 60;
const SWEEP_INTERVAL_MS = 10 * 60_000;

/** At most FORM_LIMITS.submissionsPerMinute submissions per form and client IP in any 60 seconds. */
@Injectable()
export class FormRateLimitService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly sweeper: PeriodicSweep;

  constructor(
    private readonly hits: FormRateLimitRepository,
    private readonly logger: JsonLogger,
  ) {
    this.sweeper = new PeriodicSweep(
      SWEEP_INTERVAL_MS,
      () => this.hits.deleteOutside(FORM_RATE_WINDOW_SECONDS),
      (error) =>
        this.logger.event('warn', 'form rate limit sweep failed', { error: (error as Error).message }),
    );
  }

  onApplicationBootstrap(): void {
    this.sweeper.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.sweeper.stop();
  }

  hit(formId: string, clientIp: string): Promise<RateVerdict> {
    return this.hits.hit(formId, clientIp, FORM_LIMITS.submissionsPerMinute, FORM_RATE_WINDOW_SECONDS);
  }
}
