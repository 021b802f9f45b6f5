import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createServiceDataSource, transactional, type ServiceDataSourceOptions } from './data-source';

/** Injection token of a `Transactional` runner bound to the service's DataSource. */
export const TRANSACTION = Symbol('TRANSACTION');

/** Closes the pool after everything that uses it has stopped (shutdown runs after beforeApplicationShutdown). */
class DataSourceLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** Provides the service's DataSource (its own schema) and a transaction runner to every module. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: ServiceDataSourceOptions): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: DataSource, useFactory: () => createServiceDataSource(options).initialize() },
        { provide: TRANSACTION, inject: [DataSource], useFactory: (ds: DataSource) => transactional(ds) },
        DataSourceLifecycle,
      ],
      exports: [DataSource, TRANSACTION],
    };
  }
}

export interface ServiceDatabase {
  /** A DataSource of the schema; `overrides` for a second pool with other settings (e.g. synchronousCommit). */
  dataSource(
    config: { DATABASE_URL: string; DB_POOL_SIZE: number },
    overrides?: Pick<ServiceDataSourceOptions, 'synchronousCommit' | 'applicationName'>,
  ): DataSource;
  module(config: { DATABASE_URL: string; DB_POOL_SIZE: number }): DynamicModule;
}

/** A service's schema, entities and migrations, bound once; gives its DataSource and its Nest module. */
export function defineServiceDatabase(
  definition: Pick<ServiceDataSourceOptions, 'schema' | 'entities' | 'migrations' | 'applicationName'>,
): ServiceDatabase {
  const options = (config: { DATABASE_URL: string; DB_POOL_SIZE: number }): ServiceDataSourceOptions => ({
    ...definition,
    url: config.DATABASE_URL,
    poolSize: config.DB_POOL_SIZE,
  });
  return {
    dataSource: (config, overrides = {}) => createServiceDataSource({ ...options(config), ...overrides }),
    module: (config) => DatabaseModule.forRoot(options(config)),
  };
}
