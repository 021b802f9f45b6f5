import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { startInfrastructure, uniqueName, type Infrastructure } from '@rocketlead/testing';
import {
  createServiceDataSource,
  dropDatabase,
  ensureDatabase,
  migrate,
  returnedRows,
  withDatabase,
} from '../src';

class CreateThings1700000000001 implements MigrationInterface {
  name = 'CreateThings1700000000001';
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE "things"."thing" (id int PRIMARY KEY, name text NOT NULL)');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE "things"."thing"');
  }
}

describe('persistence (real Postgres)', () => {
  let infra: Infrastructure;
  let url: string;

  beforeAll(async () => {
    infra = await startInfrastructure();
    url = withDatabase(infra.postgresUrl, uniqueName('persist'));
  }, 120_000);

  afterAll(async () => {
    if (url) await dropDatabase(url);
    await infra?.stop();
  }, 120_000);

  it('creates a missing database once, even when several processes race', async () => {
    await Promise.all([ensureDatabase(url), ensureDatabase(url), ensureDatabase(url)]);
    const client = new Client({ connectionString: url });
    await client.connect();
    await client.end();
  });

  it('creates the schema and applies each migration exactly once under concurrent runners', async () => {
    const make = () =>
      createServiceDataSource({
        url,
        schema: 'things',
        entities: [],
        migrations: [CreateThings1700000000001],
      });
    const results = await Promise.all([migrate(make()), migrate(make())]);
    expect(results.flat()).toEqual(['CreateThings1700000000001']);
    expect(await migrate(make())).toEqual([]);
  });

  it('returns rows of UPDATE ... RETURNING the same way as SELECT', async () => {
    const ds = await createServiceDataSource({
      url,
      schema: 'things',
      entities: [],
      migrations: [],
    }).initialize();
    try {
      await ds.query(`INSERT INTO things.thing (id, name) VALUES (1, 'a')`);
      const updated = returnedRows<{ name: string }>(
        await ds.query(`UPDATE things.thing SET name = 'b' WHERE id = 1 RETURNING name`),
      );
      expect(updated).toEqual([{ name: 'b' }]);
      expect(returnedRows(await ds.query(`SELECT name FROM things.thing`))).toEqual([{ name: 'b' }]);
    } finally {
      await ds.destroy();
    }
  });
});
