import { DatabaseModule, createServiceDataSource } from '@rocketlead/persistence';
import type { DynamicModule } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { IngressConfig } from '../config';
import { INGRESS_MIGRATIONS } from '../migrations';
import { INGRESS_ENTITIES, INGRESS_SCHEMA } from './entities';

type DbConfig = Pick<IngressConfig, 'DATABASE_URL' | 'DB_POOL_SIZE'>;

const options = (config: DbConfig) => ({
  url: config.DATABASE_URL,
  schema: INGRESS_SCHEMA,
  entities: INGRESS_ENTITIES,
  migrations: INGRESS_MIGRATIONS,
  poolSize: config.DB_POOL_SIZE,
  applicationName: 'ingress',
});

export const ingressDataSource = (config: DbConfig): DataSource => createServiceDataSource(options(config));
export const ingressDatabaseModule = (config: DbConfig): DynamicModule =>
  DatabaseModule.forRoot(options(config));
