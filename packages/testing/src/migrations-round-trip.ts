import { createTestDatabase } from './test-database';
import { startInfrastructure, uniqueName } from './infrastructure';

/** The part of a TypeORM DataSource a migration round trip uses. */
export interface MigratableDataSource {
  readonly migrations: readonly unknown[];
  initialize(): Promise<unknown>;
  destroy(): Promise<void>;
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
  runMigrations(options: { transaction: 'each' }): Promise<unknown[]>;
  undoLastMigration(options: { transaction: 'each' }): Promise<void>;
}

export interface MigrationsRoundTrip {
  /** What went wrong, [] when nothing did. */
  problems: string[];
  /** The schema's tables after every migration applied (the migrations table aside). */
  tables: string[];
}

/**
 * On a fresh database: applies every migration of `schema`, reverts them one by one, and applies them again.
 * Problems: a `down` that leaves a table behind, or a second `up` that does not end where the first one did.
 * A `down` or `up` that fails throws.
 */
export async function migrationsRoundTrip(
  schema: string,
  open: (databaseUrl: string) => MigratableDataSource,
): Promise<MigrationsRoundTrip> {
  const infra = await startInfrastructure();
  const db = await createTestDatabase(infra.postgresUrl, uniqueName(`${schema}_migrations`));
  const dataSource = open(db.url);
  try {
    await dataSource.initialize();
    await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const tables = async (): Promise<string[]> =>
      (
        (await dataSource.query(
          `SELECT table_name AS name FROM information_schema.tables
            WHERE table_schema = $1 AND table_name <> 'migrations' ORDER BY table_name`,
          [schema],
        )) as { name: string }[]
      ).map((row) => row.name);
    const problems: string[] = [];
    const total = dataSource.migrations.length;

    const first = await dataSource.runMigrations({ transaction: 'each' });
    if (first.length !== total) problems.push(`first run applied ${first.length} of ${total} migrations`);
    const created = await tables();
    for (let i = 0; i < total; i++) await dataSource.undoLastMigration({ transaction: 'each' });
    const left = await tables();
    if (left.length > 0) problems.push(`tables left after every down: ${left.join(', ')}`);
    const again = await dataSource.runMigrations({ transaction: 'each' });
    if (again.length !== total) problems.push(`second run applied ${again.length} of ${total} migrations`);
    const recreated = await tables();
    if (recreated.join() !== created.join())
      problems.push(
        `tables after the second run differ: [${recreated.join(', ')}] vs [${created.join(', ')}]`,
      );
    return { problems, tables: created };
  } finally {
    await dataSource.destroy().catch(() => undefined);
    await db.drop();
    await infra.stop();
  }
}
