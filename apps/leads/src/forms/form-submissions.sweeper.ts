import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { JsonLogger } from '@rocketlead/observability';
import { PeriodicSweep } from '@rocketlead/persistence';
import { FormSubmissionsRepository } from './form-submissions.repository';

// A spent link answers 410 for a week, then 404 like one never issued: its submission is deleted.
export const SPENT_SUBMISSION_RETENTION_MS = 7 * 24 * 3_600_000;
const SWEEP_EVERY_MS = 3_600_000;

/** Deletes staged submissions a while after their link expired or was used (every replica; idempotent). */
@Injectable()
export class FormSubmissionsSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly sweeper: PeriodicSweep;

  constructor(
    private readonly submissions: FormSubmissionsRepository,
    private readonly logger: JsonLogger,
  ) {
    this.sweeper = new PeriodicSweep(
      SWEEP_EVERY_MS,
      () => this.sweep(),
      (error) => this.logger.event('error', 'form submission purge failed', { error: String(error) }),
    );
  }

  onApplicationBootstrap(): void {
    this.sweeper.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.sweeper.stop();
  }

  /** One sweep (also for operators and tests). */
  async sweep(): Promise<void> {
    const deleted = await this.submissions.purge(SPENT_SUBMISSION_RETENTION_MS);
    if (deleted > 0) this.logger.event('info', 'form submissions purged', { deleted });
  }
}
