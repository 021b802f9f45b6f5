import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createServiceDataSource, transactional, type Transactional } from '@rocketlead/persistence';
import { LEADS_ENTITIES, LEADS_SCHEMA } from './entities';
import { LEADS_MIGRATIONS } from '../migrations';
import { LEADS_CONFIG } from '../config.token';
import type { LeadsConfig } from '../config';

export const TRANSACTION = Symbol('TRANSACTION');

class DataSourceLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

export function leadsDataSource(config: Pick<LeadsConfig, 'DATABASE_URL' | 'DB_POOL_SIZE'>): DataSource {
  return createServiceDataSource({
    url: config.DATABASE_URL,
    schema: LEADS_SCHEMA,
    entities: LEADS_ENTITIES,
    migrations: LEADS_MIGRATIONS,
    poolSize: config.DB_POOL_SIZE,
    applicationName: 'leads',
  });
}

@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [LEADS_CONFIG],
      useFactory: (config: LeadsConfig) => leadsDataSource(config).initialize(),
    },
    { provide: TRANSACTION, inject: [DataSource], useFactory: (ds: DataSource): Transactional => transactional(ds) },
    DataSourceLifecycle,
  ],
  exports: [DataSource, TRANSACTION],
})
export class DatabaseModule {}
