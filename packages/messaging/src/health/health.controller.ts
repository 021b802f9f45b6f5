import { Controller, Get, HttpCode, Inject, ServiceUnavailableException } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { DataSource } from 'typeorm';
import { NATS_CONNECTION } from '../tokens';
import { natsStatus } from '../nats-connection';

/** Liveness says the process runs; readiness says it can reach Postgres and NATS. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HttpCode(200)
  async ready(): Promise<{ status: 'ok'; checks: Record<string, 'up'> }> {
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
    return { status: 'ok', checks: { postgres: 'up', nats: 'up' } };
  }
}
