import { Controller, Get, Header } from '@nestjs/common';
import { MetricsRegistry, renderPrometheus } from './metrics.registry';

/** Prometheus scrape endpoint: outbox lag and dead letters, timers, publish counters (see docs/outbox.md). */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly registry: MetricsRegistry) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async metrics(): Promise<string> {
    return renderPrometheus((await this.registry.collect()).metrics);
  }
}
