import { Inject, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AUTOMATION_CONFIG } from '../config.token';
import type { AutomationConfig } from '../config';
import { automationDatabase } from '../database/database.module';

/**
 * The pool the executor writes run progress with (step marks, run ends, their outbox rows), committing
 * without waiting for the WAL flush. Safe because each of those writes can be redone: a run whose progress a
 * Postgres crash lost is resumed by the sweep, and its steps carry idempotency keys. The inbox transaction
 * that creates runs, and the API's writes, use the service's normal pool, synchronously.
 * Measured with bench:automation: docs/performance.md.
 */
export const EXECUTION_DATA_SOURCE = Symbol('EXECUTION_DATA_SOURCE');

/** DB_POOL_SIZE is the service's whole budget of connections: half for run progress, the rest for the rest. */
export function splitPool(size: number): { main: number; execution: number } {
  const execution = Math.max(1, Math.floor(size / 2));
  return { main: Math.max(1, size - execution), execution };
}

class ExecutionDataSourceLifecycle implements OnApplicationShutdown {
  constructor(@Inject(EXECUTION_DATA_SOURCE) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

export const EXECUTION_DATA_SOURCE_PROVIDERS: Provider[] = [
  {
    provide: EXECUTION_DATA_SOURCE,
    inject: [AUTOMATION_CONFIG],
    useFactory: (config: AutomationConfig) =>
      automationDatabase
        .dataSource(
          { ...config, DB_POOL_SIZE: splitPool(config.DB_POOL_SIZE).execution },
          { synchronousCommit: false, applicationName: 'automation-runs' },
        )
        .initialize(),
  },
  ExecutionDataSourceLifecycle,
];
