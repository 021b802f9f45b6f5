import {
  HttpException,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DomainError } from '@rocketlead/contracts';
import { JsonLogger } from '@rocketlead/observability';
import { PeriodicSweep } from '@rocketlead/persistence';
import { toHttpError } from '../http/http-error.filter';
import { IdempotencyRepository } from './idempotency.repository';

export const IDEMPOTENCY_KEY_MAX = 255;

export interface IdempotentCall<T> {
  organizationId: string;
  /** The API token or ingress webhook the request came with; its keys are its own. */
  credentialId: string;
  /** The Idempotency-Key header; without it the work simply runs. */
  key: string | undefined;
  route: string;
  body: unknown;
  /** Receives the downstream de-duplication key when the header was given. */
  work: (downstreamKey: string | undefined) => Promise<T>;
}

/** A recorded error replays as the same status and body. */
class ReplayedError extends HttpException {}

@Injectable()
export class IdempotencyService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly sweeper: PeriodicSweep;

  constructor(
    private readonly keys: IdempotencyRepository,
    private readonly logger: JsonLogger,
  ) {
    this.sweeper = new PeriodicSweep(
      10 * 60_000,
      () => this.keys.deleteExpired(),
      (error) => this.logger.event('warn', 'idempotency sweep failed', { error: (error as Error).message }),
    );
  }

  onApplicationBootstrap(): void {
    this.sweeper.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.sweeper.stop();
  }

  async run<T>(call: IdempotentCall<T>): Promise<T> {
    const { key } = call;
    const scope = { organizationId: call.organizationId, credentialId: call.credentialId };
    if (key === undefined) return call.work(undefined);
    if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX) {
      throw new DomainError('VALIDATION_FAILED', 'Validation failed', {
        errors: [{ field: 'Idempotency-Key', message: `must be 1-${IDEMPOTENCY_KEY_MAX} characters` }],
      });
    }
    const hash = this.keys.fingerprint(call.route, call.body);
    const reservation = await this.keys.reserve(scope, key, hash);
    let reservationId: string;
    if (reservation.acquired) {
      reservationId = reservation.reservationId;
    } else {
      const existing = reservation.existing;
      if (!existing.requestHash.equals(hash)) {
        throw new DomainError(
          'IDEMPOTENCY_MISMATCH',
          'Idempotency-Key was already used with a different request body',
          {
            field: 'Idempotency-Key',
          },
        );
      }
      if (existing.state === 'completed') {
        if (existing.responseStatus !== null && existing.responseStatus >= 400) {
          throw new ReplayedError(existing.responseBody as Record<string, unknown>, existing.responseStatus);
        }
        return existing.responseBody as T;
      }
      if (!existing.leaseExpired || !(await this.keys.takeOver(scope, key, existing.reservationId))) {
        throw new DomainError(
          'CONFLICT',
          'A request with this Idempotency-Key is still in progress; retry shortly',
          {
            field: 'Idempotency-Key',
          },
        );
      }
      reservationId = existing.reservationId;
    }
    try {
      const result = await call.work(reservationId);
      await this.keys.complete(scope, key, 201, result);
      return result;
    } catch (error) {
      const body = toHttpError(error);
      // Client errors are part of the recorded outcome; server-side failures leave the key free to retry.
      if (body.statusCode >= 400 && body.statusCode < 500)
        await this.keys.complete(scope, key, body.statusCode, body);
      else await this.keys.release(scope, key, reservationId);
      throw error;
    }
  }
}
