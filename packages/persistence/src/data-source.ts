import 'reflect-metadata';
import { DataSource, type EntityManager, type MixedList, type EntitySchema } from 'typeorm';
import { ensureDatabase } from './ensure-database';

export interface ServiceDataSourceOptions {
  url: string;
  /** Each service owns one Postgres schema; its tables and migration history live there. */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  poolSize?: number;
  applicationName?: string;
  /**
   * `false`: commits return before their WAL is flushed (Postgres `synchronous_commit = off`). Only for writes
   * that may be lost in a Postgres crash because they can be redone (e.g. progress marks of idempotent work);
   * a process crash loses nothing either way.
   */
  synchronousCommit?: boolean;
}

export function createServiceDataSource(options: ServiceDataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    poolSize: options.poolSize ?? 10,
    applicationName: options.applicationName,
    extra: {
      connectionTimeoutMillis: 5_000,
      ...(options.synchronousCommit === false ? { options: '-c synchronous_commit=off' } : {}),
    },
  });
}

/** Creates the database and schema if missing, then applies pending migrations. Returns the names applied. */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  const options = dataSource.options as { url?: string; schema?: string };
  if (options.url) await ensureDatabase(options.url);
  const initialized = dataSource.isInitialized;
  if (!initialized) await dataSource.initialize();
  try {
    // Several replicas may start at once: one advisory lock per schema serializes their migrations.
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`migrate:${options.schema ?? 'public'}`]);
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema ?? 'public'}"`);
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [
        `migrate:${options.schema ?? 'public'}`,
      ]);
      await runner.release();
    }
  } finally {
    if (!initialized) await dataSource.destroy();
  }
}

export type Transactional = <T>(work: (manager: EntityManager) => Promise<T>) => Promise<T>;

export function transactional(dataSource: DataSource): Transactional {
  return (work) => dataSource.transaction(work);
}

/**
 * Rows of an UPDATE/DELETE ... RETURNING run through TypeORM's `query`, which answers `[rows, count]`
 * for those statements but plain rows for SELECT and INSERT.
 */
export function returnedRows<T>(result: unknown): T[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as T[];
  }
  return result as T[];
}
