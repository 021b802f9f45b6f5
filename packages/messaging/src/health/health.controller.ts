import { Controller, Get, HttpCode, Inject, Optional, ServiceUnavailableException } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { DataSource } from 'typeorm';
import { NATS_CONNECTION } from '../tokens';
import { natsStatus } from '../nats-connection';
import { MetricsRegistry } from './metrics.registry';

/**
 * Liveness says the process runs; readiness says it can reach Postgres and NATS. Readiness also reports the
 * outbox lag and dead letters (and timers where a service runs them) as information: a backlog is not a
 * reason to take a replica out of service, since it is the one that works it off.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Optional() private readonly metrics?: MetricsRegistry,
  ) {}

  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HttpCode(200)
  async ready(): Promise<{
    status: 'ok';
    checks: Record<string, 'up'>;
    [section: string]: unknown;
  }> {
    const [postgres, nats] = await Promise.all([
      this.dataSource
        .query('SELECT 1')
        .then(() => true)
        .catch(() => false),
      natsStatus(this.nc),
    ]);
    if (!postgres || !nats.up) {
      throw new ServiceUnavailableException({
        message: 'Not ready',
        checks: { postgres: postgres ? 'up' : 'down', nats: nats.up ? 'up' : 'down' },
        // Why NATS is down, e.g. "NATS authentication failed: Authorization Violation".
        ...(nats.reason ? { reasons: { nats: nats.reason } } : {}),
      });
    }
    const collected = await this.metrics?.collect();
    return { status: 'ok', checks: { postgres: 'up', nats: 'up' }, ...collected?.status };
  }
}
