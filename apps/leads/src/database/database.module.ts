import { DatabaseModule, createServiceDataSource } from '@rocketlead/persistence';
import type { DynamicModule } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { LeadsConfig } from '../config';
import { LEADS_MIGRATIONS } from '../migrations';
import { LEADS_ENTITIES, LEADS_SCHEMA } from './entities';

type DbConfig = Pick<LeadsConfig, 'DATABASE_URL' | 'DB_POOL_SIZE'>;

const options = (config: DbConfig) => ({
  url: config.DATABASE_URL,
  schema: LEADS_SCHEMA,
  entities: LEADS_ENTITIES,
  migrations: LEADS_MIGRATIONS,
  poolSize: config.DB_POOL_SIZE,
  applicationName: 'leads',
});

export const leadsDataSource = (config: DbConfig): DataSource => createServiceDataSource(options(config));
export const leadsDatabaseModule = (config: DbConfig): DynamicModule =>
  DatabaseModule.forRoot(options(config));
