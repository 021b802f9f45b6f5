import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { JsonLogger } from '@rocketlead/observability';
import { FormSubmissionsRepository } from './form-submissions.repository';

// A spent link answers 410 for a week, then 404 like one never issued: its submission is deleted.
export const SPENT_SUBMISSION_RETENTION_MS = 7 * 24 * 3_600_000;
const SWEEP_EVERY_MS = 3_600_000;

/** Deletes staged submissions a while after their link expired or was used (every replica; idempotent). */
@Injectable()
export class FormSubmissionsSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly submissions: FormSubmissionsRepository,
    private readonly logger: JsonLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running = this.sweep();
    }, SWEEP_EVERY_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One sweep; a failure is logged and the next sweep tries again. */
  async sweep(): Promise<void> {
    try {
      const deleted = await this.submissions.purge(SPENT_SUBMISSION_RETENTION_MS);
      if (deleted > 0) this.logger.event('info', 'form submissions purged', { deleted });
    } catch (error) {
      this.logger.event('error', 'form submission purge failed', { error: String(error) });
    }
  }
}
