// Used by the TypeORM CLI to generate migrations: `pnpm --filter @rocketlead/integrations migration:generate`.
import { integrationsDatabase } from './database/database.module';

export default integrationsDatabase.dataSource({
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/rocketlead',
  DB_POOL_SIZE: 2,
});
