import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { FORM_LIMITS } from '@rocketlead/contracts';
import { JsonLogger } from '@rocketlead/observability';
import { FormRateLimitRepository, type RateVerdict } from './form-rate-limit.repository';

export const FORM_RATE_WINDOW_SECONDS = 60;
const SWEEP_INTERVAL_MS = 10 * 60_000;

/** At most FORM_LIMITS.submissionsPerMinute submissions per form and client IP in any 60 seconds. */
@Injectable()
export class FormRateLimitService implements OnApplicationBootstrap, OnApplicationShutdown {
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly hits: FormRateLimitRepository,
    private readonly logger: JsonLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.sweeper = setInterval(() => {
      this.hits
        .deleteOutside(FORM_RATE_WINDOW_SECONDS)
        .catch((error: Error) =>
          this.logger.event('warn', 'form rate limit sweep failed', { error: error.message }),
        );
    }, SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }

  hit(formId: string, clientIp: string): Promise<RateVerdict> {
    return this.hits.hit(formId, clientIp, FORM_LIMITS.submissionsPerMinute, FORM_RATE_WINDOW_SECONDS);
  }
}
