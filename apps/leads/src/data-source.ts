// Used by the TypeORM CLI to generate migrations: `pnpm --filter @rocketlead/leads migration:generate`.
import { createServiceDataSource } from '@rocketlead/persistence';
import { LEADS_ENTITIES, LEADS_SCHEMA } from './database/entities';
import { LEADS_MIGRATIONS } from './migrations';

export default createServiceDataSource({
  url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/rocketlead',
  schema: LEADS_SCHEMA,
  entities: LEADS_ENTITIES,
  migrations: LEADS_MIGRATIONS,
});
