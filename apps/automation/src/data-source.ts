// Used by the TypeORM CLI to generate migrations: `pnpm --filter @rocketlead/automation migration:generate`.
import { automationDatabase } from './database/database.module';

export default automationDatabase.dataSource({
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/rocketlead',
  DB_POOL_SIZE: 2,
});
