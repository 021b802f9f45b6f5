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
  prepared,
  queryPrepared,
  returnedRows,
  withDatabase,
  type ServiceDataSourceOptions,
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

  /** A data source of the test's `things` schema. */
  const things = (options: Partial<ServiceDataSourceOptions> = {}) =>
    createServiceDataSource({ url, schema: 'things', entities: [], migrations: [], ...options });

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
    const make = () => things({ migrations: [CreateThings1700000000001] });
    const results = await Promise.all([migrate(make()), migrate(make())]);
    expect(results.flat()).toEqual(['CreateThings1700000000001']);
    expect(await migrate(make())).toEqual([]);
  });

  it('returns rows of UPDATE ... RETURNING the same way as SELECT', async () => {
    const ds = await things().initialize();
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

  it('runs a prepared statement by name on pooled connections and in a transaction, parsed once per connection', async () => {
    const ds = await things({ poolSize: 1 }).initialize();
    const rename = prepared('UPDATE things.thing SET name = $2 WHERE id = $1 RETURNING id, name');
    const other = prepared('SELECT name FROM things.thing WHERE id = $1');
    expect(rename.name).toBe(prepared(rename.text).name);
    expect(other.name).not.toBe(rename.name);
    try {
      await ds.query(`INSERT INTO things.thing (id, name) VALUES (2, 'a') ON CONFLICT DO NOTHING`);
      for (const name of ['c', 'd', 'e', 'f', 'g', 'h', 'i'])
        expect(await queryPrepared(ds, undefined, rename, [2, name])).toEqual([{ id: 2, name }]);
      // One pooled connection: the statement was prepared on it once and is still there.
      const onConnection = returnedRows<{ name: string; statement: string }>(
        await ds.query('SELECT name, statement FROM pg_prepared_statements'),
      );
      expect(onConnection).toEqual([{ name: rename.name, statement: rename.text }]);

      // In a transaction it runs on the transaction's connection: rolled back with it.
      await ds
        .transaction(async (manager) => {
          expect(await queryPrepared(ds, manager, rename, [2, 'rolled back'])).toEqual([
            { id: 2, name: 'rolled back' },
          ]);
          expect(await queryPrepared(ds, manager, other, [2])).toEqual([{ name: 'rolled back' }]);
          throw new Error('roll back');
        })
        .catch((error: Error) => expect(error.message).toBe('roll back'));
      expect(await queryPrepared(ds, undefined, other, [2])).toEqual([{ name: 'i' }]);
      // pg's own error, with its SQLSTATE.
      await expect(
        queryPrepared(ds, undefined, prepared('SELECT $1::int AS n'), ['x']),
      ).rejects.toMatchObject({
        code: '22P02',
      });
    } finally {
      await ds.destroy();
    }
  });
});
