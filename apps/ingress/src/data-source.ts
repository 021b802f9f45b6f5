// Used by the TypeORM CLI to generate migrations: `pnpm --filter @rocketlead/ingress migration:generate`.
import { createServiceDataSource } from '@rocketlead/persistence';
import { INGRESS_ENTITIES, INGRESS_SCHEMA } from './database/entities';
import { INGRESS_MIGRATIONS } from './migrations';

export default createServiceDataSource({
  url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/rocketlead',
  schema: INGRESS_SCHEMA,
  entities: INGRESS_ENTITIES,
  migrations: INGRESS_MIGRATIONS,
});
