import { migrate } from '@rocketlead/persistence';
import type { IngressConfig } from './config';
import { ingressDatabase } from './database/database.module';

/** Applies the ingress schema migrations. */
export async function migrateIngress(config: IngressConfig): Promise<{ migrations: string[] }> {
  return { migrations: await migrate(ingressDatabase.dataSource({ ...config, DB_POOL_SIZE: 2 })) };
}
