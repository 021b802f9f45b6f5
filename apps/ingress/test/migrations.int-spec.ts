import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { createServiceDataSource, migrate } from '@rocketlead/persistence';
import {
  createTestDatabase,
  startInfrastructure,
  uniqueName,
  type Infrastructure,
  type TestDatabase,
} from '@rocketlead/testing';
import { INGRESS_ENTITIES, INGRESS_SCHEMA } from '../src/database/entities';
import { INGRESS_MIGRATIONS } from '../src/migrations';

describe('ingress migrations', () => {
  let infra: Infrastructure;
  let db: TestDatabase;
  let dataSource: DataSource;

  const tableExists = async (table: string): Promise<boolean> => {
    const rows = (await dataSource.query('SELECT to_regclass($1) IS NOT NULL AS present', [
      `${INGRESS_SCHEMA}.${table}`,
    ])) as { present: boolean }[];
    return rows[0]!.present;
  };
  const applied = async (): Promise<number> => {
    const rows = (await dataSource.query(
      `SELECT count(*)::int AS n FROM "${INGRESS_SCHEMA}".migrations`,
    )) as { n: number }[];
    return rows[0]!.n;
  };

  beforeAll(async () => {
    infra = await startInfrastructure();
    db = await createTestDatabase(infra.postgresUrl, uniqueName('ingress_migrations'));
    dataSource = createServiceDataSource({
      url: db.url,
      schema: INGRESS_SCHEMA,
      entities: INGRESS_ENTITIES,
      migrations: INGRESS_MIGRATIONS,
      poolSize: 2,
    });
    await migrate(dataSource);
    await dataSource.initialize();
  }, 120_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
    await infra?.stop();
  });

  it('applies every migration, and the replaced form rate-limit table is gone', async () => {
    expect(await applied()).toBe(INGRESS_MIGRATIONS.length);
    expect(await tableExists('public_rate_limit_hits')).toBe(true);
    expect(await tableExists('form_rate_limit_hits')).toBe(false);
  });

  it('reverts every migration down to an empty schema and applies them all again', async () => {
    await dataSource.undoLastMigration({ transaction: 'each' });
    // The last migration's down brings the dropped table back, empty.
    expect(await tableExists('form_rate_limit_hits')).toBe(true);
    for (let left = INGRESS_MIGRATIONS.length - 1; left > 0; left -= 1) {
      await dataSource.undoLastMigration({ transaction: 'each' });
    }
    expect(await applied()).toBe(0);
    expect(await tableExists('api_tokens')).toBe(false);

    await dataSource.runMigrations({ transaction: 'each' });
    expect(await applied()).toBe(INGRESS_MIGRATIONS.length);
    expect(await tableExists('form_rate_limit_hits')).toBe(false);
    expect(await tableExists('api_tokens')).toBe(true);
  }, 60_000);
});
